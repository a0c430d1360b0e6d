"use client";

import { ADMIN_DELIVERY_FILTERS } from "@sorami/contracts";
import Link from "next/link";
import { useCallback } from "react";
import { admin } from "@/lib/admin-client";
import { NavLinks } from "../nav-links";
import { DeliveryAttempts } from "./job-story";
import { cell, Done, LiveDot, Problem, smallButton, Table, when } from "./ui";
import { useAdminAction, useAdminData } from "./use-admin-data";

/** Failing, dead and disabled webhook deliveries, each with its attempts; redeliver one, or all of its job's. */
export function AdminDeliveries({ problem }: { problem: string | null }) {
  const load = useCallback(() => admin.deliveries({ problem: problem ?? undefined }), [problem]);
  const { data, error, reload, live } = useAdminData(load);
  const action = useAdminAction(reload);
  const tabs = [null, ...ADMIN_DELIVERY_FILTERS].map((p) => ({
    href: p ? `/admin/deliveries?problem=${p}` : "/admin/deliveries",
    label: p ?? "all",
    current: p === problem,
  }));
  return (
    <div className="space-y-4">
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold tracking-tight">Webhook deliveries</h1>
        <LiveDot live={live} />
      </div>
      <NavLinks label="Which deliveries" look="segmented" links={tabs} />
      <Problem text={error ?? action.error} />
      <Done text={action.done} />
      <Table label="Deliveries" head={["Job", "Event", "State", "Attempts", ""]}>
        {(data?.deliveries ?? []).map((d) => (
          <tr key={d.delivery_id} data-testid="admin-delivery-row" data-delivery={d.delivery_id} data-state={d.state}>
            <td className={cell}>
              <Link href={`/admin/jobs/${d.job_id}`} className="font-mono text-xs text-indigo-700 hover:underline">
                {d.job_id.slice(0, 8)}
              </Link>
              <div className="text-xs text-gray-500">{d.user?.email ?? "unknown user"}</div>
            </td>
            <td className={cell}>
              {d.event}
              <div className="text-xs text-gray-500">{when(d.created_at)}</div>
            </td>
            <td className={cell}>{d.failing ? "failing" : d.state}</td>
            <td className={cell}>
              <DeliveryAttempts delivery={d} />
            </td>
            <td className={`${cell} space-y-1`}>
              <button
                type="button"
                data-testid="delivery-redeliver"
                className={smallButton}
                disabled={action.busy !== null}
                onClick={() => void action.run("one", () => admin.redeliver(d.delivery_id), "Queued again.")}
              >
                Redeliver
              </button>
              <button
                type="button"
                className={smallButton}
                disabled={action.busy !== null}
                onClick={() =>
                  void action.run("job", () => admin.redeliverJob(d.job_id), "The job's deliveries are queued again.")
                }
              >
                All of this job's
              </button>
            </td>
          </tr>
        ))}
      </Table>
      {data && data.deliveries.length === 0 ? (
        <p className="text-sm text-gray-600" data-testid="deliveries-empty">
          No delivery in trouble.
        </p>
      ) : null}
    </div>
  );
}
