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
 * 4096² result, ~2 minutes of one core with the slim model (bench/ml.ts).
 */
export const UPSCALE_MAX_INPUT_PIXELS = 2048 * 2048;

/**
 * Largest result, in pixels (4096²): the stitched result is held whole for
 * encoding (48 MiB of RGB, 64 MiB with alpha) and sharp's encoder holds
 * another copy. At ×4 this admits sources up to 1024².
 */
export const UPSCALE_MAX_OUTPUT_PIXELS = 4096 * 4096;

/**
 * Side of the square of source pixels one tile produces (before the overlap
 * is added). Memory is bounded by the tile, not the image: the largest tensor
 * is the upsampled 48-channel feature map of one tile at ×4,
 * (128 + 2·10)·4)² · 48 · 4 B ≈ 67 MB; WebAssembly memory never shrinks, so
 * this peak is what the worker keeps until it exits. Smaller tiles cost more
 * overlap: at 128 the slim model computes (148/128)² = 1.34× the pixels it
 * keeps, at 64 it would be 1.72×. Chosen from bench/ml.ts.
 */
export const UPSCALE_TILE_SIDE = 128;

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
