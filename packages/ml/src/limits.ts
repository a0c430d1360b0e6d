/**
 * The limits of the offline models, named once. This module imports nothing,
 * so a caller (a submit check, an admin page) can read them without loading
 * sharp or TensorFlow.js.
 */

/** Scales the upscaler offers; each has its own ESRGAN weights (×3 and ×8 exist but are not offered). */
export const UPSCALE_SCALES = [2, 4] as const;
export type UpscaleScale = (typeof UPSCALE_SCALES)[number];

/**
 * Largest source image accepted, in pixels (2048²). The providers' own
 * images are 1–2.4 MP (Gemini ~1 MP, gpt-image 1536×1024); at ×2 this is a
 * 4096² result, ~1.6 minutes of one core with the slim model (16 × the
 * 5.8 s of a 512² source in bench/ml.ts), well inside an image job's 10.
 */
export const UPSCALE_MAX_INPUT_PIXELS = 2048 * 2048;

/**
 * Largest result, in pixels (4096²): the stitched result is held whole for
 * encoding (48 MiB of RGB, 64 MiB with alpha) and sharp's encoder holds
 * another copy. At ×4 this admits sources up to 1024².
 */
export const UPSCALE_MAX_OUTPUT_PIXELS = 4096 * 4096;

/**
 * Side, in result pixels, of the square one tile produces; its source side
 * is this divided by the scale (128 at ×2, 64 at ×4), and the model also
 * sees an overlap of its receptive radius (10 source pixels for slim) around
 * it. Memory is bounded by the tile, not the image, and the largest tensors
 * are at result resolution (the 48-channel map after the upsampling), so the
 * result side is what bounds it, whatever the scale. WebAssembly memory
 * never shrinks: this peak is what the worker keeps until it exits.
 * From bench/ml.ts (→ 1024², slim, CPU seconds / peak RSS of the process,
 * which varies by ±40 MB from run to run): ×2 tiles of 64 / 128 / 256 source
 * pixels cost 7.7 / 5.8 / 5.2 s and 247 / 272–313 / 370 MB; ×4 tiles of
 * 64 / 128 cost 2.6 / 1.9 s and 285 / 346 MB. 256 keeps every upscale near
 * 250–310 MB for 10–35 % more CPU than the largest tiles.
 */
export const UPSCALE_TILE_OUTPUT_SIDE = 256;

/** The source side of a tile at this scale (see UPSCALE_TILE_OUTPUT_SIDE). */
export function tileSideFor(scale: UpscaleScale): number {
  return UPSCALE_TILE_OUTPUT_SIDE / scale;
}

/**
 * Upscale requests one process holds (running + waiting). Each one waits
 * behind the others for a whole upscale (seconds to minutes), so a longer
 * line only turns into job time-outs; the caller's queue is where jobs wait.
 */
export const UPSCALE_MAX_PENDING = 4;

/** Screening requests one process holds (running + waiting): each is ~150 KB and tens of milliseconds. */
export const SCREEN_MAX_PENDING = 64;

/**
 * Largest image screened, in pixels: the largest Sorami makes is an upscale
 * result (UPSCALE_MAX_OUTPUT_PIXELS); a PNG that size decodes to ~50 MB
 * before it is shrunk to the model's input. Anything larger is refused.
 */
export const SCREEN_MAX_INPUT_PIXELS = UPSCALE_MAX_OUTPUT_PIXELS;

/** Side of the square nsfwjs's MobileNetV2 takes: its input layer is fixed at 224×224×3. */
export const SCREEN_INPUT_SIDE = 224;

/**
 * The model worker ends after this long without work. The WebAssembly heap
 * grows to the largest tile and never shrinks, and the models stay in it:
 * ending the worker is the only way to give that memory back. A minute keeps
 * it warm across a burst of jobs; starting again costs well under a second.
 */
export const ML_IDLE_EXIT_MS = 60_000;

/** JPEG quality of an upscaled JPEG: the point of upscaling is detail, which sharp's default 80 would partly discard. */
export const UPSCALE_JPEG_QUALITY = 90;

/** WEBP quality of an upscaled WEBP, for the same reason. */
export const UPSCALE_WEBP_QUALITY = 90;
