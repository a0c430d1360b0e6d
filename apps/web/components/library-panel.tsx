"use client";

import { type Collection, type GenerationDetail, KIND_INFO } from "@sorami/contracts";
import Link from "next/link";
import { useEffect, useId, useState } from "react";
import { ApiError, listCollections, setInCollection } from "@/lib/api-client";
import { Alert, inputClass, secondaryButtonClass } from "./form-controls";
import { SharePanel } from "./share-panel";
import { StarButton } from "./star-button";

/**
 * What the library keeps of one generation: stars (on it, or one file),
 * a place in collections, a ZIP of its files, and share links.
 */
export function LibraryPanel({ detail }: { detail: GenerationDetail }) {
  const id = useId();
  const files = "images" in detail ? detail.images : detail.videos;
  const { noun, plural } = KIND_INFO[detail.kind];
  const [collections, setCollections] = useState<Collection[] | null>(null);
  const [collection, setCollection] = useState("");
  const [item, setItem] = useState("generation");
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    listCollections()
      .then((list) => {
        setCollections(list.collections);
        setCollection(list.collections[0]?.id ?? "");
      })
      .catch(() => setCollections([]));
  }, []);

  async function add() {
    setError(null);
    setStatus(null);
    try {
      const whole = item === "generation";
      const updated = await setInCollection(
        collection,
        whole ? "generations" : "files",
        whole ? detail.job_id : item,
        true,
      );
      setStatus(`Added to “${updated.name}”.`);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not add it.");
    }
  }

  return (
    <div className="grid gap-4 md:grid-cols-2">
      <section aria-labelledby={`${id}-keep`} className="space-y-3 rounded-lg border border-gray-200 bg-white p-4">
        <h2 id={`${id}-keep`} className="text-sm font-semibold text-gray-900">
          Keep
        </h2>
        <div className="flex flex-wrap items-center gap-2 text-sm text-gray-700">
          <StarButton what="generations" id={detail.job_id} favorite={detail.favorite} label="this generation" />
          This generation
          {files.map((f, i) => (
            <span key={f.id} className="inline-flex items-center">
              <StarButton
                what="files"
                id={f.id}
                favorite={detail.favorite_file_ids.includes(f.id)}
                label={`${noun} ${i + 1}`}
              />
              {noun} {i + 1}
            </span>
          ))}
        </div>
        {files.length > 0 ? (
          <a
            href={`/api/${plural}/${encodeURIComponent(detail.job_id)}/download`}
            className="inline-block text-sm font-medium text-indigo-700 hover:underline"
            data-testid="download-zip"
          >
            Download all {files.length} as a ZIP
          </a>
        ) : null}
        {collections === null ? null : collections.length === 0 ? (
          <p className="text-sm text-gray-600">
            <Link href="/collections" className="font-medium text-indigo-700 hover:underline">
              Make a collection
            </Link>{" "}
            to keep this with others.
          </p>
        ) : (
          <div className="flex flex-wrap items-end gap-2">
            <div>
              <label htmlFor={`${id}-item`} className="block text-xs font-medium text-gray-700">
                Add
              </label>
              <select id={`${id}-item`} value={item} onChange={(e) => setItem(e.target.value)} className={inputClass}>
                <option value="generation">The whole generation</option>
                {files.map((f, i) => (
                  <option key={f.id} value={f.id}>
                    Only {noun} {i + 1}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label htmlFor={`${id}-collection`} className="block text-xs font-medium text-gray-700">
                to the collection
              </label>
              <select
                id={`${id}-collection`}
                value={collection}
                onChange={(e) => setCollection(e.target.value)}
                className={inputClass}
                data-testid="collection-select"
              >
                {collections.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </div>
            <button
              type="button"
              onClick={() => void add()}
              className={secondaryButtonClass}
              data-testid="collection-add"
            >
              Add
            </button>
          </div>
        )}
        {status ? (
          <p role="status" className="text-sm text-green-800">
            {status}
          </p>
        ) : null}
        {error ? <Alert>{error}</Alert> : null}
      </section>
      <SharePanel target={{ generation_id: detail.job_id }} what="this generation" />
    </div>
  );
}
