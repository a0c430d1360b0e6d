import { AppError } from "./errors";

/**
 * Most pixels an input image may declare. Decoding allocates width × height
 * × 4 bytes before any resize, whatever the file's size: a 7 MiB PNG can
 * declare 16383 × 16383 (~268 million pixels, ~1 GiB decoded), under
 * libvips' own default limit. 50 million keeps every real photo (a 48 MP
 * phone camera, 8K frames) and bounds one decode to ~200 MB.
 */
export const INPUT_IMAGE_MAX_PIXELS = 50_000_000;

/**
 * Options for every sharp() that decodes an image from outside (an upload,
 * a fetched URL): libvips refuses, before decoding, one that declares more
 * than INPUT_IMAGE_MAX_PIXELS.
 */
export const INPUT_IMAGE_DECODE_OPTIONS = { limitInputPixels: INPUT_IMAGE_MAX_PIXELS } as const;

/**
 * Reads an input image's header (libvips, the decoder that will be used; the
 * pixels are not decoded) and refuses, naming `field`, one that declares more
 * than INPUT_IMAGE_MAX_PIXELS (413) or whose header cannot be read (422).
 */
export async function assertInputImagePixels(bytes: Buffer, field: string): Promise<{ width: number; height: number }> {
  let width = 0;
  let height = 0;
  // Loaded on first use: a web process that never receives an input image never loads libvips.
  const { default: sharp } = await import("sharp");
  try {
    ({ width = 0, height = 0 } = await sharp(bytes, { limitInputPixels: false }).metadata());
  } catch {
    throw new AppError("unprocessable", `${field}: the image cannot be read`, { field });
  }
  if (width <= 0 || height <= 0) {
    throw new AppError("unprocessable", `${field}: the image cannot be read`, { field });
  }
  if (width * height > INPUT_IMAGE_MAX_PIXELS) {
    throw new AppError(
      "payload_too_large",
      `${field}: the image is ${width}×${height} pixels; at most ${INPUT_IMAGE_MAX_PIXELS.toLocaleString("en")} pixels are accepted`,
      { field },
    );
  }
  return { width, height };
}
