"use client";

import type { Share } from "@sorami/contracts";
import { useCallback, useEffect, useId, useState } from "react";
import { ApiError, createShare, listShares, revokeShare, type ShareTarget } from "@/lib/api-client";
import { Alert, inputClass, secondaryButtonClass } from "./form-controls";
import { LocalTime } from "./local-time";

/** The lives a link may have (SHARE_EXPIRY_MIN_SECONDS to SHARE_EXPIRY_MAX_SECONDS, or never). */
const EXPIRY_CHOICES: { label: string; seconds: number | null }[] = [
  { label: "1 hour", seconds: 3600 },
  { label: "1 day", seconds: 86_400 },
  { label: "7 days", seconds: 7 * 86_400 },
  { label: "30 days", seconds: 30 * 86_400 },
  { label: "Never", seconds: null },
];

/**
 * Share links to one generation or collection: make one (its address is
 * shown once: only its hash is kept), see the live ones and revoke them.
 */
export function SharePanel({ target, what }: { target: ShareTarget; what: string }) {
  const id = useId();
  const [shares, setShares] = useState<Share[]>([]);
  const [expiry, setExpiry] = useState("1");
  const [made, setMade] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const key = JSON.stringify(target);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the target object
  const reload = useCallback(async () => {
    try {
      setShares((await listShares(target)).shares);
    } catch {}
  }, [key]);
  useEffect(() => {
    void reload();
  }, [reload]);

  async function make() {
    setBusy(true);
    setError(null);
    try {
      const created = await createShare(target, EXPIRY_CHOICES[Number(expiry)]?.seconds ?? 3600);
      setMade(`${window.location.origin}${created.path}`);
      await reload();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not make a link.");
    }
    setBusy(false);
  }

  async function revoke(shareId: string) {
    try {
      await revokeShare(shareId);
      setMade(null);
      await reload();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not revoke the link.");
    }
  }

  return (
    <section aria-labelledby={`${id}-h`} className="space-y-3 rounded-lg border border-gray-200 bg-white p-4">
      <h2 id={`${id}-h`} className="text-sm font-semibold text-gray-900">
        Share {what}
      </h2>
      <p className="text-xs text-gray-600">
        Anyone with the link sees the media, prompt and model, and nothing else. Revoke it any time.
      </p>
      <div className="flex flex-wrap items-end gap-3">
        <div>
          <label htmlFor={`${id}-expiry`} className="block text-xs font-medium text-gray-700">
            Link expires after
          </label>
          <select
            id={`${id}-expiry`}
            value={expiry}
            onChange={(e) => setExpiry(e.target.value)}
            className={inputClass}
            data-testid="share-expiry"
          >
            {EXPIRY_CHOICES.map((c, i) => (
              <option key={c.label} value={String(i)}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        <button
          type="button"
          onClick={() => void make()}
          disabled={busy}
          className={secondaryButtonClass}
          data-testid="share-create"
        >
          Make a link
        </button>
      </div>
      {made ? (
        <div className="space-y-1">
          <label htmlFor={`${id}-link`} className="block text-xs font-medium text-gray-700">
            Copy it now: it is not shown again
          </label>
          <input
            id={`${id}-link`}
            readOnly
            value={made}
            onFocus={(e) => e.currentTarget.select()}
            className={inputClass}
            data-testid="share-link"
          />
        </div>
      ) : null}
      {error ? <Alert>{error}</Alert> : null}
      {shares.length > 0 ? (
        <ul className="space-y-1 text-sm" data-testid="share-list">
          {shares.map((s) => (
            <li key={s.id} className="flex flex-wrap items-center gap-2">
              <span className="text-gray-700">
                Link made <LocalTime iso={s.created_at} />,{" "}
                {s.expires_at ? (
                  <>
                    expires <LocalTime iso={s.expires_at} />
                  </>
                ) : (
                  "never expires"
                )}
              </span>
              <button
                type="button"
                onClick={() => void revoke(s.id)}
                className="text-sm font-medium text-red-700 hover:underline"
                data-testid="share-revoke"
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
