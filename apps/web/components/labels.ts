import {
  type CatalogProvider,
  type FallbackReason,
  type JobStatus,
  type ModelView,
  type PERSON_GENERATION_MODES,
  type Price,
  truncateText,
} from "@sorami/contracts";

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

function shape(w: number, h: number): string {
  return w === h ? "square" : w > h ? "landscape" : "portrait";
}

/** "1024x768" → "1024 × 768 (landscape)". */
export function sizeLabel(size: string): string {
  const [w = 0, h = 0] = size.split("x").map(Number);
  return `${w} × ${h} (${shape(w, h)})`;
}

/** "9:16" → "9:16 (portrait)". */
export function aspectRatioLabel(ratio: string): string {
  const [w = 0, h = 0] = ratio.split(":").map(Number);
  return `${ratio} (${shape(w, h)})`;
}

export const PERSON_GENERATION_LABEL: Record<(typeof PERSON_GENERATION_MODES)[number], string> = {
  ALLOW_ALL: "Any age",
  ALLOW_ADULT: "Adults only",
  DONT_ALLOW: "None",
};

/** Whole seconds as "4 s"; fractions to one decimal. */
export function secondsLabel(seconds: number): string {
  return `${Number(seconds.toFixed(1))} s`;
}

/** "1 video", "3 videos". */
export function countLabel(n: number, noun: string, plural: string): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** The whole numbers from min to max. */
export function range(min: number, max: number): number[] {
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

/** At most `max` UTF-16 units, ending in "…" when cut; never splits a character (`truncateText`). */
export function truncate(text: string, max: number): string {
  return truncateText(text, max, { ellipsis: "…" });
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  if (bytes < 1024 * 1024) {
    return `${(bytes / 1024).toFixed(0)} KB`;
  }
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** File name extension for a stored format: "JPEG" → "jpg", "MP4" → "mp4". */
export function fileExtension(format: string): string {
  const f = format.toLowerCase();
  return f === "jpeg" ? "jpg" : f;
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
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/** Each provider as the model picker groups it. */
export const PROVIDER_LABEL: Record<CatalogProvider, string> = {
  local: "Local",
  gemini: "Google Gemini",
  veo: "Google Veo",
  openai: "OpenAI",
  fal: "fal",
  replicate: "Replicate",
  bfl: "Black Forest Labs",
  "openai-compatible": "OpenAI-compatible",
  comfyui: "ComfyUI",
  a1111: "AUTOMATIC1111",
  upscaler: "Upscaler",
};

/** A provider name as stored (any string: older rows, other deployments) for a person. */
export function providerLabel(provider: string): string {
  return PROVIDER_LABEL[provider as CatalogProvider] ?? provider;
}

/** Why a job left a model for its fallback, as the result says it. */
export const FALLBACK_REASON_LABEL: Record<FallbackReason, string> = {
  rate_limit: "rate limited",
  timeout: "timed out",
  transient: "unavailable",
};

/** A model's label when the catalog knows it, else its id (a model no longer active). */
export function modelLabel(id: string | null, models: readonly Pick<ModelView, "id" | "label">[] | null): string {
  if (!id) {
    return "Not reported yet";
  }
  return models?.find((m) => m.id === id)?.label ?? id;
}

const PRICE_UNIT: Record<Price["unit"], string> = {
  image: "image",
  video_second: "second of video",
  token: "token",
  megapixel: "megapixel",
  job: "job",
};

/** "$0.003 per megapixel (as of 2026-12-04)". */
export function priceLabel(price: Price): string {
  return `$${price.amount} per ${PRICE_UNIT[price.unit]}${price.as_of ? ` (as of ${price.as_of})` : ""}`;
}
