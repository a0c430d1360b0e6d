import { isTerminal, type JobKind, type JobStatus } from "@sorami/contracts";
import type { GenerationOf } from "@/lib/api-client";
import { countLabel, formatDateTime, STATUS_LABEL, truncate } from "./labels";
import { MEDIA_KINDS } from "./media-kinds";

const STATUS_TONE: Record<JobStatus, string> = {
  PENDING: "bg-gray-100 text-gray-700",
  INITIALIZING: "bg-indigo-50 text-indigo-800",
  GENERATING: "bg-indigo-50 text-indigo-800",
  SAVING: "bg-indigo-50 text-indigo-800",
  COMPLETED: "bg-green-50 text-green-800",
  FAILED: "bg-red-50 text-red-800",
  CANCELED: "bg-gray-100 text-gray-700",
};

/**
 * Up to four files in a square: one fills it, two sit side by side, more
 * make a 2×2 grid. Every card's square is the same size, and files are
 * letterboxed rather than cropped.
 */
function Thumbnails<K extends JobKind>({ kind, generation }: { kind: K; generation: GenerationOf<K> }) {
  const { plural, files: filesOf, Media } = MEDIA_KINDS[kind];
  const all = filesOf(generation);
  const files = all.slice(0, 4);
  if (files.length === 0) {
    const text = isTerminal(generation.status)
      ? generation.status === "COMPLETED"
        ? `No ${plural}`
        : STATUS_LABEL[generation.status]
      : `${STATUS_LABEL[generation.status]} · ${generation.progress}%`;
    return (
      <div className="flex aspect-square items-center justify-center bg-gray-100 text-sm text-gray-500">{text}</div>
    );
  }
  const layout = files.length === 1 ? "grid-cols-1" : "grid-cols-2";
  const rows = files.length === 2 ? "grid-rows-1" : files.length > 2 ? "grid-rows-2" : "";
  return (
    <div className={`grid aspect-square gap-0.5 bg-gray-100 ${layout} ${rows}`}>
      {files.map((file, i) => (
        <div key={file.id} className="relative min-h-0 overflow-hidden">
          <Media file={file} label={`${truncate(generation.prompt, 80)} (${i + 1} of ${all.length})`} place="gallery" />
        </div>
      ))}
    </div>
  );
}

export function GalleryItem<K extends JobKind>({ kind, generation }: { kind: K; generation: GenerationOf<K> }) {
  const { noun, plural, files, summary } = MEDIA_KINDS[kind];
  const details = [countLabel(files(generation).length, noun, plural), ...summary(generation.params)].filter(Boolean);
  return (
    <article className="h-full overflow-hidden rounded-lg border border-gray-200 bg-white">
      <Thumbnails kind={kind} generation={generation} />
      <div className="space-y-2 p-4">
        <h2 className="line-clamp-3 text-sm font-medium break-words text-gray-900" title={generation.prompt}>
          {generation.prompt}
        </h2>
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-gray-600">
          <span className={`rounded-full px-2 py-0.5 font-medium ${STATUS_TONE[generation.status]}`}>
            {STATUS_LABEL[generation.status]}
          </span>
          <time dateTime={generation.created_at}>{formatDateTime(generation.created_at)}</time>
        </div>
        <p className="text-xs text-gray-500">{details.join(" · ")}</p>
        {generation.status === "FAILED" && generation.error ? (
          <p className="text-xs break-words text-red-700">{generation.error}</p>
        ) : null}
      </div>
    </article>
  );
}
