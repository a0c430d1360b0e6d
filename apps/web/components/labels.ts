import type { JobStatus } from "@sorami/contracts";

export const STATUS_LABEL: Record<JobStatus, string> = {
  PENDING: "Pending",
  INITIALIZING: "Initializing",
  GENERATING: "Generating",
  SAVING: "Saving",
  COMPLETED: "Completed",
  FAILED: "Failed",
  CANCELED: "Canceled",
};

/** The forward path shown as steps; a job that fails or is canceled leaves it. */
export const STAGES: readonly JobStatus[] = ["PENDING", "INITIALIZING", "GENERATING", "SAVING", "COMPLETED"];

/** "3d-render" → "3D render", "oil-painting" → "Oil painting". */
export function optionLabel(value: string): string {
  const words = value.replace(/-/g, " ").toLowerCase();
  return words.replace(/\b3d\b/, "3D").replace(/^\w/, (c) => c.toUpperCase());
}

export function sizeLabel(size: string): string {
  const [w = 0, h = 0] = size.split("x").map(Number);
  const shape = w === h ? "square" : w > h ? "landscape" : "portrait";
  return `${w} × ${h} (${shape})`;
}

/** Elapsed time as m:ss, or h:mm:ss past an hour. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(date);
}
