/**
 * Offline image screening with nsfwjs's MobileNetV2 (its smallest model,
 * weights shipped inside the npm package), in the model worker.
 *
 * Pre-processing follows nsfwjs: the whole image stretched to 224×224 (no
 * crop, aspect ignored), RGB scaled to 0–1. sharp does the resize here
 * (Lanczos, with EXIF orientation applied; transparency flattened on white),
 * so a large image costs one libvips resize, not a 1024² tensor.
 */
import { AppError } from "@sorami/contracts";
import sharp from "sharp";
import { defaultMlEngine, type MlEngine } from "./engine";
import { SCREEN_INPUT_SIDE, SCREEN_MAX_INPUT_PIXELS } from "./limits";

export { SCREEN_INPUT_SIDE, SCREEN_MAX_INPUT_PIXELS, SCREEN_MAX_PENDING } from "./limits";

/** nsfwjs's classes, in the order of its model's outputs. */
export const SCREEN_CLASSES = ["Drawing", "Hentai", "Neutral", "Porn", "Sexy"] as const;
export type ScreenClass = (typeof SCREEN_CLASSES)[number];

/**
 * What each class adds to `nsfw`. Porn and Hentai are explicit; Sexy
 * (swimwear, lingerie, suggestive poses) counts half, so suggestive alone
 * reaches a threshold only when the model is sure of it, while an image torn
 * between Sexy and Porn still adds up. Drawing and Neutral count nothing.
 */
export const NSFW_WEIGHTS: Record<ScreenClass, number> = { Drawing: 0, Hentai: 1, Neutral: 0, Porn: 1, Sexy: 0.5 };

export interface ScreenScores {
  /** The model's probabilities; they sum to 1. */
  scores: Record<ScreenClass, number>;
  /** Σ weight·probability (NSFW_WEIGHTS), in 0–1. */
  nsfw: number;
}

/** `nsfw` of a set of class probabilities. */
export function nsfwScore(scores: Record<ScreenClass, number>): number {
  const sum = SCREEN_CLASSES.reduce((total, name) => total + NSFW_WEIGHTS[name] * scores[name], 0);
  return Math.min(1, Math.max(0, sum));
}

/** The rule that holds a file (its one home is contracts' moderation module, which the web app applies). */
export { isHeld } from "@sorami/contracts";

export interface ScoreOptions {
  signal?: AbortSignal;
  /** Default the process's engine. */
  engine?: MlEngine;
}

/** The model's input: SCREEN_INPUT_SIDE² RGB bytes. */
async function modelInput(input: Buffer): Promise<Buffer> {
  try {
    return await sharp(input, { limitInputPixels: SCREEN_MAX_INPUT_PIXELS })
      .rotate()
      .flatten({ background: "#ffffff" })
      .toColourspace("srgb")
      .resize(SCREEN_INPUT_SIDE, SCREEN_INPUT_SIDE, { fit: "fill" })
      .raw({ depth: "uchar" })
      .toBuffer();
  } catch {
    throw new AppError("unprocessable", "The image cannot be decoded.");
  }
}

/** Scores one image (any format sharp reads) with the five nsfwjs classes and the combined `nsfw`. */
export async function scoreImage(input: Buffer, options: ScoreOptions = {}): Promise<ScreenScores> {
  const rgb = await modelInput(input);
  const engine = options.engine ?? defaultMlEngine();
  const { probabilities } = await engine.scorePixels(rgb, { signal: options.signal });
  if (probabilities.length !== SCREEN_CLASSES.length) {
    throw new Error(`the screening model gave ${probabilities.length} outputs, not ${SCREEN_CLASSES.length}`);
  }
  const scores = Object.fromEntries(SCREEN_CLASSES.map((name, i) => [name, probabilities[i] ?? 0])) as Record<
    ScreenClass,
    number
  >;
  return { scores, nsfw: nsfwScore(scores) };
}
