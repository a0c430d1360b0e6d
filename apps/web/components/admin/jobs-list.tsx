"use client";

import { type AdminJob, JOB_KINDS, JOB_STATUSES } from "@sorami/contracts";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useCallback, useState } from "react";
import { admin } from "@/lib/admin-client";
import { ApiError } from "@/lib/api-client";
import { inputClass, secondaryButtonClass } from "../form-controls";
import { StatusBadge } from "../gallery-item";
import { truncate } from "../labels";
import { JOB_FILTERS, type JobFilters } from "./job-filters";
import { cell, LiveDot, Problem, Table, when } from "./ui";
import { useAdminData } from "./use-admin-data";

const TEXT_FILTERS = [
  { name: "model", label: "Model" },
  { name: "provider", label: "Provider" },
  { name: "user", label: "User (id or email)" },
  { name: "workspace", label: "Workspace (id or slug)" },
] as const;

/** datetime-local (the admin's clock) ↔ the API's ISO 8601 with offset. */
const toIso = (local: string) => (local ? new Date(local).toISOString() : "");
const toLocal = (iso: string | undefined) => {
  if (!iso) {
    return "";
  }
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? ""
    : new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

function Filters({ filters }: { filters: JobFilters }) {
  const router = useRouter();
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const params = new URLSearchParams();
    for (const name of JOB_FILTERS) {
      const raw = String(form.get(name) ?? "").trim();
      const value = name === "from" || name === "to" ? toIso(raw) : raw;
      if (value) {
        params.set(name, value);
      }
    }
    router.push(`/admin/jobs${params.size ? `?${params}` : ""}`);
  };
  return (
    <form onSubmit={submit} className="grid gap-3 rounded-lg border border-gray-200 bg-white p-4 sm:grid-cols-4">
      <label className="text-xs font-medium text-gray-700">
        Status
        <select name="status" defaultValue={filters.status ?? ""} className={inputClass} data-testid="filter-status">
          <option value="">Any</option>
          {JOB_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label className="text-xs font-medium text-gray-700">
        Kind
        <select name="kind" defaultValue={filters.kind ?? ""} className={inputClass}>
          <option value="">Any</option>
          {JOB_KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </label>
      {TEXT_FILTERS.map((f) => (
        <label key={f.name} className="text-xs font-medium text-gray-700">
          {f.label}
          <input name={f.name} defaultValue={filters[f.name] ?? ""} className={inputClass} />
        </label>
      ))}
      <label className="text-xs font-medium text-gray-700">
        Created from
        <input type="datetime-local" name="from" defaultValue={toLocal(filters.from)} className={inputClass} />
      </label>
      <label className="text-xs font-medium text-gray-700">
        Created until
        <input type="datetime-local" name="to" defaultValue={toLocal(filters.to)} className={inputClass} />
      </label>
      <div className="flex items-end gap-2 sm:col-span-2">
        <button type="submit" className={secondaryButtonClass} data-testid="filter-apply">
          Apply filters
        </button>
        <Link href="/admin/jobs" className="text-sm text-indigo-700 hover:underline">
          Clear
        </Link>
      </div>
    </form>
  );
}

/** Everyone's jobs, newest first, filtered by the URL; new jobs appear as they move. */
export function AdminJobsList({ filters }: { filters: JobFilters }) {
  const load = useCallback(() => admin.jobs(filters), [filters]);
  const { data, error, live } = useAdminData(load);
  const [more, setMore] = useState<{ jobs: AdminJob[]; cursor: string | null } | null>(null);
  const [moreError, setMoreError] = useState<string | null>(null);
  const jobs = [...(data?.jobs ?? []), ...(more?.jobs ?? [])];
  const cursor = more ? more.cursor : (data?.next_cursor ?? null);
  const loadMore = async () => {
    if (!cursor) {
      return;
    }
    try {
      const page = await admin.jobs({ ...filters, cursor });
      setMore((m) => ({ jobs: [...(m?.jobs ?? []), ...page.jobs], cursor: page.next_cursor }));
    } catch (e) {
      setMoreError(e instanceof ApiError ? e.message : "Could not load more jobs.");
    }
  };
  return (
    <div className="space-y-4">
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold tracking-tight">Jobs</h1>
        <LiveDot live={live} />
      </div>
      <Filters filters={filters} />
      <Problem text={error ?? moreError} />
      <Table label="Jobs" head={["Job", "Status", "User", "Model / provider", "Created", "Error"]}>
        {jobs.map((j) => (
          <tr key={j.job_id} data-testid="admin-job-row" data-job={j.job_id} data-status={j.status}>
            <td className={cell}>
              <Link href={`/admin/jobs/${j.job_id}`} className="font-medium text-indigo-700 hover:underline">
                {truncate(j.prompt, 60)}
              </Link>
              <div className="font-mono text-xs text-gray-500">
                {j.kind} · {j.job_id.slice(0, 8)}
                {j.deleted_at ? " · deleted" : ""}
              </div>
            </td>
            <td className={cell}>
              <StatusBadge status={j.status} />
            </td>
            <td className={cell}>{j.user.email}</td>
            <td className={cell}>
              {j.model ?? "—"}
              <div className="text-xs text-gray-500">{j.provider ?? "—"}</div>
            </td>
            <td className={`${cell} whitespace-nowrap`}>{when(j.created_at)}</td>
            <td className={`${cell} max-w-xs break-words text-red-700`}>
              {j.error ? `${j.error_kind ? `[${j.error_kind}] ` : ""}${truncate(j.error, 120)}` : ""}
            </td>
          </tr>
        ))}
      </Table>
      {data && jobs.length === 0 ? <p className="text-sm text-gray-600">No job matches.</p> : null}
      {cursor ? (
        <button type="button" onClick={() => void loadMore()} className={secondaryButtonClass}>
          Load more
        </button>
      ) : null}
    </div>
  );
}
