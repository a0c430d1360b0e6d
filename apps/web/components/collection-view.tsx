"use client";

import { COLLECTION_NAME_MAX_LENGTH, type Collection, type GenerationOf, type JobKind } from "@sorami/contracts";
import { useRouter } from "next/navigation";
import { type FormEvent, useCallback, useEffect, useId, useState } from "react";
import { ApiError, deleteCollection, listLibrary, renameCollection, setInCollection } from "@/lib/api-client";
import { countsLabel } from "./collections-view";
import { Alert, inputClass, secondaryButtonClass } from "./form-controls";
import { GalleryItem } from "./gallery-item";
import { SharePanel } from "./share-panel";
import { useModels } from "./use-models";

/** Generations per page of a collection. */
const PAGE_SIZE = 24;

function Card({ generation }: { generation: GenerationOf<JobKind> }) {
  const { models } = useModels();
  return generation.kind === "image" ? (
    <GalleryItem kind="image" generation={generation as GenerationOf<"image">} models={models} />
  ) : (
    <GalleryItem kind="video" generation={generation as GenerationOf<"video">} models={models} />
  );
}

/**
 * One collection: rename, delete, download as a ZIP, share, and its
 * generations (whole, or through a single file) newest first, each removable.
 */
export function CollectionView({ collection: initial }: { collection: Collection }) {
  const id = useId();
  const router = useRouter();
  const [collection, setCollection] = useState(initial);
  const [items, setItems] = useState<GenerationOf<JobKind>[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    async (after: string | null) => {
      try {
        const page = await listLibrary({ collection: initial.id, cursor: after, limit: PAGE_SIZE });
        setItems((prev) => [...(after ? prev : []), ...page.generations]);
        setCursor(page.next_cursor);
      } catch (e) {
        setError(e instanceof ApiError ? e.message : "Could not load this collection.");
      }
    },
    [initial.id],
  );
  useEffect(() => {
    void load(null);
  }, [load]);

  async function rename(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    try {
      setCollection(await renameCollection(collection.id, String(new FormData(event.currentTarget).get("name") ?? "")));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not rename it.");
    }
  }

  async function remove() {
    if (!window.confirm(`Delete the collection “${collection.name}”? What it holds stays in your gallery.`)) {
      return;
    }
    try {
      await deleteCollection(collection.id);
      router.push("/collections");
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not delete it.");
    }
  }

  async function takeOut(g: GenerationOf<JobKind>) {
    try {
      setCollection(await setInCollection(collection.id, "generations", g.job_id, false));
      const files = "images" in g ? g.images : g.videos;
      for (const f of files) {
        setCollection(await setInCollection(collection.id, "files", f.id, false));
      }
      setItems((prev) => prev.filter((x) => x.job_id !== g.job_id));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not take it out.");
    }
  }

  const total = collection.generation_count + collection.file_count;
  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <h1 className="text-2xl font-semibold tracking-tight break-words" data-testid="collection-title">
          {collection.name}
        </h1>
        <p className="text-sm text-gray-600" data-testid="collection-counts">
          {countsLabel(collection)}
        </p>
      </div>
      <div className="flex flex-wrap items-end gap-3">
        <form onSubmit={rename} className="flex flex-wrap items-end gap-2">
          <div>
            <label htmlFor={`${id}-name`} className="block text-xs font-medium text-gray-700">
              Name
            </label>
            <input
              id={`${id}-name`}
              name="name"
              defaultValue={collection.name}
              required
              maxLength={COLLECTION_NAME_MAX_LENGTH}
              className={inputClass}
            />
          </div>
          <button type="submit" className={secondaryButtonClass}>
            Rename
          </button>
        </form>
        {total > 0 ? (
          <a href={`/api/collections/${collection.id}/download`} className={secondaryButtonClass}>
            Download as a ZIP
          </a>
        ) : null}
        <button type="button" onClick={() => void remove()} className={`${secondaryButtonClass} text-red-800`}>
          Delete collection
        </button>
      </div>
      {error ? <Alert>{error}</Alert> : null}
      <SharePanel target={{ collection_id: collection.id }} what="this collection" />
      {items.length === 0 ? (
        <p className="text-sm text-gray-600">Nothing here yet: add generations or files from their pages.</p>
      ) : (
        <ul className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {items.map((g) => (
            <li key={g.job_id} className="space-y-1" data-testid="gallery-item" data-job-id={g.job_id}>
              <Card generation={g} />
              <button
                type="button"
                onClick={() => void takeOut(g)}
                className="text-xs font-medium text-red-700 hover:underline"
              >
                Take out of this collection
              </button>
            </li>
          ))}
        </ul>
      )}
      {cursor ? (
        <button type="button" onClick={() => void load(cursor)} className={secondaryButtonClass}>
          Load more
        </button>
      ) : null}
    </div>
  );
}
