/**
 * Small pictures the tests draw with sharp (no fixtures): shapes with hard
 * edges and a few letters, so an upscaler has edges to keep sharp.
 */
import sharp from "sharp";

/** A PNG of a few shapes and letters, width×height (the drawing is scaled to fit), on white or (alpha) on transparent. */
export function scene(width: number, height: number, options: { alpha?: boolean } = {}): Promise<Buffer> {
  const background = options.alpha ? "" : `<rect width="64" height="48" fill="#fff"/>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 64 48">
    ${background}
    <circle cx="20" cy="22" r="12" fill="#c33"/>
    <path d="M40 5 L60 40 L35 44 Z" fill="#236"/>
    <path d="M2 2 L30 8" stroke="#093" stroke-width="1.5"/>
    <text x="2" y="46" font-size="10" font-family="DejaVu Sans">Ab</text>
  </svg>`;
  const image = sharp(Buffer.from(svg));
  return (options.alpha ? image : image.removeAlpha()).png().toBuffer();
}

/** Interleaved 8-bit pixels and their size. */
export async function pixels(
  image: Buffer,
  channels: 1 | 3 = 3,
): Promise<{ data: Buffer; width: number; height: number }> {
  let pipeline = sharp(image).removeAlpha();
  pipeline = channels === 1 ? pipeline.greyscale() : pipeline.toColourspace("srgb");
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Mean absolute difference of two equal-length byte arrays, in levels (0–255). */
export function meanAbsoluteDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) {
    throw new Error(`sizes differ: ${a.length} vs ${b.length}`);
  }
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  }
  return sum / a.length;
}

/** Largest absolute difference of two equal-length byte arrays. */
export function maxAbsoluteDifference(a: Uint8Array, b: Uint8Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  }
  return max;
}

/**
 * Edge detail of a grey image: the mean squared gradient (horizontal and
 * vertical neighbour differences). A blurrier upscale of the same picture
 * has a smaller one.
 */
export function edgeEnergy(grey: Uint8Array, width: number, height: number): number {
  let sum = 0;
  let count = 0;
  for (let y = 0; y < height - 1; y++) {
    for (let x = 0; x < width - 1; x++) {
      const here = grey[y * width + x] ?? 0;
      const dx = (grey[y * width + x + 1] ?? 0) - here;
      const dy = (grey[(y + 1) * width + x] ?? 0) - here;
      sum += dx * dx + dy * dy;
      count++;
    }
  }
  return sum / count;
}
