/**
 * Tiling without seams. A tile is a core (the source pixels whose result it
 * keeps) and a region: the core grown by the model's receptive radius on
 * every side. The model sees the region; only the core's result is kept.
 * Beyond the image's edges the region reads the image mirrored: the models'
 * convolutions pad with zeros, which would darken a rim of 1–2 pixels along
 * the edges, while mirrored context looks like more of the same picture.
 * Every kept output pixel therefore sees exactly the pixels it would see in
 * one pass over the whole mirrored image, so a tiled result equals the
 * untiled one up to float rounding: there is no seam to blend away.
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Tile {
  /** Source pixels whose upscaled result this tile keeps. */
  core: Rect;
  /** Source pixels the model is given: the core plus context (partly outside the image at its edges). */
  region: Rect;
}

/** Tiles covering a width×height image in rows, each core at most `side` square, each region the core grown by `padding`. */
export function planTiles(width: number, height: number, side: number, padding: number): Tile[] {
  if (!(Number.isInteger(side) && side > 0 && Number.isInteger(padding) && padding >= 0)) {
    throw new RangeError(`tile side must be a positive integer and padding a non-negative one (${side}, ${padding})`);
  }
  const tiles: Tile[] = [];
  for (let y = 0; y < height; y += side) {
    for (let x = 0; x < width; x += side) {
      const core = { x, y, width: Math.min(side, width - x), height: Math.min(side, height - y) };
      const region = {
        x: x - padding,
        y: y - padding,
        width: core.width + 2 * padding,
        height: core.height + 2 * padding,
      };
      tiles.push({ core, region });
    }
  }
  return tiles;
}

/** Index `i` of a line of `n` pixels mirrored at both ends without repeating the edge pixel (…2 1 0 1 2… n-2 n-1 n-2…). */
export function mirror(i: number, n: number): number {
  if (n === 1) {
    return 0;
  }
  const period = 2 * (n - 1);
  const folded = ((i % period) + period) % period;
  return folded < n ? folded : period - folded;
}

/** The region's pixels of an interleaved RGB image (mirrored beyond its edges), as floats: the ESRGAN models take 0–255. */
export function readRegion(rgb: Uint8Array, imageWidth: number, imageHeight: number, region: Rect): Float32Array {
  const out = new Float32Array(region.width * region.height * 3);
  const columns = Array.from({ length: region.width }, (_, i) => mirror(region.x + i, imageWidth) * 3);
  let to = 0;
  for (let row = 0; row < region.height; row++) {
    const rowStart = mirror(region.y + row, imageHeight) * imageWidth * 3;
    for (const column of columns) {
      const from = rowStart + column;
      out[to++] = rgb[from] ?? 0;
      out[to++] = rgb[from + 1] ?? 0;
      out[to++] = rgb[from + 2] ?? 0;
    }
  }
  return out;
}

/**
 * Copies the core's part of a tile's upscaled region (floats, 0–255) into the
 * output image, rounded and clamped by the Uint8ClampedArray.
 */
export function writeCore(
  output: Uint8ClampedArray,
  outputWidth: number,
  upscaled: Float32Array,
  tile: Tile,
  scale: number,
): void {
  const regionWidth = tile.region.width * scale;
  const offsetX = (tile.core.x - tile.region.x) * scale;
  const offsetY = (tile.core.y - tile.region.y) * scale;
  const rowLength = tile.core.width * scale * 3;
  for (let row = 0; row < tile.core.height * scale; row++) {
    const from = ((offsetY + row) * regionWidth + offsetX) * 3;
    const to = ((tile.core.y * scale + row) * outputWidth + tile.core.x * scale) * 3;
    output.set(upscaled.subarray(from, from + rowLength), to);
  }
}
