"use client";

import { type GalleryStatusFilter, type JobKind, SEARCH_QUERY_MAX_LENGTH } from "@sorami/contracts";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useId } from "react";
import { type GallerySearch, galleryPath, isSearching } from "@/lib/gallery-query";
import { inputClass, primaryButtonClass } from "./form-controls";
import { useModels } from "./use-models";

/**
 * Search and filters of the gallery: words from prompts and negative
 * prompts, a model, favourites only, a range of days. Submitting puts them
 * in the URL (the gallery's state lives there).
 */
export function GallerySearchForm(props: { kind: JobKind; status: GalleryStatusFilter; search: GallerySearch }) {
  const router = useRouter();
  const id = useId();
  const { search } = props;
  // The active models of this kind, and the one filtered by now even if no longer active.
  const { models } = useModels(props.kind);
  const options = (models ?? []).map((m) => ({ id: m.id, label: m.label }));
  if (search.model && !options.some((m) => m.id === search.model)) {
    options.push({ id: search.model, label: search.model });
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? "").trim() || undefined;
    router.push(
      galleryPath(props.kind, props.status, {
        q: value("q"),
        model: value("model"),
        favorite: form.get("favorite") === "on" || undefined,
        from: value("from"),
        to: value("to"),
      }),
    );
  }

  const label = "block text-xs font-medium text-gray-700";
  return (
    <search>
      <form onSubmit={submit} className="mt-4 flex flex-wrap items-end gap-3" data-testid="gallery-search">
        <div className="min-w-48 flex-1">
          <label htmlFor={`${id}-q`} className={label}>
            Search prompts
          </label>
          <input
            id={`${id}-q`}
            name="q"
            type="search"
            defaultValue={search.q}
            maxLength={SEARCH_QUERY_MAX_LENGTH}
            placeholder="Words or parts of words, any language"
            className={inputClass}
            data-testid="gallery-search-q"
          />
        </div>
        <div className="w-56">
          <label htmlFor={`${id}-model`} className={label}>
            Model
          </label>
          <select
            id={`${id}-model`}
            name="model"
            data-testid="gallery-model"
            value={search.model ?? ""}
            onChange={(e) =>
              router.push(galleryPath(props.kind, props.status, { ...search, model: e.target.value || undefined }))
            }
            className={inputClass}
          >
            <option value="">All models</option>
            {options.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-from`} className={label}>
            From
          </label>
          <input id={`${id}-from`} name="from" type="date" defaultValue={search.from} className={inputClass} />
        </div>
        <div>
          <label htmlFor={`${id}-to`} className={label}>
            To
          </label>
          <input id={`${id}-to`} name="to" type="date" defaultValue={search.to} className={inputClass} />
        </div>
        <label className="flex items-center gap-2 pb-2 text-sm text-gray-700">
          <input
            name="favorite"
            type="checkbox"
            defaultChecked={search.favorite}
            data-testid="gallery-search-favorite"
          />
          Favourites only
        </label>
        <button type="submit" className={primaryButtonClass} data-testid="gallery-search-submit">
          Search
        </button>
        {isSearching(search) ? (
          <Link href={galleryPath(props.kind, props.status)} className="pb-2 text-sm font-medium text-indigo-700">
            Clear
          </Link>
        ) : null}
      </form>
    </search>
  );
}
