import { AppError, type SharedFile, type SharedGeneration } from "@sorami/contracts";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { db } from "@/server/db";
import { getSharedView } from "@/server/library/shared";

// The token is a secret: never indexed, never sent on as a Referer (next.config sets the same headers).
export const metadata: Metadata = {
  title: "Shared with you",
  robots: { index: false, follow: false },
  referrer: "no-referrer",
};

function Media({ kind, file, label }: { kind: SharedGeneration["kind"]; file: SharedFile; label: string }) {
  return kind === "video" ? (
    // biome-ignore lint/a11y/useMediaCaption: generated videos have no speech to caption
    <video
      controls
      preload="metadata"
      poster={file.poster_url ?? undefined}
      src={file.url}
      aria-label={label}
      className="absolute inset-0 size-full bg-black object-contain"
    />
  ) : (
    // biome-ignore lint/performance/noImgElement: served through the share token, not the image optimizer
    <img
      src={file.url}
      alt={label}
      width={file.width}
      height={file.height}
      loading="lazy"
      className="absolute inset-0 size-full object-contain"
    />
  );
}

function Generation({ generation }: { generation: SharedGeneration }) {
  return (
    <article data-testid="shared-generation" className="space-y-3 rounded-lg border border-gray-200 bg-white p-4">
      <ul className={`grid grid-cols-1 gap-4 ${generation.files.length > 1 ? "sm:grid-cols-2" : ""}`}>
        {generation.files.map((file, i) => (
          <li key={file.id} className="space-y-2" data-testid="shared-file">
            <div
              className="relative mx-auto overflow-hidden rounded-md border border-gray-200 bg-gray-100"
              style={{ aspectRatio: `${file.width || 1} / ${file.height || 1}` }}
            >
              <Media kind={generation.kind} file={file} label={`${generation.prompt} (${i + 1})`} />
            </div>
            <a href={file.download_url} className="text-xs font-medium text-indigo-700 hover:underline">
              Download
            </a>
          </li>
        ))}
      </ul>
      <p className="text-sm break-words text-gray-900" data-testid="shared-prompt">
        {generation.prompt}
      </p>
      <p className="text-xs text-gray-600">Model: {generation.model ?? "not reported"}</p>
    </article>
  );
}

/**
 * A share link's public page: the media, prompt and model of one generation
 * or of a collection's, and nothing else (no account, no other job, no
 * navigation into the app). Rendered on the server; a revoked, expired or
 * unknown link is the not-found page.
 */
export default async function SharedPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const view = await getSharedView(db(), token).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "not_found") {
      notFound();
    }
    throw error;
  });
  return (
    <main id="main" className="mx-auto max-w-5xl space-y-6 px-4 py-8">
      <header className="space-y-1">
        <p className="text-sm font-semibold text-indigo-700">Sorami</p>
        <h1 className="text-2xl font-semibold tracking-tight break-words">
          {view.kind === "collection" ? (view.title ?? "A collection") : "A generation"} shared with you
        </h1>
      </header>
      {view.generations.length === 0 ? (
        <p className="text-sm text-gray-600">Nothing to show here yet.</p>
      ) : (
        view.generations.map((g, i) => <Generation key={g.files[0]?.id ?? i} generation={g} />)
      )}
    </main>
  );
}
