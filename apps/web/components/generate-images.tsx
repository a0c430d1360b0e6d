"use client";

import type { ImageParams } from "@sorami/contracts";
import { useState } from "react";
import { GenerateForm } from "./generate-form";
import { JobPanel } from "./job-panel";
import { useImageJob } from "./use-image-job";

export function GenerateImages() {
  const { job, submitting, submit } = useImageJob();
  const [retryError, setRetryError] = useState<string | null>(null);

  async function onGenerate(params: ImageParams) {
    setRetryError(null);
    return submit(params);
  }

  async function onRetry() {
    if (!job) return;
    setRetryError(null);
    const error = await submit(job.params);
    if (error) setRetryError(error.message);
  }

  return (
    <div className="mt-6 grid grid-cols-1 gap-8 lg:grid-cols-[minmax(0,26rem)_minmax(0,1fr)]">
      <div className="rounded-lg border border-gray-200 bg-white p-4 sm:p-6">
        <GenerateForm onGenerate={onGenerate} submitting={submitting} />
      </div>
      <div>
        {job ? (
          <JobPanel
            key={job.jobId}
            job={job}
            onRetry={() => void onRetry()}
            retrying={submitting}
            retryError={retryError}
          />
        ) : (
          <div className="flex min-h-64 items-center justify-center rounded-lg border-2 border-dashed border-gray-200 p-8 text-center text-sm text-gray-500">
            Your images will appear here once you press Generate.
          </div>
        )}
      </div>
    </div>
  );
}
