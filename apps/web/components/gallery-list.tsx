"use client";

import {
  GALLERY_STATUS_FILTER_VALUES,
  type GalleryStatusFilter,
  type GenerationOf,
  JOB_KINDS,
  type JobKind,
  KIND_INFO,
} from "@sorami/contracts";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, isAbortError, listGenerations } from "@/lib/api-client";
import { galleryPath } from "@/lib/gallery-query";
import { Alert, inputClass, primaryButtonClass, Spinner, secondaryButtonClass } from "./form-controls";
import { GalleryItem } from "./gallery-item";
import { optionLabel } from "./labels";
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
 * The models of this kind the user can filter by: the active ones, and the
 * one filtered by now even if no longer active. Choosing one follows its
 * link, so the filter is in the URL like the others.
 */
function ModelFilter({ kind, status, model }: { kind: JobKind; status: GalleryStatusFilter; model: string | null }) {
  const router = useRouter();
  const { models } = useModels(kind);
  const options = [...(models ?? [])];
  if (model && !options.some((m) => m.id === model)) {
    options.push({ id: model, label: model } as (typeof options)[number]);
  }
  return (
    <label className="flex items-center gap-2 text-sm text-gray-700">
      Model
      <select
        data-testid="gallery-model"
        value={model ?? ""}
        onChange={(e) => router.push(galleryPath(kind, status, e.target.value || null))}
        className={`${inputClass} w-auto py-1`}
      >
        <option value="">All models</option>
        {options.map((m) => (
          <option key={m.id} value={m.id}>
            {m.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * Images | Videos, All | Completed | In progress | Failed and the model:
 * links, so the choice is in the URL and survives reloads, the back button
 * and sharing. Changing the kind drops the model (models have one kind).
 */
function Filters({ kind, status, model }: { kind: JobKind; status: GalleryStatusFilter; model: string | null }) {
  const kinds = JOB_KINDS.map((k) => ({
    href: galleryPath(k, status),
    label: optionLabel(KIND_INFO[k].plural),
    current: k === kind,
    testId: `gallery-kind-${k}`,
  }));
  const statuses = GALLERY_STATUS_FILTER_VALUES.map((s) => ({
    href: galleryPath(kind, s, model),
    label: STATUS_FILTER_LABEL[s],
    current: s === status,
    testId: `gallery-status-${s}`,
  }));
  return (
    <div className="mt-4 flex flex-wrap items-center gap-3">
      <NavLinks label="Kind of generation" look="segmented" links={kinds} />
      <NavLinks label="Status" look="segmented" links={statuses} />
      <ModelFilter kind={kind} status={status} model={model} />
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

function emptyText(plural: string, status: GalleryStatusFilter): string {
  if (status === "all") {
    return `You have not generated any ${plural} yet.`;
  }
  const which = { completed: "completed", in_progress: "in progress", failed: "failed or canceled" }[status];
  return `No ${which} ${plural}.`;
}

/**
 * One kind's generations, newest first, filtered by status: the next keyset
 * page loads as the end of the grid scrolls near (and from the "Load more"
 * button, for keyboards and when scrolling is not an option). Keyed by kind
 * and status where used, so a change of filter starts afresh.
 */
export function GalleryList<K extends JobKind>({
  kind,
  status,
  model,
}: {
  kind: K;
  status: GalleryStatusFilter;
  model: string | null;
}) {
  const { generatePath } = MEDIA_KINDS[kind];
  const { noun, plural } = KIND_INFO[kind];
  const [items, setItems] = useState<GenerationOf<K>[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const controllerRef = useRef<AbortController | null>(null);
  const { models } = useModels();

  const load = useCallback(
    async (from: string | null) => {
      controllerRef.current?.abort();
      const controller = new AbortController();
      controllerRef.current = controller;
      setLoading(true);
      setError(null);
      try {
        const page = await listGenerations(kind, { cursor: from, limit: PAGE_SIZE, status, model }, controller.signal);
        setItems((prev) => {
          const base = from ? (prev ?? []) : [];
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
    [kind, status, model],
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
      <Filters kind={kind} status={status} model={model} />
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
          <p className="text-sm text-gray-600">
            {model ? `No ${plural} of this model${status === "all" ? "" : " here"}.` : emptyText(plural, status)}
          </p>
          {status === "all" && !model ? (
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
