"use client";

import { JOB_KINDS, type JobKind } from "@sorami/contracts";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, type GenerationOf, isAbortError, listGenerations } from "@/lib/api-client";
import { Alert, primaryButtonClass, Spinner, secondaryButtonClass } from "./form-controls";
import { GalleryItem } from "./gallery-item";
import { optionLabel } from "./labels";
import { galleryPath, MEDIA_KINDS } from "./media-kinds";
import { NavLinks } from "./nav-links";

const PAGE_SIZE = 12;

function Skeleton() {
  return (
    <ul aria-hidden="true" className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3">
      {[0, 1, 2].map((i) => (
        <li key={i} className="overflow-hidden rounded-lg border border-gray-200 bg-white">
          <div className="aspect-square motion-safe:animate-pulse bg-gray-200" />
          <div className="space-y-2 p-4">
            <div className="h-4 w-3/4 motion-safe:animate-pulse rounded bg-gray-200" />
            <div className="h-3 w-1/2 motion-safe:animate-pulse rounded bg-gray-200" />
          </div>
        </li>
      ))}
    </ul>
  );
}

/** Images | Videos: links, so the choice is in the URL (?kind=video) and survives reloads and sharing. */
function KindFilter({ current }: { current: JobKind }) {
  const links = JOB_KINDS.map((kind) => ({
    href: galleryPath(kind),
    label: optionLabel(MEDIA_KINDS[kind].plural),
    current: kind === current,
    testId: `gallery-kind-${kind}`,
  }));
  return <NavLinks label="Kind of generation" look="segmented" links={links} className="mt-4" />;
}

/** One kind's generations, newest first, a page at a time. Keyed by kind where used, so a switch starts afresh. */
export function GalleryList<K extends JobKind>({ kind }: { kind: K }) {
  const { noun, plural, generatePath } = MEDIA_KINDS[kind];
  const [items, setItems] = useState<GenerationOf<K>[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const controllerRef = useRef<AbortController | null>(null);

  const load = useCallback(
    async (from: string | null) => {
      controllerRef.current?.abort();
      const controller = new AbortController();
      controllerRef.current = controller;
      setLoading(true);
      setError(null);
      try {
        const page = await listGenerations(kind, { cursor: from, limit: PAGE_SIZE }, controller.signal);
        setItems((prev) => {
          const base = from ? (prev ?? []) : [];
          const seen = new Set(base.map((g) => g.job_id));
          return [...base, ...page.generations.filter((g) => !seen.has(g.job_id))];
        });
        setCursor(page.next_cursor);
      } catch (e) {
        if (isAbortError(e)) return;
        setError(e instanceof ApiError ? e.message : "Could not load your gallery.");
      }
      if (!controller.signal.aborted) setLoading(false);
    },
    [kind],
  );

  useEffect(() => {
    void load(null);
    return () => controllerRef.current?.abort();
  }, [load]);

  return (
    <>
      <KindFilter current={kind} />
      {items === null ? (
        <div className="mt-6 space-y-4" aria-busy={loading}>
          {error ? (
            <Alert>
              {error}{" "}
              <button type="button" onClick={() => void load(null)} className="font-medium underline">
                Try again
              </button>
            </Alert>
          ) : (
            <>
              <p className="sr-only" role="status">
                Loading your {plural}…
              </p>
              <Skeleton />
            </>
          )}
        </div>
      ) : items.length === 0 ? (
        <div className="mt-6 rounded-lg border-2 border-dashed border-gray-200 p-10 text-center">
          <p className="text-sm text-gray-600">You have not generated any {plural} yet.</p>
          <Link href={generatePath} className={`${primaryButtonClass} mt-4`}>
            Generate your first {noun}
          </Link>
        </div>
      ) : (
        <div className="mt-6 space-y-6">
          <p className="text-sm text-gray-600" role="status">
            Showing {items.length} {items.length === 1 ? "generation" : "generations"}, newest first.
          </p>
          <ul className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3">
            {items.map((g) => (
              <li key={g.job_id} data-testid="gallery-item">
                <GalleryItem kind={kind} generation={g} />
              </li>
            ))}
          </ul>
          {error ? <Alert>{error}</Alert> : null}
          <div className="flex justify-center">
            {cursor ? (
              <button
                type="button"
                onClick={() => void load(cursor)}
                disabled={loading}
                aria-busy={loading}
                className={secondaryButtonClass}
              >
                {loading ? <Spinner /> : null}
                {loading ? "Loading…" : "Load more"}
              </button>
            ) : (
              <p className="text-sm text-gray-500">That is everything.</p>
            )}
          </div>
        </div>
      )}
    </>
  );
}
