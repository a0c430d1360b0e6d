import {
  type GenerationOf,
  isTerminal,
  type JobKind,
  type JobStatus,
  KIND_INFO,
  type ModelView,
} from "@sorami/contracts";
import Link from "next/link";
import { detailPath } from "@/lib/gallery-query";
import { HeldBadge } from "./held-media";
import { countLabel, formatDateTime, modelLabel, STATUS_LABEL } from "./labels";
import { MEDIA_KINDS } from "./media-kinds";
import { StarButton } from "./star-button";

export const STATUS_TONE: Record<JobStatus, string> = {
  PENDING: "bg-gray-100 text-gray-700",
  INITIALIZING: "bg-indigo-50 text-indigo-800",
  GENERATING: "bg-indigo-50 text-indigo-800",
  SAVING: "bg-indigo-50 text-indigo-800",
  COMPLETED: "bg-green-50 text-green-800",
  FAILED: "bg-red-50 text-red-800",
  CANCELED: "bg-gray-100 text-gray-700",
};

export function StatusBadge({ status }: { status: JobStatus }) {
  return (
    <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${STATUS_TONE[status]}`}>
      {STATUS_LABEL[status]}
    </span>
  );
}

/** Cards show at most this many stills; the rest are counted. */
const STILLS_SHOWN = 4;

function PlayBadge() {
  return (
    <span
      aria-hidden="true"
      className="absolute top-1/2 left-1/2 flex size-10 -translate-x-1/2 -translate-y-1/2 items-center justify-center rounded-full bg-black/60 text-white"
    >
      <svg viewBox="0 0 16 16" className="ml-0.5 size-4" fill="currentColor" aria-hidden="true">
        <path d="M4 2.5v11l9-5.5z" />
      </svg>
    </span>
  );
}

/**
 * Up to four stills (thumbnails, or the full file for rows stored before
 * thumbnails) in a square: one fills it, two sit side by side, more make a
 * 2×2 grid. Every card's square is the same size and each still carries its
 * width and height, so nothing moves as they load; files are letterboxed,
 * never cropped.
 */
function Stills<K extends JobKind>({ kind, generation }: { kind: K; generation: GenerationOf<K> }) {
  const { files: filesOf, still } = MEDIA_KINDS[kind];
  const { plural } = KIND_INFO[kind];
  const all = filesOf(generation);
  const files = all.slice(0, STILLS_SHOWN);
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
    <div className={`relative grid aspect-square gap-0.5 bg-gray-100 ${layout} ${rows}`}>
      {files.map((file) => {
        // A file still being fetched from a backend (or missing) has nothing to show yet.
        const src = file.state === "stored" ? still(file) : null;
        return (
          <div key={file.id} className="relative min-h-0 overflow-hidden bg-gray-200">
            {src ? (
              // biome-ignore lint/performance/noImgElement: media is served by an authenticated API route, not the image optimizer
              <img
                src={src}
                alt=""
                loading="lazy"
                decoding="async"
                width={file.width}
                height={file.height}
                className={`absolute inset-0 size-full ${file.moderation ? "scale-110 object-cover blur-md" : "object-contain"}`}
              />
            ) : null}
            {file.moderation ? <HeldBadge moderation={file.moderation} /> : kind === "video" ? <PlayBadge /> : null}
          </div>
        );
      })}
      {all.length > STILLS_SHOWN ? (
        <span className="absolute right-2 bottom-2 rounded bg-black/70 px-1.5 py-0.5 text-xs font-medium text-white">
          +{all.length - STILLS_SHOWN}
        </span>
      ) : null}
    </div>
  );
}

/**
 * One generation in the grid. The prompt is the card's link to its detail
 * view; the stills link there too for pointer users, but are skipped by the
 * keyboard and screen readers so each card is one stop.
 */
export function GalleryItem<K extends JobKind>({
  kind,
  generation,
  models,
}: {
  kind: K;
  generation: GenerationOf<K>;
  /** The active models, to name a job's model by its label (null: the id is shown). */
  models: readonly ModelView[] | null;
}) {
  const { files, summary } = MEDIA_KINDS[kind];
  const { noun, plural } = KIND_INFO[kind];
  const href = detailPath(generation.job_id);
  const details = [countLabel(files(generation).length, noun, plural), ...summary(generation.params)].filter(Boolean);
  return (
    <article className="h-full overflow-hidden rounded-lg border border-gray-200 bg-white focus-within:border-indigo-600">
      <Link href={href} tabIndex={-1} aria-hidden="true" className="block">
        <Stills kind={kind} generation={generation} />
      </Link>
      <div className="space-y-2 p-4">
        <h2 className="line-clamp-3 text-sm font-medium break-words text-gray-900" title={generation.prompt}>
          <Link href={href} data-testid="gallery-item-link" className="hover:text-indigo-700 hover:underline">
            {generation.prompt}
          </Link>
        </h2>
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-gray-600">
          <StatusBadge status={generation.status} />
          <time dateTime={generation.created_at}>{formatDateTime(generation.created_at)}</time>
          <StarButton
            what="generations"
            id={generation.job_id}
            favorite={generation.favorite}
            label={generation.prompt}
            className="ml-auto"
          />
        </div>
        <p className="text-xs text-gray-500">{details.join(" · ")}</p>
        {generation.model ? (
          <p className="text-xs text-gray-500" data-testid="gallery-item-model">
            {modelLabel(generation.model, models)}
          </p>
        ) : null}
        {generation.status === "FAILED" && generation.error ? (
          <p className="text-xs break-words text-red-700">{generation.error}</p>
        ) : null}
      </div>
    </article>
  );
}
