"use client";

import { COLLECTION_NAME_MAX_LENGTH, type Collection } from "@sorami/contracts";
import Link from "next/link";
import { type FormEvent, useEffect, useId, useState } from "react";
import { ApiError, createCollection, listCollections } from "@/lib/api-client";
import { Alert, inputClass, primaryButtonClass } from "./form-controls";

export function countsLabel(c: Pick<Collection, "generation_count" | "file_count">): string {
  const part = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return `${part(c.generation_count, "generation", "generations")} · ${part(c.file_count, "single file", "single files")}`;
}

/** The user's collections with their counts, and a form to make one. */
export function CollectionsView() {
  const id = useId();
  const [collections, setCollections] = useState<Collection[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    listCollections()
      .then((list) => setCollections(list.collections))
      .catch((e) => setError(e instanceof ApiError ? e.message : "Could not load your collections."));
  }, []);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const name = String(new FormData(form).get("name") ?? "");
    setError(null);
    try {
      const made = await createCollection(name);
      setCollections((prev) => [made, ...(prev ?? [])]);
      form.reset();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not make the collection.");
    }
  }

  return (
    <div className="mt-6 space-y-6">
      <form onSubmit={create} className="flex flex-wrap items-end gap-3">
        <div className="min-w-60">
          <label htmlFor={`${id}-name`} className="block text-xs font-medium text-gray-700">
            New collection
          </label>
          <input
            id={`${id}-name`}
            name="name"
            required
            maxLength={COLLECTION_NAME_MAX_LENGTH}
            className={inputClass}
            data-testid="collection-name"
          />
        </div>
        <button type="submit" className={primaryButtonClass} data-testid="collection-create">
          Create
        </button>
      </form>
      {error ? <Alert>{error}</Alert> : null}
      {collections === null ? null : collections.length === 0 ? (
        <p className="text-sm text-gray-600">No collections yet.</p>
      ) : (
        <ul className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3">
          {collections.map((c) => (
            <li key={c.id} className="rounded-lg border border-gray-200 bg-white p-4" data-testid="collection-card">
              <Link href={`/collections/${c.id}`} className="font-medium break-words text-indigo-700 hover:underline">
                {c.name}
              </Link>
              <p className="mt-1 text-xs text-gray-600">{countsLabel(c)}</p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
