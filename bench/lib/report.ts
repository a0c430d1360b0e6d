import { round } from "./stats";

/**
 * One number the bench reports: its value, the ceiling it is compared with
 * (measured in the same run), their ratio, and the target if any.
 */
export type Figure = {
  section: string;
  name: string;
  value: number | null;
  unit: string;
  baseline: { name: string; value: number } | null;
  /** value / baseline: for a rate, the share of the ceiling reached; for a time, how many times the floor. */
  ratio: number | null;
  target: { text: string; met: boolean | null } | null;
  note?: string;
};

export type Target = { text: string; check: (value: number, ratio: number | null) => boolean };

export function figure(f: {
  section: string;
  name: string;
  value: number | null;
  unit: string;
  baseline?: { name: string; value: number } | null;
  target?: Target;
  note?: string;
}): Figure {
  const baseline = f.baseline ?? null;
  const ratio =
    f.value !== null && baseline && baseline.value > 0 && Number.isFinite(f.value)
      ? round(f.value / baseline.value, 3)
      : null;
  return {
    section: f.section,
    name: f.name,
    value: f.value === null ? null : round(f.value, 2),
    unit: f.unit,
    baseline: baseline ? { name: baseline.name, value: round(baseline.value, 2) } : null,
    ratio,
    target: f.target ? { text: f.target.text, met: f.value === null ? null : f.target.check(f.value, ratio) } : null,
    ...(f.note ? { note: f.note } : {}),
  };
}

const fmt = (v: number | null | undefined, unit = "") => (v === null || v === undefined ? "—" : `${v}${unit}`);

/** The table printed at the end (Markdown, so it can be pasted into the README as is). */
export function table(figures: Figure[]): string {
  const rows = figures.map((f) => [
    f.section,
    f.name,
    `${fmt(f.value)} ${f.unit}`.trim(),
    f.baseline ? `${f.baseline.name}: ${f.baseline.value}` : "—",
    f.ratio === null ? "—" : `${f.ratio}×`,
    f.target ? `${f.target.text} ${f.target.met === null ? "?" : f.target.met ? "✅" : "❌"}` : "",
  ]);
  const header = ["section", "figure", "value", "baseline (same run)", "ratio", "target"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
