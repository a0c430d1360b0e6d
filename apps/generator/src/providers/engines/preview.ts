import sharp from "sharp";
import { changesOnly } from "../progress";
import type { ProviderProgress } from "../types";

/**
 * Live previews travel to the browser through the user's event stream (and
 * the database event log behind it): at most this many per second, so a
 * sampler that previews every step (10–30 a second on a fast GPU) does not
 * flood either. Two a second is still fluid enough to watch an image form.
 */
export const PREVIEW_MAX_PER_SECOND = 2;
export const PREVIEW_MIN_INTERVAL_MS = 1000 / PREVIEW_MAX_PER_SECOND;
/** Longest side of a preview frame as sent on: a job panel thumbnail, a few KiB as WEBP. */
export const PREVIEW_MAX_SIDE = 256;
/** WEBP quality of a preview: it is replaced by the real image within seconds. */
export const PREVIEW_QUALITY = 60;
/**
 * A preview frame is at most this many bytes, so one fits, base64-encoded
 * with its JSON envelope, in a PostgreSQL NOTIFY payload (8000 bytes) and in
 * a small event on the user's stream. A noisy early frame at 256 px is ~13 KB
 * as WEBP; such frames are re-encoded at lower quality, then smaller.
 */
export const PREVIEW_MAX_BYTES = 5 * 1024;
/** The steps tried, in order, until a frame fits PREVIEW_MAX_BYTES. */
const PREVIEW_STEPS = [
  { side: PREVIEW_MAX_SIDE, quality: PREVIEW_QUALITY },
  { side: PREVIEW_MAX_SIDE, quality: 35 },
  { side: 192, quality: 30 },
  { side: 128, quality: 30 },
  { side: 96, quality: 20 },
] as const;
/** A frame larger than this is not decoded (a preview is small; a huge one is a broken or hostile engine). */
export const PREVIEW_MAX_INPUT_BYTES = 8 * 1024 * 1024;

export type PreviewFrame = { data: Buffer; mimeType: string };

/**
 * Re-encodes an engine's preview frame small: WEBP, longest side at most
 * PREVIEW_MAX_SIDE, at most PREVIEW_MAX_BYTES; null when it cannot be decoded
 * or will not fit.
 */
export async function shrinkPreview(bytes: Uint8Array): Promise<PreviewFrame | null> {
  if (bytes.length === 0 || bytes.length > PREVIEW_MAX_INPUT_BYTES) {
    return null;
  }
  try {
    for (const { side, quality } of PREVIEW_STEPS) {
      const data = await sharp(bytes, { limitInputPixels: 4096 * 4096 })
        .resize(side, side, { fit: "inside", withoutEnlargement: true })
        .webp({ quality })
        .toBuffer();
      if (data.length <= PREVIEW_MAX_BYTES) {
        return { data, mimeType: "image/webp" };
      }
    }
    return null;
  } catch {
    return null;
  }
}

/**
 * Lets a preview through when the last one that went through is at least
 * PREVIEW_MIN_INTERVAL_MS old, and drops the rest before they are decoded:
 * the frame that goes through is always the newest the engine sent. Frames
 * are re-encoded one at a time, so a slow encode never reorders them.
 */
export class PreviewThrottle {
  private lastAt = Number.NEGATIVE_INFINITY;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly emit: (frame: PreviewFrame) => void,
    private readonly now: () => number = Date.now,
    private readonly intervalMs: number = PREVIEW_MIN_INTERVAL_MS,
  ) {}

  /** Whether a frame offered now would go through (lets a poller skip fetching one). */
  wants(): boolean {
    return this.now() - this.lastAt >= this.intervalMs;
  }

  offer(bytes: Uint8Array): void {
    if (!this.wants()) {
      return;
    }
    this.lastAt = this.now();
    const copy = Buffer.from(bytes);
    this.chain = this.chain.then(async () => {
      const frame = await shrinkPreview(copy);
      if (frame) {
        this.emit(frame);
      }
    });
  }

  /** Resolves once every frame let through has been encoded and emitted. */
  settled(): Promise<void> {
    return this.chain;
  }
}

/**
 * The progress side of one wait: reports only when what the engine says
 * changes, previews throttled, and nothing once `close()` is called (a frame
 * still being encoded when the work ends is dropped, not sent after the result).
 */
export function liveReporter(onProgress: (progress: ProviderProgress) => void) {
  let open = true;
  const changed = changesOnly(onProgress);
  const previews = new PreviewThrottle((frame) => {
    if (open) {
      onProgress({ preview: frame });
    }
  });
  return {
    report(progress: ProviderProgress) {
      if (open) {
        changed(progress);
      }
    },
    previews,
    close() {
      open = false;
    },
  };
}
