import type { ImageFile } from "@sorami/contracts";

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function extension(format: string): string {
  const f = format.toLowerCase();
  return f === "jpeg" ? "jpg" : f;
}

/**
 * The results of one job. Before they exist it draws `count` placeholders of
 * the requested shape, so the images take the place reserved for them
 * without moving anything.
 */
export function ImageGrid(props: {
  jobId: string;
  prompt: string;
  images: readonly ImageFile[] | null;
  count: number;
  width: number;
  height: number;
  loading: boolean;
}) {
  const cells = props.images ?? Array.from({ length: props.count }, () => null);
  const columns = cells.length > 1 ? "sm:grid-cols-2" : "";
  return (
    <ul className={`grid grid-cols-1 gap-4 ${columns}`} aria-label="Generated images">
      {cells.map((image, i) => {
        const width = image?.width || props.width;
        const height = image?.height || props.height;
        const n = image ? image.index + 1 : i + 1;
        return (
          <li key={image?.id ?? `placeholder-${i}`} className="space-y-2">
            <div
              className="relative overflow-hidden rounded-md border border-gray-200 bg-gray-100"
              style={{ aspectRatio: `${width || 1} / ${height || 1}` }}
            >
              {image ? (
                // biome-ignore lint/performance/noImgElement: media is served by an authenticated API route, not the image optimizer
                <img
                  data-testid="result-image"
                  src={image.url}
                  alt={image.description || `${truncate(props.prompt, 100)} (${n} of ${cells.length})`}
                  width={width}
                  height={height}
                  decoding="async"
                  className="absolute inset-0 size-full object-contain"
                />
              ) : (
                <div
                  aria-hidden="true"
                  className={`absolute inset-0 bg-gray-200 ${props.loading ? "motion-safe:animate-pulse" : ""}`}
                />
              )}
            </div>
            <div className="flex h-6 items-center justify-between gap-2 text-xs text-gray-600">
              {image ? (
                <>
                  <span>
                    {image.width} × {image.height} · {image.format.toUpperCase()} · {formatBytes(image.size_bytes)}
                  </span>
                  <a
                    href={image.url}
                    download={`sorami-${props.jobId.slice(0, 8)}-${n}.${extension(image.format)}`}
                    className="font-medium text-indigo-700 hover:underline"
                  >
                    Download<span className="sr-only"> image {n}</span>
                  </a>
                </>
              ) : null}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
