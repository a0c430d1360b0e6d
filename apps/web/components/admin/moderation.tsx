"use client";

import { ADMIN_MODERATION_FILTERS } from "@sorami/contracts";
import Link from "next/link";
import { useCallback } from "react";
import { admin } from "@/lib/admin-client";
import { NavLinks } from "../nav-links";
import { Done, dangerButton, LiveDot, Problem, smallButton, when } from "./ui";
import { useAdminAction, useAdminData } from "./use-admin-data";

const TITLES = { held: "Held for review", pending: "Being checked", decided: "Decided" } as const;

/**
 * The review queue: each held file shown whole to the admin (its original,
 * through the admin-only route), its score and its owner; approve releases
 * it, remove deletes its bytes. Every decision is recorded.
 */
export function AdminModeration({ state }: { state: (typeof ADMIN_MODERATION_FILTERS)[number] }) {
  const load = useCallback(() => admin.moderation({ state }), [state]);
  const { data, error, reload, live } = useAdminData(load, (e) => e.type === "moderation");
  const action = useAdminAction(reload);
  const tabs = ADMIN_MODERATION_FILTERS.map((s) => ({
    href: s === "held" ? "/admin/moderation" : `/admin/moderation?state=${s}`,
    label: TITLES[s],
    current: s === state,
  }));
  return (
    <div className="space-y-4">
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold tracking-tight">Moderation</h1>
        <LiveDot live={live} />
      </div>
      <NavLinks label="Which files" look="segmented" links={tabs} />
      <Problem text={error ?? action.error} />
      <Done text={action.done} />
      <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {(data?.files ?? []).map((f) => (
          <li
            key={f.file_id}
            data-testid="moderation-item"
            data-file={f.file_id}
            data-state={f.state}
            className="overflow-hidden rounded-lg border border-gray-200 bg-white"
          >
            <div className="relative aspect-square bg-gray-100">
              {f.review_url ? (
                // biome-ignore lint/performance/noImgElement: served by an admin-only API route, not the image optimizer
                <img src={f.review_url} alt="" className="absolute inset-0 size-full object-contain" />
              ) : (
                <p className="absolute inset-0 flex items-center justify-center text-sm text-gray-500">Removed</p>
              )}
            </div>
            <div className="space-y-2 p-3 text-sm">
              <p>
                <span className="font-medium" data-testid="moderation-score">
                  score {f.nsfw_score === null ? "unknown" : f.nsfw_score.toFixed(3)}
                </span>{" "}
                · {f.kind} {f.index + 1} ·{" "}
                <Link className="text-indigo-700 hover:underline" href={`/admin/jobs/${f.job_id}`}>
                  job
                </Link>
              </p>
              <p className="text-xs text-gray-600">
                {f.owner.email} · {when(f.created_at)}
              </p>
              {f.decision ? (
                <p className="text-xs" data-testid="moderation-decision">
                  {f.decision.decision === "approve" ? "Approved" : "Removed"} by{" "}
                  {f.decision.by?.email ?? "a former admin"} {when(f.decision.at)}
                </p>
              ) : null}
              {f.state === "held" ? (
                <div className="flex gap-2">
                  <button
                    type="button"
                    data-testid="moderation-approve"
                    className={smallButton}
                    disabled={action.busy !== null}
                    onClick={() => void action.run("approve", () => admin.decide(f.file_id, "approve"), "Released.")}
                  >
                    Approve
                  </button>
                  <button
                    type="button"
                    data-testid="moderation-remove"
                    className={dangerButton}
                    disabled={action.busy !== null}
                    onClick={() => void action.run("remove", () => admin.decide(f.file_id, "remove"), "Removed.")}
                  >
                    Remove
                  </button>
                </div>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
      {data && data.files.length === 0 ? (
        <p className="text-sm text-gray-600" data-testid="moderation-empty">
          Nothing here.
        </p>
      ) : null}
    </div>
  );
}
