import type { ReactNode } from "react";

/** Small pieces the console's pages share. */

export function Card({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section className="rounded-lg border border-gray-200 bg-white p-4" data-testid={testId}>
      <h2 className="text-sm font-semibold text-gray-900">{title}</h2>
      <div className="mt-3 text-sm text-gray-700">{children}</div>
    </section>
  );
}

export function Problem({ text }: { text: string | null }) {
  return text ? (
    <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
      {text}
    </p>
  ) : null;
}

export function Done({ text }: { text: string | null }) {
  return text ? (
    <p role="status" className="rounded-md bg-green-50 px-3 py-2 text-sm text-green-800">
      {text}
    </p>
  ) : null;
}

export function LiveDot({ live }: { live: boolean }) {
  return (
    <span className="inline-flex items-center gap-1.5 text-xs text-gray-600" data-testid="admin-live">
      <span aria-hidden="true" className={`size-2 rounded-full ${live ? "bg-green-500" : "bg-gray-400"}`} />
      {live ? "Live" : "Refreshing every 10 s"}
    </span>
  );
}

/** A table whose rows scroll sideways on narrow screens. */
export function Table({ head, children, label }: { head: string[]; children: ReactNode; label: string }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-gray-200 bg-white">
      <table className="min-w-full divide-y divide-gray-200 text-sm" aria-label={label}>
        <thead className="bg-gray-50">
          <tr>
            {head.map((h) => (
              <th key={h} scope="col" className="px-3 py-2 text-left text-xs font-semibold text-gray-700">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-gray-100">{children}</tbody>
      </table>
    </div>
  );
}

export const cell = "px-3 py-2 align-top";

export const smallButton =
  "rounded-md border border-gray-300 bg-white px-2 py-1 text-xs font-medium text-gray-800 hover:bg-gray-50 " +
  "disabled:cursor-not-allowed disabled:opacity-60";

export const dangerButton =
  "rounded-md border border-red-300 bg-white px-2 py-1 text-xs font-medium text-red-700 hover:bg-red-50 " +
  "disabled:cursor-not-allowed disabled:opacity-60";

/** "12.3 MB" */
export function bytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** A time as the admin's locale writes it, with seconds (the order of events matters here). */
export function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "short", timeStyle: "medium" }) : "—";
}

/** How long ago, roughly. */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) {
    return "—";
  }
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 90) {
    return `${seconds} s ago`;
  }
  const minutes = Math.round(seconds / 60);
  return minutes < 90 ? `${minutes} min ago` : `${Math.round(minutes / 60)} h ago`;
}
