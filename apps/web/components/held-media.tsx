import type { FileModeration } from "@sorami/contracts";

/** The one picture a held file's owner gets: the blurred copy (thumbnail_url / poster_url then), or nothing. */
export function heldPicture(file: { thumbnail_url: string | null; poster_url?: string | null }): string | null {
  return file.thumbnail_url ?? file.poster_url ?? null;
}

/**
 * A file its owner may not see as it is (being checked, held for review,
 * removed): the server's blurred copy — 64 pixels, blurred again here only
 * so it scales smoothly — under the notice. The original is never fetched:
 * the server refuses it, and a CSS blur over it would hand the bytes over.
 */
export function HeldMedia({ moderation, picture }: { moderation: FileModeration; picture: string | null }) {
  return (
    <div data-testid="held-media" data-moderation={moderation.state} className="absolute inset-0 bg-gray-200">
      {picture ? (
        // biome-ignore lint/performance/noImgElement: media is served by an authenticated API route, not the image optimizer
        <img
          src={picture}
          alt=""
          aria-hidden="true"
          className="absolute inset-0 size-full scale-110 object-cover blur-lg"
        />
      ) : null}
      <p
        role="status"
        className="absolute inset-x-3 bottom-3 rounded-md bg-white/90 px-3 py-2 text-sm text-gray-800 shadow"
      >
        {moderation.notice}
      </p>
    </div>
  );
}

/** A small label on a gallery still of a held file. */
export function HeldBadge({ moderation }: { moderation: FileModeration }) {
  const label = { pending: "Checking", held: "Held for review", removed: "Removed" }[moderation.state];
  return (
    <span className="absolute top-1 left-1 rounded bg-black/70 px-1.5 py-0.5 text-xs font-medium text-white">
      {label}
    </span>
  );
}
