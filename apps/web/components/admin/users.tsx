"use client";

import type { AdminUser } from "@sorami/contracts";
import Link from "next/link";
import { type FormEvent, useCallback, useState } from "react";
import { admin } from "@/lib/admin-client";
import { inputClass, secondaryButtonClass } from "../form-controls";
import { cell, Done, dangerButton, Problem, smallButton, Table, when } from "./ui";
import { useAdminAction, useAdminData } from "./use-admin-data";

function UserActions({
  user,
  me,
  run,
  busy,
}: {
  user: AdminUser;
  me: string;
  run: ReturnType<typeof useAdminAction>["run"];
  busy: boolean;
}) {
  const self = user.id === me;
  return (
    <div className="flex flex-wrap gap-1">
      {user.disabled_at ? (
        <button
          type="button"
          className={smallButton}
          disabled={busy}
          onClick={() => void run("enable", () => admin.enable(user.id), `${user.email} can sign in again.`)}
        >
          Enable
        </button>
      ) : self ? null : (
        <button
          type="button"
          data-testid="user-disable"
          className={dangerButton}
          disabled={busy}
          onClick={() => {
            if (window.confirm(`Disable ${user.email}? Their sessions end and their running jobs are canceled.`)) {
              void run("disable", () => admin.disable(user.id), `${user.email} is disabled.`);
            }
          }}
        >
          Disable
        </button>
      )}
      <button
        type="button"
        data-testid="user-role"
        className={smallButton}
        disabled={busy}
        onClick={() =>
          void run(
            "role",
            () => admin.setRole(user.id, user.role === "admin" ? "user" : "admin"),
            user.role === "admin" ? `${user.email} is no longer an admin.` : `${user.email} is an admin.`,
          )
        }
      >
        {user.role === "admin" ? "Remove admin" : "Make admin"}
      </button>
    </div>
  );
}

/** Users, newest first, searched by email or name: disable or enable them, make or remove admins. */
export function AdminUsers({ me }: { me: string }) {
  const [q, setQ] = useState("");
  const load = useCallback(() => admin.users({ q: q || undefined }), [q]);
  const { data, error, reload } = useAdminData(load, () => false);
  const action = useAdminAction(reload);
  const search = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setQ(String(new FormData(e.currentTarget).get("q") ?? "").trim());
  };
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold tracking-tight">Users</h1>
      <form onSubmit={search} className="flex max-w-md gap-2">
        <label htmlFor="user-search" className="sr-only">
          Search by email or name
        </label>
        <input id="user-search" name="q" placeholder="Email or name" className={inputClass} data-testid="user-search" />
        <button type="submit" className={secondaryButtonClass}>
          Search
        </button>
      </form>
      <Problem text={error ?? action.error} />
      <Done text={action.done} />
      <Table label="Users" head={["User", "Role", "Jobs", "Sessions", "Since", ""]}>
        {(data?.users ?? []).map((u) => (
          <tr key={u.id} data-testid="admin-user-row" data-email={u.email} data-disabled={u.disabled_at ? "yes" : "no"}>
            <td className={cell}>
              <span className="font-medium">{u.name}</span>
              <div className="text-xs text-gray-500">{u.email}</div>
              {u.disabled_at ? <div className="text-xs text-red-700">disabled {when(u.disabled_at)}</div> : null}
            </td>
            <td className={cell} data-testid="user-role-cell">
              {u.role}
            </td>
            <td className={cell}>
              <Link className="text-indigo-700 hover:underline" href={`/admin/jobs?user=${encodeURIComponent(u.id)}`}>
                {u.jobs}
              </Link>{" "}
              ({u.active_jobs} running)
            </td>
            <td className={cell}>{u.sessions}</td>
            <td className={`${cell} whitespace-nowrap`}>{when(u.created_at)}</td>
            <td className={cell}>
              <UserActions user={u} me={me} run={action.run} busy={action.busy !== null} />
            </td>
          </tr>
        ))}
      </Table>
    </div>
  );
}
