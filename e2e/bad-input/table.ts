import { CATEGORIES, type Category } from "./cases";

/** What one endpoint got: cases sent per category, and how the answers fell. */
export type Tally = { endpoint: string; counts: Record<Category, number>; c4xx: number; c5xx: number; other: number };

/** Prints endpoints × cases: the number of cases per category, then the 4xx / 5xx / other answers. */
export function printTable(tallies: Tally[]): string {
  const used = CATEGORIES.filter((c) => tallies.some((t) => t.counts[c] > 0));
  const header = ["endpoint", ...used, "cases", "4xx", "5xx", "2xx/3xx"];
  const rows = tallies.map((t) => {
    const total = used.reduce((n, c) => n + t.counts[c], 0);
    return [
      t.endpoint,
      ...used.map((c) => (t.counts[c] ? String(t.counts[c]) : "")),
      String(total),
      String(t.c4xx),
      String(t.c5xx),
      String(t.other),
    ];
  });
  const sum = (pick: (t: Tally) => number) => String(tallies.reduce((n, t) => n + pick(t), 0));
  rows.push([
    "total",
    ...used.map((c) => sum((t) => t.counts[c])),
    sum((t) => used.reduce((n, c) => n + t.counts[c], 0)),
    sum((t) => t.c4xx),
    sum((t) => t.c5xx),
    sum((t) => t.other),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  const out = [
    line(header),
    `|${widths.map((w, i) => (i === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`,
    ...rows.map(line),
  ].join("\n");
  console.log(`\nBad-input corpus: endpoints × cases (cells: cases sent; last columns: answers)\n${out}\n`);
  return out;
}
