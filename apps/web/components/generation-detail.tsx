import {
  type GenerationDetail,
  isTerminal,
  type JobKind,
  KIND_INFO,
  type ModelView,
  type PERSON_GENERATION_MODES,
} from "@sorami/contracts";
import Link from "next/link";
import type { ReactNode } from "react";
import { galleryPath } from "@/lib/gallery-query";
import { StatusBadge } from "./gallery-item";
import { GenerationActions } from "./generation-actions";
import {
  aspectRatioLabel,
  FALLBACK_REASON_LABEL,
  formatElapsed,
  modelLabel,
  optionLabel,
  PERSON_GENERATION_LABEL,
  providerLabel,
  secondsLabel,
  sizeLabel,
} from "./labels";
import { LibraryPanel } from "./library-panel";
import { LocalTime } from "./local-time";
import { MediaGrid } from "./media-grid";
import { followPath } from "./media-kinds";

/** How each known parameter is named and shown; others are shown as sent. */
const PARAMS: Record<string, { label: string; show?: (value: string) => string }> = {
  num_images: { label: "Number of images" },
  number_of_videos: { label: "Number of videos" },
  size: { label: "Size", show: sizeLabel },
  aspect_ratio: { label: "Aspect ratio", show: aspectRatioLabel },
  duration_seconds: { label: "Duration", show: (v) => secondsLabel(Number(v)) },
  format: { label: "Format" },
  style: { label: "Style", show: optionLabel },
  quality: { label: "Quality", show: optionLabel },
  person_generation: {
    label: "People",
    show: (v) => PERSON_GENERATION_LABEL[v as (typeof PERSON_GENERATION_MODES)[number]] ?? v,
  },
  negative_prompt: { label: "Negative prompt" },
  input_image_url: { label: "Input image URL" },
  input_image: { label: "Input image", show: () => "Uploaded" },
  seed: { label: "Seed" },
  steps: { label: "Steps" },
  guidance: { label: "Guidance" },
};

/** Shown in the Model box, not among the parameters. */
const NOT_PARAMS = new Set(["model"]);

/** Known parameters in the table's order (stored JSON keeps none), then any others. */
function paramRows(params: Record<string, unknown>): [string, string][] {
  const order = Object.keys(PARAMS);
  const rank = (key: string) => (order.includes(key) ? order.indexOf(key) : order.length);
  return Object.entries(params)
    .filter(([key, value]) => !NOT_PARAMS.has(key) && value !== undefined && value !== null && value !== "")
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([key, value]) => {
      const known = PARAMS[key];
      const text = typeof value === "object" ? JSON.stringify(value) : String(value);
      return [known?.label ?? optionLabel(key.replace(/_/g, " ")), known?.show ? known.show(text) : text];
    });
}

function durationMs(detail: GenerationDetail): number | null {
  if (!detail.completed_at) {
    return null;
  }
  const from = Date.parse(detail.started_at ?? detail.created_at);
  return Date.parse(detail.completed_at) - from;
}

function Facts({ label, rows, testId }: { label: string; rows: [string, ReactNode][]; testId: string }) {
  return (
    <section aria-label={label} className="rounded-lg border border-gray-200 bg-white p-4">
      <h2 className="text-sm font-semibold text-gray-900">{label}</h2>
      <dl data-testid={testId} className="mt-3 grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
        {rows.map(([term, value]) => (
          <div key={term} className="contents">
            <dt className="text-gray-600">{term}</dt>
            <dd className="min-w-0 break-words text-gray-900">{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** A model's label with its id beneath (the id is what the API and the catalog file use). */
function ModelName({ id, models }: { id: string | null; models: readonly ModelView[] | null }) {
  const label = modelLabel(id, models);
  return (
    <>
      {label}
      {id && label !== id ? <span className="block text-xs text-gray-500">{id}</span> : null}
    </>
  );
}

/** Each file at full size (a video in a player with its poster), with its download link. */
function Files({ detail }: { detail: GenerationDetail }) {
  const common = { jobId: detail.job_id, prompt: detail.prompt, width: 1, height: 1, loading: false };
  return "images" in detail ? (
    <MediaGrid kind="image" files={detail.images} count={detail.images.length} {...common} />
  ) : (
    <MediaGrid kind="video" files={detail.videos} count={detail.videos.length} {...common} />
  );
}

/**
 * Everything about one generation: prompt, status (and why it failed),
 * files at full size with downloads, parameters, model and timings, and the
 * re-run and delete actions. Rendered on the server from the owner's data.
 */
export function GenerationDetailView({
  detail,
  models,
}: {
  detail: GenerationDetail;
  /** The active models, to name models by their labels (null when the catalog is not known). */
  models: readonly ModelView[] | null;
}) {
  const kind: JobKind = detail.kind;
  const info = KIND_INFO[kind];
  const files = "images" in detail ? detail.images : detail.videos;
  const running = !isTerminal(detail.status);
  const provider = detail.metadata.provider ?? {};
  const duration = durationMs(detail);
  const timings: [string, ReactNode][] = [
    ["Submitted", <LocalTime key="s" iso={detail.created_at} />],
    ["Started", detail.started_at ? <LocalTime key="b" iso={detail.started_at} /> : "Not yet"],
    [
      detail.status === "COMPLETED" ? "Completed" : "Ended",
      detail.completed_at ? <LocalTime key="c" iso={detail.completed_at} /> : "Not yet",
    ],
    ["Duration", duration === null ? "—" : formatElapsed(duration)],
  ];
  const model: [string, ReactNode][] = [
    ["Model", <ModelName key="m" id={detail.model} models={models} />],
    ["Provider", detail.provider ? providerLabel(detail.provider) : "Not reported yet"],
  ];
  if (detail.requested_model && detail.requested_model !== detail.model) {
    model.push(["Asked for", <ModelName key="a" id={detail.requested_model} models={models} />]);
  }
  for (const [i, step] of detail.fallbacks.entries()) {
    model.push([
      detail.fallbacks.length > 1 ? `Fallback ${i + 1}` : "Fallback",
      `from ${modelLabel(step.from, models)} to ${modelLabel(step.to, models)}: ${FALLBACK_REASON_LABEL[step.reason]} (${step.message})`,
    ]);
  }
  if (detail.request_id) {
    model.push([
      "Provider's request id",
      <code key="r" className="text-xs">
        {detail.request_id}
      </code>,
    ]);
  }
  if (typeof provider.version === "string") {
    model.push(["Version", provider.version]);
  }
  if (detail.metadata.processing_time_ms !== null) {
    model.push(["Generation time", secondsLabel(detail.metadata.processing_time_ms / 1000)]);
  }
  const params = paramRows(detail.params);

  return (
    <div className="mt-2 space-y-6">
      <Link href={galleryPath(kind)} className="text-sm font-medium text-indigo-700 hover:underline">
        ← Back to {info.plural}
      </Link>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">
          {info.noun === "image" ? "Image" : "Video"} generation
        </h1>
        <span data-testid="detail-status">
          <StatusBadge status={detail.status} />
        </span>
      </div>

      <section aria-labelledby="prompt-heading" className="space-y-1">
        <h2 id="prompt-heading" className="text-sm font-semibold text-gray-900">
          Prompt
        </h2>
        {/* Text, never markup: the prompt is shown exactly as typed. */}
        <p data-testid="detail-prompt" className="whitespace-pre-wrap break-words text-gray-800">
          {detail.prompt}
        </p>
      </section>

      {detail.status === "FAILED" ? (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          <span className="font-medium">Failed:</span>{" "}
          <span data-testid="detail-error">{detail.error ?? "The generation failed."}</span>
        </div>
      ) : null}
      {running ? (
        <div className="rounded-md border border-indigo-200 bg-indigo-50 px-3 py-2 text-sm text-indigo-900">
          Still running ({detail.message ?? `${detail.progress}%`}).{" "}
          <Link href={followPath(kind, detail.job_id)} data-testid="detail-follow" className="font-medium underline">
            Follow it live
          </Link>
        </div>
      ) : null}

      <GenerationActions kind={kind} jobId={detail.job_id} fileCount={files.length} running={running} />
      <LibraryPanel detail={detail} />

      {files.length > 0 ? (
        <section aria-label={optionLabel(info.plural)}>
          <Files detail={detail} />
        </section>
      ) : null}

      <div className="grid gap-4 md:grid-cols-3">
        <Facts
          label="Parameters"
          rows={params.length ? params : [["Parameters", "None recorded"]]}
          testId="detail-params"
        />
        <Facts label="Model" rows={model} testId="detail-model" />
        <Facts label="Timings" rows={timings} testId="detail-timings" />
      </div>
    </div>
  );
}
