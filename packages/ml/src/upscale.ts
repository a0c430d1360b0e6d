/**
 * Upscaling ×2 / ×4 with a real ESRGAN model shipped in an npm package
 * (@upscalerjs/esrgan-slim or -medium, TensorFlow.js on WebAssembly, in the
 * model worker). sharp decodes and encodes here, on libvips's own threads;
 * the model runs tile by tile in the worker, so neither blocks the caller's
 * event loop.
 *
 * Alpha: the model is trained on RGB, so it upscales the colour channels and
 * sharp resizes the alpha channel (Lanczos 3) to the same size; the two are
 * joined again. Transparent edges stay smooth rather than hallucinated.
 */
import { AppError } from "@sorami/contracts";
import sharp, { type Metadata, type Sharp } from "sharp";
import { defaultMlEngine, type MlEngine } from "./engine";
import {
  tileSideFor,
  UPSCALE_JPEG_QUALITY,
  UPSCALE_MAX_INPUT_PIXELS,
  UPSCALE_MAX_OUTPUT_PIXELS,
  UPSCALE_SCALES,
  UPSCALE_WEBP_QUALITY,
  type UpscaleScale,
} from "./limits";
import type { UpscaleModel } from "./model-files";

export * from "./limits";
export { UPSCALE_MODELS, type UpscaleModel } from "./model-files";

/** The formats kept as they come: what Sorami stores (PNG/JPEG/WEBP). */
export const UPSCALE_FORMATS = ["png", "jpeg", "webp"] as const;
export type UpscaleFormat = (typeof UPSCALE_FORMATS)[number];

/**
 * The ESRGAN size per scale, from bench/ml.ts (512² → 1024² ×2 on one core):
 * slim takes 5.8 s of CPU, medium 23 s and ~100 MB more. At the largest source
 * allowed, medium would need ~6 minutes of a core, too near an image job's
 * 10-minute limit on a loaded machine; slim takes ~1.6. Medium stays
 * available through `model`.
 */
export const DEFAULT_UPSCALE_MODEL: Record<UpscaleScale, UpscaleModel> = { 2: "slim", 4: "slim" };

export interface UpscaleOptions {
  scale: UpscaleScale;
  /** Checked between tiles: an abort rejects at once with the signal's reason, and the worker stops at the next tile. */
  signal?: AbortSignal;
  /** Called after each tile, in order; the last call has doneTiles === totalTiles. */
  onProgress?: (doneTiles: number, totalTiles: number) => void;
  /** Default DEFAULT_UPSCALE_MODEL[scale]. */
  model?: UpscaleModel;
  /** Default the process's engine. */
  engine?: MlEngine;
  /** Source pixels per tile side; default tileSideFor(scale). Tests and the bench change it. */
  tileSide?: number;
  /** Tile overlap; default the model's receptive radius. Only tests set it. */
  padding?: number;
}

export interface UpscaleResult {
  data: Buffer;
  format: UpscaleFormat;
  width: number;
  height: number;
}

function isFormat(format: string | undefined): format is UpscaleFormat {
  return (UPSCALE_FORMATS as readonly string[]).includes(format ?? "");
}

/** "2048×2048" for 2048². */
function square(pixels: number): string {
  const side = Math.round(Math.sqrt(pixels));
  return `${side}×${side}`;
}

/** Reads the header only, and refuses what cannot or may not be upscaled before anything is decoded. */
async function inspect(input: Buffer, scale: number): Promise<{ format: UpscaleFormat; hasAlpha: boolean }> {
  if (!(UPSCALE_SCALES as readonly number[]).includes(scale)) {
    throw new AppError("invalid_request", `scale must be one of ${UPSCALE_SCALES.join(", ")}`, { field: "scale" });
  }
  let meta: Metadata;
  try {
    meta = await sharp(input).metadata();
  } catch {
    throw new AppError("unprocessable", "The image cannot be decoded.");
  }
  const { format, width = 0, height = 0, pages = 1 } = meta;
  if (!isFormat(format)) {
    throw new AppError(
      "unprocessable",
      `Only ${UPSCALE_FORMATS.join(", ")} images can be upscaled (this one is ${format}).`,
    );
  }
  if (pages > 1) {
    throw new AppError("unprocessable", "Animated images cannot be upscaled.");
  }
  if (width * height > UPSCALE_MAX_INPUT_PIXELS) {
    throw new AppError(
      "unprocessable",
      `The image is ${width}×${height}; at most ${UPSCALE_MAX_INPUT_PIXELS} pixels (${square(UPSCALE_MAX_INPUT_PIXELS)}) can be upscaled.`,
    );
  }
  if (width * height * scale * scale > UPSCALE_MAX_OUTPUT_PIXELS) {
    throw new AppError(
      "unprocessable",
      `×${scale} of a ${width}×${height} image would exceed ${UPSCALE_MAX_OUTPUT_PIXELS} pixels (${square(UPSCALE_MAX_OUTPUT_PIXELS)}); choose a smaller scale.`,
    );
  }
  return { format, hasAlpha: meta.hasAlpha };
}

/** The source decoded upright (EXIF orientation applied), as 8-bit sRGB. */
function decoded(input: Buffer): Sharp {
  return sharp(input, { limitInputPixels: UPSCALE_MAX_INPUT_PIXELS }).rotate().toColourspace("srgb");
}

function encode(image: Sharp, format: UpscaleFormat): Promise<Buffer> {
  if (format === "jpeg") {
    return image.jpeg({ quality: UPSCALE_JPEG_QUALITY }).toBuffer();
  }
  if (format === "webp") {
    return image.webp({ quality: UPSCALE_WEBP_QUALITY }).toBuffer();
  }
  return image.png().toBuffer();
}

/** Upscales a PNG, JPEG or WEBP by 2 or 4 and returns it in the same format. */
export async function upscale(input: Buffer, options: UpscaleOptions): Promise<UpscaleResult> {
  const { scale, signal } = options;
  const { format, hasAlpha } = await inspect(input, scale);
  signal?.throwIfAborted();
  const { data: rgb, info } = await decoded(input)
    .removeAlpha()
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) {
    throw new Error(`decoding gave ${info.channels} channels, not RGB`);
  }
  const engine = options.engine ?? defaultMlEngine();
  const result = await engine.upscalePixels({
    rgb,
    width: info.width,
    height: info.height,
    scale,
    model: options.model ?? DEFAULT_UPSCALE_MODEL[scale],
    tileSide: options.tileSide ?? tileSideFor(scale),
    padding: options.padding,
    signal,
    onProgress: options.onProgress,
  });
  // Canceled while the last tile was being answered: nothing more is spent on it.
  signal?.throwIfAborted();
  let image = sharp(result.rgb, { raw: { width: result.width, height: result.height, channels: 3 } });
  if (hasAlpha) {
    const alpha = await decoded(input)
      .extractChannel("alpha")
      .resize(result.width, result.height, { kernel: "lanczos3", fit: "fill" })
      .raw({ depth: "uchar" })
      .toBuffer();
    image = image.joinChannel(alpha, { raw: { width: result.width, height: result.height, channels: 1 } });
  }
  const data = await encode(image, format);
  return { data, format, width: result.width, height: result.height };
}
