"use client";

import { type JobKind, KIND_INFO, type ParamsOf } from "@sorami/contracts";
import { type ComponentType, useState } from "react";
import { ImageForm } from "./image-form";
import { JobPanel } from "./job-panel";
import type { GenerateFormProps } from "./params-form";
import { useJob } from "./use-job";
import { VideoForm } from "./video-form";

/** Each kind's settings form; everything else on the page is shared. */
const FORMS: { [K in JobKind]: ComponentType<GenerateFormProps<ParamsOf<K>>> } = {
  image: ImageForm,
  video: VideoForm,
};

/** The generate page of one kind: its form beside the live panel of the newest job (or of `?job=`). */
export function GenerateMedia<K extends JobKind>({ kind, followJobId }: { kind: K; followJobId?: string | null }) {
  const Form: ComponentType<GenerateFormProps<ParamsOf<K>>> = FORMS[kind];
  const { job, submitting, submit, reloadResult } = useJob(kind, followJobId);
  const [retryError, setRetryError] = useState<string | null>(null);

  async function onGenerate(params: ParamsOf<K>) {
    setRetryError(null);
    return submit(params);
  }

  async function onRetry() {
    if (!job?.params) {
      return;
    }
    setRetryError(null);
    const error = await submit(job.params);
    if (error) {
      setRetryError(error.message);
    }
  }

  return (
    <div className="mt-6 grid grid-cols-1 gap-8 lg:grid-cols-[minmax(0,26rem)_minmax(0,1fr)]">
      <div className="rounded-lg border border-gray-200 bg-white p-4 sm:p-6">
        <Form onGenerate={onGenerate} submitting={submitting} />
      </div>
      <div>
        {job ? (
          <JobPanel
            key={job.jobId}
            job={job}
            onReloadResult={reloadResult}
            onRetry={() => void onRetry()}
            retrying={submitting}
            retryError={retryError}
          />
        ) : (
          <div className="flex min-h-64 items-center justify-center rounded-lg border-2 border-dashed border-gray-200 p-8 text-center text-sm text-gray-500">
            Your {KIND_INFO[kind].plural} will appear here once you press Generate.
          </div>
        )}
      </div>
    </div>
  );
}
