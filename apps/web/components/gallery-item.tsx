import { type GalleryGeneration, isTerminal, type JobStatus } from "@sorami/contracts";
import { formatDateTime, optionLabel, STATUS_LABEL } from "./labels";

const STATUS_TONE: Record<JobStatus, string> = {
  PENDING: "bg-gray-100 text-gray-700",
  INITIALIZING: "bg-indigo-50 text-indigo-800",
  GENERATING: "bg-indigo-50 text-indigo-800",
  SAVING: "bg-indigo-50 text-indigo-800",
  COMPLETED: "bg-green-50 text-green-800",
  FAILED: "bg-red-50 text-red-800",
  CANCELED: "bg-gray-100 text-gray-700",
};

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function param(params: Record<string, unknown>, key: string): string | null {
  const value = params[key];
  return typeof value === "string" || typeof value === "number" ? String(value) : null;
}

/**
 * Up to four thumbnails in a square: one fills it, two sit side by side, more
 * make a 2×2 grid. Every card's square is the same size, and images are
 * letterboxed rather than cropped.
 */
function Thumbnails({ generation }: { generation: GalleryGeneration }) {
  const images = generation.images.slice(0, 4);
  if (images.length === 0) {
    const text = isTerminal(generation.status)
      ? generation.status === "COMPLETED"
        ? "No images"
        : STATUS_LABEL[generation.status]
      : `${STATUS_LABEL[generation.status]} · ${generation.progress}%`;
    return (
      <div className="flex aspect-square items-center justify-center bg-gray-100 text-sm text-gray-500">{text}</div>
    );
  }
  const layout = images.length === 1 ? "grid-cols-1" : "grid-cols-2";
  const rows = images.length === 2 ? "grid-rows-1" : images.length > 2 ? "grid-rows-2" : "";
  return (
    <div className={`grid aspect-square gap-0.5 bg-gray-100 ${layout} ${rows}`}>
      {images.map((image, i) => (
        <a
          key={image.id}
          href={image.url}
          target="_blank"
          rel="noopener"
          className="relative block min-h-0 overflow-hidden"
        >
          {/* biome-ignore lint/performance/noImgElement: media is served by an authenticated API route, not the image optimizer */}
          <img
            src={image.url}
            alt={image.description || `${truncate(generation.prompt, 80)} (${i + 1} of ${generation.images.length})`}
            loading="lazy"
            decoding="async"
            width={image.width}
            height={image.height}
            className="absolute inset-0 size-full object-contain"
          />
          <span className="sr-only">, open full size in a new tab</span>
        </a>
      ))}
    </div>
  );
}

export function GalleryItem({ generation }: { generation: GalleryGeneration }) {
  const size = param(generation.params, "size");
  const style = param(generation.params, "style");
  const details = [
    `${generation.images.length} ${generation.images.length === 1 ? "image" : "images"}`,
    size?.replace("x", " × "),
    style ? optionLabel(style) : null,
  ].filter(Boolean);
  return (
    <article className="h-full overflow-hidden rounded-lg border border-gray-200 bg-white">
      <Thumbnails generation={generation} />
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
