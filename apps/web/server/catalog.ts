import { AppError, type ModelList, type ModelView } from "@sorami/contracts";
import { type GeneratorClient, generator } from "./generator-client";

/**
 * The active catalog, as the generator resolved it at its start (it holds
 * the providers' keys and reads MODELS_FILE; the web app holds neither).
 * Each web process keeps the last list it got: it validates submissions and
 * draws the forms from it without a round trip, refreshes it in the
 * background once it is CATALOG_REFRESH_MS old, and asks again at once when
 * it has none. A generator that is briefly down changes nothing for a
 * process that already has the list; one that has none answers 503 to what
 * needs the catalog (submit, the model list) and serves everything else.
 */

/**
 * How old the kept list may be before it is refreshed (in the background:
 * the caller gets the kept one). The catalog changes only when a generator
 * restarts with other keys or another MODELS_FILE; a minute later every web
 * process shows it. A dispatch the generator refuses for its model also
 * refreshes it at once (see `staleCatalog`).
 */
export const CATALOG_REFRESH_MS = 60_000;

export type CatalogCache = {
  /** The active models; throws AppError `unavailable` (503) when none is known and the generator cannot say. */
  models(): Promise<readonly ModelView[]>;
  /** The kept list, if any (health reads it without waiting). */
  known(): readonly ModelView[] | null;
  /** Forgets the list's age, so the next read refreshes it. */
  stale(): void;
};

export function createCatalogCache(
  client: () => Pick<GeneratorClient, "models">,
  refreshMs = CATALOG_REFRESH_MS,
): CatalogCache {
  let kept: { list: ModelList; at: number } | null = null;
  let inFlight: Promise<ModelList> | null = null;

  const fetchList = () => {
    inFlight ??= client()
      .models()
      .then((list) => {
        kept = { list, at: Date.now() };
        return list;
      })
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };

  return {
    async models() {
      if (kept) {
        if (Date.now() - kept.at >= refreshMs) {
          // The kept list serves meanwhile; a failed refresh is tried again at the next read.
          fetchList().catch(() => {});
        }
        return kept.list.models;
      }
      try {
        return (await fetchList()).models;
      } catch {
        throw new AppError(
          "unavailable",
          "The list of models is not available: the generator cannot be reached. Try again in a moment.",
          { headers: { "Retry-After": "5" } },
        );
      }
    },
    known: () => kept?.list.models ?? null,
    stale() {
      if (kept) {
        kept = { ...kept, at: 0 };
      }
    },
  };
}

const g = globalThis as unknown as { __soramiCatalog?: CatalogCache };

/** This process's catalog, fetched through the one generator client. */
export function catalog(): CatalogCache {
  g.__soramiCatalog ??= createCatalogCache(generator);
  return g.__soramiCatalog;
}
