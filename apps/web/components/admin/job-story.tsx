"use client";

import { type AdminDelivery, isTerminal } from "@sorami/contracts";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback } from "react";
import { admin } from "@/lib/admin-client";
import { StatusBadge } from "../gallery-item";
import { bytes, Card, cell, Done, dangerButton, LiveDot, Problem, smallButton, Table, when } from "./ui";
import { useAdminAction, useAdminData } from "./use-admin-data";

export function DeliveryAttempts({ delivery }: { delivery: AdminDelivery }) {
  return delivery.attempt_list.length === 0 ? (
    <span className="text-gray-500">not tried yet</span>
  ) : (
    <ol className="space-y-0.5 text-xs">
      {delivery.attempt_list.map((a) => (
        <li key={`${a.at}-${a.status_code}-${a.duration_ms}`}>
          {when(a.at)} · {a.status_code ?? "no answer"} · {a.duration_ms} ms
          {a.error ? <span className="text-red-700"> · {a.error}</span> : null}
        </li>
      ))}
    </ol>
  );
}

/** One job's whole story, read again when the job moves (its admin events). */
export function AdminJobStory({ jobId }: { jobId: string }) {
  const router = useRouter();
  const load = useCallback(() => admin.story(jobId), [jobId]);
  const { data, error, reload, live } = useAdminData(load, (e) => e.job_id === jobId);
  const action = useAdminAction(reload);
  if (!data) {
    return error ? <Problem text={error} /> : <p className="text-sm text-gray-600">Loading…</p>;
  }
  const { job } = data;
  const redeliverable = data.deliveries.filter((d) => d.failing || d.state === "dead" || d.state === "disabled");
  return (
    <div className="space-y-4" data-testid="admin-job-story" data-status={job.status}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <h1 className="text-2xl font-semibold tracking-tight break-words">{job.prompt}</h1>
          <p className="mt-1 flex flex-wrap items-center gap-2 text-sm text-gray-600">
            <StatusBadge status={job.status} />
            <span className="font-mono text-xs">{job.job_id}</span>
            <span>
              {job.kind} · {job.user.email} · {job.model ?? "model unknown"} · {job.provider ?? "provider unknown"}
            </span>
            {job.deleted_at ? <span className="text-red-700">deleted {when(job.deleted_at)}</span> : null}
          </p>
        </div>
        <LiveDot live={live} />
      </div>
      {job.error ? (
        <p className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="story-error">
          {job.error_kind ? <span className="font-mono">[{job.error_kind}] </span> : null}
          {job.error}
        </p>
      ) : null}
      {data.retry_of ? (
        <p className="text-sm">
          Retry of{" "}
          <Link className="text-indigo-700 hover:underline" href={`/admin/jobs/${data.retry_of}`}>
            {data.retry_of}
          </Link>
        </p>
      ) : null}
      {job.deleted_at ? null : (
        <div className="flex flex-wrap gap-2">
          {isTerminal(job.status) ? null : (
            <button
              type="button"
              className={smallButton}
              disabled={action.busy !== null}
              onClick={() => void action.run("cancel", () => admin.cancel(jobId), "Canceled.")}
            >
              Cancel job
            </button>
          )}
          {job.status === "FAILED" ? (
            <button
              type="button"
              data-testid="story-retry"
              className={smallButton}
              disabled={action.busy !== null}
              onClick={() =>
                void action.run(
                  "retry",
                  async () => {
                    const retry = await admin.retry(jobId);
                    router.push(`/admin/jobs/${retry.job_id}`);
                  },
                  "Retried as a new job.",
                )
              }
            >
              Retry (as a new job)
            </button>
          ) : null}
          {redeliverable.length > 0 ? (
            <button
              type="button"
              className={smallButton}
              disabled={action.busy !== null}
              onClick={() =>
                void action.run("redeliver", () => admin.redeliverJob(jobId), "Its deliveries are queued again.")
              }
            >
              Redeliver all ({redeliverable.length})
            </button>
          ) : null}
          <button
            type="button"
            className={dangerButton}
            disabled={action.busy !== null}
            onClick={() => {
              if (window.confirm("Delete this job and its files for its owner too?")) {
                void action.run("delete", () => admin.remove(jobId), "Deleted.");
              }
            }}
          >
            Delete job
          </button>
        </div>
      )}
      <Problem text={action.error} />
      <Done text={action.done} />
      {data.generator_error ? <Problem text={`Generator: ${data.generator_error}`} /> : null}

      <Card title="What happened" testId="story-events">
        <ol className="space-y-1">
          {data.events.map((e) => (
            <li
              key={`${e.at}-${e.source}-${e.what}-${e.status}-${e.detail}`}
              data-testid="story-event"
              data-what={e.what}
              data-status={e.status ?? ""}
            >
              <span className="tabular-nums text-gray-500">{when(e.at)}</span> · {e.source} · {e.what}
              {e.status ? ` ${e.status}` : ""}
              {e.detail ? <span className="text-gray-500"> — {e.detail}</span> : null}
            </li>
          ))}
        </ol>
        {data.generator ? (
          <p className="mt-2 text-xs text-gray-600">
            Generator: {data.generator.status}, {data.generator.runs} run(s)
            {data.generator.error_kind ? `, failed: ${data.generator.error_kind}` : ""}
          </p>
        ) : null}
      </Card>

      <Card title="Provider calls" testId="story-calls">
        {data.provider_calls.length === 0 ? (
          <p>None recorded.</p>
        ) : (
          <ol className="space-y-1">
            {data.provider_calls.map((c) => (
              <li key={`${c.started_at}-${c.attempt}`} data-testid="story-call">
                run {c.attempt} · {c.provider} {c.model ?? ""} · {when(c.started_at)} · {c.duration_ms ?? "?"} ms ·{" "}
                {c.outcome}
                {c.request_id ? <span className="font-mono text-xs"> · request {c.request_id}</span> : null}
                {c.error ? (
                  <span className="text-red-700">
                    {" "}
                    · [{c.error_kind}] {c.error}
                  </span>
                ) : null}
              </li>
            ))}
          </ol>
        )}
      </Card>

      <Table label="Webhook deliveries" head={["Event", "State", "Attempts", ""]}>
        {data.deliveries.map((d) => (
          <tr key={d.delivery_id} data-testid="story-delivery" data-state={d.state} data-delivery={d.delivery_id}>
            <td className={cell}>
              {d.event}
              <div className="font-mono text-xs text-gray-500">{d.delivery_id}</div>
            </td>
            <td className={cell}>
              {d.failing ? "failing" : d.state}
              {d.last_status_code ? ` (${d.last_status_code})` : ""}
            </td>
            <td className={cell}>
              <DeliveryAttempts delivery={d} />
            </td>
            <td className={cell}>
              {d.state === "dead" || d.state === "disabled" || d.failing ? (
                <button
                  type="button"
                  className={smallButton}
                  disabled={action.busy !== null}
                  onClick={() =>
                    void action.run("redeliver-one", () => admin.redeliver(d.delivery_id), "Queued again.")
                  }
                >
                  Redeliver
                </button>
              ) : null}
            </td>
          </tr>
        ))}
      </Table>

      {data.files.length > 0 ? (
        <Card title="Files">
          <ul className="space-y-1">
            {data.files.map((f) => (
              <li key={f.file_id}>
                {f.index + 1}. <span className="font-mono text-xs">{f.storage_key}</span> · {f.format} ·{" "}
                {bytes(f.size_bytes)} · {f.moderation_state}
                {f.nsfw_score === null ? "" : ` (score ${f.nsfw_score.toFixed(3)})`}
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
      {data.retries.length > 0 ? (
        <Card title="Retries">
          <ul>
            {data.retries.map((r) => (
              <li key={r.job_id}>
                <Link className="text-indigo-700 hover:underline" href={`/admin/jobs/${r.job_id}`}>
                  {r.job_id}
                </Link>{" "}
                · {when(r.at)}
                {r.by ? ` · by ${r.by}` : ""}
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
    </div>
  );
}
