"use client";

import {
  GALLERY_STATUS_FILTER_VALUES,
  type GalleryStatusFilter,
  type GenerationOf,
  JOB_KINDS,
  type JobKind,
  KIND_INFO,
  statusesOf,
} from "@sorami/contracts";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, getGeneration, isAbortError, listGenerations } from "@/lib/api-client";
import { dayRange, type GallerySearch, galleryPath, isSearching } from "@/lib/gallery-query";
import { Alert, primaryButtonClass, Spinner, secondaryButtonClass } from "./form-controls";
import { GalleryItem } from "./gallery-item";
import { GallerySearchForm } from "./gallery-search";
import { optionLabel } from "./labels";
import { type LiveEvent, useLiveEvents } from "./live-events";
import { MEDIA_KINDS } from "./media-kinds";
import { NavLinks } from "./nav-links";
import { useModels } from "./use-models";

const PAGE_SIZE = 12;
/** Start loading the next page this far before its sentinel scrolls into view. */
const PREFETCH_MARGIN = "600px";

const STATUS_FILTER_LABEL: Record<GalleryStatusFilter, string> = {
  all: "All",
  completed: "Completed",
  in_progress: "In progress",
  failed: "Failed",
};

const gridClass = "grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3";

/** Cards of the same shape as real ones, so the grid does not move when they arrive. */
function Skeleton() {
  return (
    <ul aria-hidden="true" className={gridClass}>
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

/**
 * Images | Videos and All | Completed | In progress | Failed: links, so the
 * choice is in the URL and survives reloads, the back button and sharing.
 */
function Filters({ kind, status, search }: { kind: JobKind; status: GalleryStatusFilter; search: GallerySearch }) {
  const kinds = JOB_KINDS.map((k) => ({
    href: galleryPath(k, status, search),
    label: optionLabel(KIND_INFO[k].plural),
    current: k === kind,
    testId: `gallery-kind-${k}`,
  }));
  const statuses = GALLERY_STATUS_FILTER_VALUES.map((s) => ({
    href: galleryPath(kind, s, search),
    label: STATUS_FILTER_LABEL[s],
    current: s === status,
    testId: `gallery-status-${s}`,
  }));
  return (
    <div className="mt-4 flex flex-wrap items-center gap-3">
      <NavLinks label="Kind of generation" look="segmented" links={kinds} />
      <NavLinks label="Status" look="segmented" links={statuses} />
    </div>
  );
}

/**
 * Calls `onVisible` whenever the returned element's box comes near the
 * viewport. Re-observing when `key` changes makes the browser report the
 * current state again, so a page too short to scroll keeps loading.
 */
function useSentinel(onVisible: () => void, enabled: boolean, key: unknown) {
  const ref = useRef<HTMLDivElement | null>(null);
  const callback = useRef(onVisible);
  useEffect(() => {
    callback.current = onVisible;
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` is a deliberate trigger to observe afresh
  useEffect(() => {
    const element = ref.current;
    if (!enabled || !element || typeof IntersectionObserver === "undefined") {
      return;
    }
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          callback.current();
        }
      },
      { rootMargin: PREFETCH_MARGIN },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [enabled, key]);
  return ref;
}

function emptyText(plural: string, status: GalleryStatusFilter, search: GallerySearch): string {
  if (isSearching(search)) {
    return `No ${plural} match this search.`;
  }
  if (status === "all") {
    return `You have not generated any ${plural} yet.`;
  }
  const which = { completed: "completed", in_progress: "in progress", failed: "failed or canceled" }[status];
  return `No ${which} ${plural}.`;
}

/**
 * Keeps a page of cards in step with the user's live events, in this tab
 * and every other: a card's status and progress move as its job runs, a job
 * that ends COMPLETED gets its files, a new job of this kind appears at the
 * top (unless a search narrows the gallery: it may not match), and a deleted
 * job's card leaves.
 */
function useLiveGallery<K extends JobKind>(
  kind: K,
  status: GalleryStatusFilter,
  search: GallerySearch,
  itemsRef: { current: GenerationOf<K>[] | null },
  setItems: (update: (prev: GenerationOf<K>[] | null) => GenerationOf<K>[] | null) => void,
) {
  const { subscribe } = useLiveEvents();
  const addsNew = !isSearching(search);
  useEffect(() => {
    const statuses = statusesOf(status);
    const fetching = new Set<string>();
    const refresh = (jobId: string) => {
      if (fetching.has(jobId)) {
        return;
      }
      fetching.add(jobId);
      getGeneration(kind, jobId)
        .then((detail) => {
          const fresh = detail as unknown as GenerationOf<K>;
          setItems((prev) => {
            if (!prev) {
              return prev;
            }
            const at = prev.findIndex((g) => g.job_id === jobId);
            if (at >= 0) {
              return prev.map((g) => (g.job_id === jobId ? fresh : g));
            }
            // Newest first, in the gallery's order (created_at, then id): a job newer than every card
            // goes on top; one older than the last card shown belongs to a page not loaded yet
            // (paging finds it there), so it is not put on top out of order.
            const newer = (a: GenerationOf<K>, b: GenerationOf<K>) =>
              a.created_at === b.created_at ? a.job_id > b.job_id : a.created_at > b.created_at;
            const last = prev.at(-1);
            if (last && !newer(fresh, last)) {
              return prev;
            }
            const before = prev.findIndex((g) => newer(fresh, g));
            return before < 0 ? [...prev, fresh] : [...prev.slice(0, before), fresh, ...prev.slice(before)];
          });
        })
        .catch(() => {})
        .finally(() => fetching.delete(jobId));
    };
    const onJob = (job: { job_id: string; kind: JobKind; status: GenerationOf<K>["status"]; progress: number }) => {
      const shown = itemsRef.current;
      if (job.kind !== kind || !shown) {
        return;
      }
      const known = shown.find((g) => g.job_id === job.job_id);
      if (!known) {
        if (addsNew && (!statuses || statuses.includes(job.status))) {
          refresh(job.job_id);
        }
        return;
      }
      if (job.status === "COMPLETED" && known.status !== "COMPLETED") {
        refresh(job.job_id);
      }
      setItems(
        (prev) =>
          prev?.map((g) => (g.job_id === job.job_id ? { ...g, status: job.status, progress: job.progress } : g)) ??
          prev,
      );
    };
    return subscribe((event: LiveEvent) => {
      if (event.type === "job") {
        onJob(event.data);
      } else if (event.type === "snapshot") {
        for (const job of event.data.jobs) {
          onJob(job);
        }
      } else if (event.type === "job_deleted") {
        setItems((prev) => prev?.filter((g) => g.job_id !== event.data.job_id) ?? prev);
      }
    });
  }, [kind, status, addsNew, subscribe, itemsRef, setItems]);
}

/**
 * One kind's generations, newest first, filtered by status and searched:
 * the next keyset page loads as the end of the grid scrolls near (and from
 * the "Load more" button, for keyboards and when scrolling is not an
 * option), and the cards follow the live events. Keyed by kind, status and
 * search where used, so a change of filter starts afresh.
 */
export function GalleryList<K extends JobKind>({
  kind,
  status,
  search = {},
}: {
  kind: K;
  status: GalleryStatusFilter;
  search?: GallerySearch;
}) {
  const { generatePath } = MEDIA_KINDS[kind];
  const { noun, plural } = KIND_INFO[kind];
  const [items, setItems] = useState<GenerationOf<K>[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const controllerRef = useRef<AbortController | null>(null);
  const { q, model, favorite, from, to } = search;
  const { models } = useModels();
  const itemsRef = useRef(items);
  itemsRef.current = items;
  useLiveGallery(kind, status, search, itemsRef, setItems);

  const load = useCallback(
    async (after: string | null) => {
      controllerRef.current?.abort();
      const controller = new AbortController();
      controllerRef.current = controller;
      setLoading(true);
      setError(null);
      try {
        const filters = { status, q, model, favorite, ...dayRange({ from, to }) };
        const page = await listGenerations(kind, { cursor: after, limit: PAGE_SIZE, ...filters }, controller.signal);
        setItems((prev) => {
          const base = after ? (prev ?? []) : [];
          const seen = new Set(base.map((g) => g.job_id));
          return [...base, ...page.generations.filter((g) => !seen.has(g.job_id))];
        });
        setCursor(page.next_cursor);
      } catch (e) {
        if (isAbortError(e)) {
          return;
        }
        setError(e instanceof ApiError ? e.message : "Could not load your gallery.");
      }
      if (!controller.signal.aborted) {
        setLoading(false);
      }
    },
    [kind, status, q, model, favorite, from, to],
  );

  useEffect(() => {
    void load(null);
    return () => controllerRef.current?.abort();
  }, [load]);

  const loadMore = useCallback(() => {
    if (cursor && !loading) {
      void load(cursor);
    }
  }, [cursor, loading, load]);
  // No automatic retry after an error: the button (and the message) are there for that.
  const sentinel = useSentinel(loadMore, Boolean(cursor) && !loading && !error, cursor);

  return (
    <>
      <Filters kind={kind} status={status} search={search} />
      <GallerySearchForm kind={kind} status={status} search={search} />
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
          <p className="text-sm text-gray-600">{emptyText(plural, status, search)}</p>
          {status === "all" && !isSearching(search) ? (
            <Link href={generatePath} className={`${primaryButtonClass} mt-4`}>
              Generate your first {noun}
            </Link>
          ) : null}
        </div>
      ) : (
        <div className="mt-6 space-y-6">
          <p className="text-sm text-gray-600" role="status">
            Showing {items.length} {items.length === 1 ? "generation" : "generations"}, newest first.
          </p>
          <ul className={gridClass}>
            {items.map((g) => (
              <li key={g.job_id} data-testid="gallery-item" data-job-id={g.job_id}>
                <GalleryItem kind={kind} generation={g} models={models} />
              </li>
            ))}
          </ul>
          {error ? <Alert>{error}</Alert> : null}
          <div ref={sentinel} data-testid="gallery-sentinel" className="flex min-h-10 justify-center">
            {cursor ? (
              <button
                type="button"
                onClick={loadMore}
                // aria-disabled, not disabled: a disabled button would drop the keyboard focus while it loads.
                aria-disabled={loading}
                aria-busy={loading}
                data-testid="gallery-load-more"
                className={`${secondaryButtonClass} aria-disabled:opacity-60`}
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
