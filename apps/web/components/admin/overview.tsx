"use client";

import { JOB_STATUSES } from "@sorami/contracts";
import Link from "next/link";
import { admin } from "@/lib/admin-client";
import { STATUS_LABEL } from "../labels";
import { ago, bytes, Card, LiveDot, Problem } from "./ui";
import { useAdminData } from "./use-admin-data";

/** The overview: read again on every job and moderation event (batched), so it moves as jobs do. */
export function AdminOverview() {
  const { data, error, live } = useAdminData(admin.overview);
  return (
    <div className="space-y-4" data-testid="admin-overview">
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold tracking-tight">Overview</h1>
        <LiveDot live={live} />
      </div>
      <Problem text={error} />
      {data ? (
        <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
          <Card title="Jobs by status" testId="overview-jobs">
            <table className="w-full text-sm">
              <thead>
                <tr className="text-left text-xs text-gray-500">
                  <th scope="col">Status</th>
                  <th scope="col">Last hour</th>
                  <th scope="col">Last day</th>
                </tr>
              </thead>
              <tbody>
                {JOB_STATUSES.map((s) => (
                  <tr key={s} data-testid={`overview-status-${s}`}>
                    <td>{STATUS_LABEL[s]}</td>
                    <td className="tabular-nums">{data.jobs.last_hour[s] ?? 0}</td>
                    <td className="tabular-nums">{data.jobs.last_day[s] ?? 0}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
          <Card title="Failures in the last day" testId="overview-failures">
            {data.failures_by_model.length === 0 ? (
              <p>No job ended in the last day.</p>
            ) : (
              <ul className="space-y-1">
                {data.failures_by_model.map((m) => (
                  <li key={m.model ?? "unknown"}>
                    <span className="font-medium">{m.model ?? "unknown model"}</span>: {m.failed} of {m.ended} failed (
                    {(m.rate * 100).toFixed(1)} %)
                  </li>
                ))}
              </ul>
            )}
            {data.failures_by_kind.length > 0 ? (
              <ul className="mt-2 space-y-1 border-t border-gray-100 pt-2">
                {data.failures_by_kind.map((k) => (
                  <li key={k.error_kind ?? "unknown"}>
                    <Link
                      className="text-indigo-700 hover:underline"
                      href={`/admin/jobs?status=FAILED`}
                      data-testid={`overview-kind-${k.error_kind ?? "unknown"}`}
                    >
                      {k.error_kind ?? "unknown"}
                    </Link>
                    : {k.failed}
                  </li>
                ))}
              </ul>
            ) : null}
          </Card>
          <Card title="Webhook deliveries" testId="overview-deliveries">
            {data.deliveries ? (
              <ul className="space-y-1">
                <li>Pending: {data.deliveries.pending}</li>
                <li>Failing (retrying): {data.deliveries.failing}</li>
                <li data-testid="overview-dead">
                  Dead:{" "}
                  <Link className="text-indigo-700 hover:underline" href="/admin/deliveries?problem=dead">
                    {data.deliveries.dead}
                  </Link>
                </li>
                <li>Disabled (410): {data.deliveries.disabled}</li>
              </ul>
            ) : (
              <p>Unknown: {data.generator_error}</p>
            )}
          </Card>
          {data.queues.map((q) => (
            <Card key={q.service} title={`${q.service === "web" ? "Web" : "Generator"} queue and processes`}>
              {q.tasks === null ? (
                <p>Unknown: {data.generator_error}</p>
              ) : (
                <>
                  <p data-testid={`overview-processes-${q.service}`}>
                    {q.processes?.length ?? 0} live process(es)
                    {q.processes?.length ? ` (pid ${q.processes.map((p) => p.pid).join(", ")})` : ""}
                  </p>
                  <ul className="mt-2 space-y-1">
                    {q.tasks.length === 0 ? <li>No queued work.</li> : null}
                    {q.tasks.map((t) => (
                      <li key={t.task}>
                        <span className="font-mono text-xs">{t.task}</span>: {t.waiting} waiting, {t.running} running,{" "}
                        {t.scheduled} scheduled, {t.failed} failed
                        {t.oldest_waiting_since ? ` · oldest waiting since ${ago(t.oldest_waiting_since)}` : ""}
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </Card>
          ))}
          <Card title="Storage and people">
            <ul className="space-y-1">
              <li data-testid="overview-storage">
                {data.storage.files} files, {bytes(data.storage.bytes)}
              </li>
              <li>
                {data.users.total} users, {data.users.admins} admins, {data.users.disabled} disabled
              </li>
              <li>
                Screening {data.moderation.screening ? "on" : "off"}:{" "}
                <Link className="text-indigo-700 hover:underline" href="/admin/moderation">
                  {data.moderation.held} held
                </Link>
                , {data.moderation.pending} being checked
              </li>
            </ul>
          </Card>
        </div>
      ) : error ? null : (
        <p className="text-sm text-gray-600">Loading…</p>
      )}
    </div>
  );
}
