import { type FileOf, type JobKind, KIND_INFO } from "@sorami/contracts";
import { HeldMedia, heldPicture } from "./held-media";
import { fileExtension, truncate } from "./labels";
import { MEDIA_KINDS } from "./media-kinds";

/**
 * A file a backend reported from elsewhere, not (yet) in Sorami's storage:
 * being fetched, or missing with the reason.
 */
function FileNotHere({ state, reason }: { state: "pending" | "missing"; reason: string | null }) {
  return (
    <div
      data-testid={state === "pending" ? "media-file-pending" : "media-file-missing"}
      className={`absolute inset-0 flex items-center justify-center p-4 text-center text-sm ${
        state === "pending" ? "bg-gray-200 text-gray-700 motion-safe:animate-pulse" : "bg-red-50 text-red-800"
      }`}
    >
      {state === "pending"
        ? "Fetching this file from the backend…"
        : `This file is missing: ${reason ?? "it could not be fetched"}`}
    </div>
  );
}

/**
 * The results of one job, of either kind. Before they exist it draws `count`
 * placeholders of the requested shape, so the files take the place reserved
 * for them without moving anything.
 */
export function MediaGrid<K extends JobKind>(props: {
  kind: K;
  jobId: string;
  prompt: string;
  files: readonly FileOf<K>[] | null;
  count: number;
  width: number;
  height: number;
  loading: boolean;
}) {
  const { Media, details } = MEDIA_KINDS[props.kind];
  const { noun, plural } = KIND_INFO[props.kind];
  const cells = props.files ?? Array.from({ length: props.count }, () => null);
  const columns = cells.length > 1 ? "sm:grid-cols-2" : "";
  return (
    <ul className={`grid grid-cols-1 gap-4 ${columns}`} aria-label={`Generated ${plural}`}>
      {cells.map((file, i) => {
        const width = file?.width || props.width;
        const height = file?.height || props.height;
        const n = file ? file.index + 1 : i + 1;
        return (
          <li key={file?.id ?? `placeholder-${i}`} className="space-y-2" data-testid={file ? "media-file" : undefined}>
            {/* Tall files are capped at 75% of the screen height; the box keeps their shape either way. */}
            <div
              className="relative mx-auto overflow-hidden rounded-md border border-gray-200 bg-gray-100"
              style={{
                aspectRatio: `${width || 1} / ${height || 1}`,
                width: `min(100%, calc(75vh * ${width || 1} / ${height || 1}))`,
              }}
            >
              {file?.moderation ? (
                <HeldMedia moderation={file.moderation} picture={heldPicture(file)} />
              ) : file && file.state === "stored" ? (
                <Media file={file} label={`${truncate(props.prompt, 100)} (${n} of ${cells.length})`} />
              ) : file ? (
                <FileNotHere state={file.state === "pending" ? "pending" : "missing"} reason={file.missing_reason} />
              ) : (
                <div
                  aria-hidden="true"
                  className={`absolute inset-0 bg-gray-200 ${props.loading ? "motion-safe:animate-pulse" : ""}`}
                />
              )}
            </div>
            <div className="flex h-6 items-center justify-between gap-2 text-xs text-gray-600">
              {file?.moderation ? (
                <span>{details(file)}</span>
              ) : file && file.state === "stored" ? (
                <>
                  <span>{details(file)}</span>
                  {/* ?download=1: the server sends it as an attachment, so it saves even where `download` is ignored. */}
                  <a
                    href={`${file.url}?download=1`}
                    download={`sorami-${props.jobId.slice(0, 8)}-${n}.${fileExtension(file.format)}`}
                    data-testid="media-download"
                    className="font-medium text-indigo-700 hover:underline"
                  >
                    Download
                    <span className="sr-only">
                      {" "}
                      {noun} {n}
                    </span>
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
