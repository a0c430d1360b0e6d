import { describe, expect, it } from "vitest";
import { mirror, planTiles, readRegion, writeCore } from "./tiles";

describe("planTiles", () => {
  it("covers every pixel of the image by exactly one core", () => {
    const width = 70;
    const height = 45;
    const covered = new Uint8Array(width * height);
    for (const { core } of planTiles(width, height, 32, 5)) {
      for (let y = core.y; y < core.y + core.height; y++) {
        for (let x = core.x; x < core.x + core.width; x++) {
          covered[y * width + x] = (covered[y * width + x] ?? 0) + 1;
        }
      }
    }
    expect(covered.every((count) => count === 1)).toBe(true);
  });

  it("grows each core by the padding on every side to make its region", () => {
    const tiles = planTiles(70, 45, 32, 5);
    expect(tiles).toHaveLength(3 * 2);
    expect(tiles[0]).toEqual({
      core: { x: 0, y: 0, width: 32, height: 32 },
      region: { x: -5, y: -5, width: 42, height: 42 },
    });
    expect(tiles[5]).toEqual({
      core: { x: 64, y: 32, width: 6, height: 13 },
      region: { x: 59, y: 27, width: 16, height: 23 },
    });
  });

  it("is one tile when the side covers the image", () => {
    expect(planTiles(64, 48, 128, 10)).toHaveLength(1);
  });

  it("refuses a side or padding that is not a usable integer", () => {
    expect(() => planTiles(10, 10, 0, 1)).toThrow(RangeError);
    expect(() => planTiles(10, 10, 8, -1)).toThrow(RangeError);
    expect(() => planTiles(10, 10, 8.5, 1)).toThrow(RangeError);
  });
});

describe("mirror", () => {
  it("reflects indices at both ends without repeating the edge pixel", () => {
    expect([-3, -2, -1, 0, 1, 2, 3, 4, 5, 6].map((i) => mirror(i, 4))).toEqual([3, 2, 1, 0, 1, 2, 3, 2, 1, 0]);
  });

  it("folds again when the padding is wider than the image", () => {
    expect([-7, 9, 100].map((i) => mirror(i, 3))).toEqual([1, 1, 0]);
    expect(mirror(-5, 1)).toBe(0);
  });
});

describe("readRegion and writeCore", () => {
  // A 3×2 RGB image whose red channel is the pixel number.
  const rgb = Uint8Array.from([0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 4, 0, 0, 5, 0, 0]);

  it("reads a region inside the image as floats", () => {
    const region = readRegion(rgb, 3, 2, { x: 1, y: 0, width: 2, height: 2 });
    expect(Array.from(region.filter((_, i) => i % 3 === 0))).toEqual([1, 2, 4, 5]);
  });

  it("reads beyond the edges mirrored", () => {
    const region = readRegion(rgb, 3, 2, { x: -1, y: -1, width: 5, height: 4 });
    // Rows -1, 0, 1, 2 are rows 1, 0, 1, 0; columns -1…3 are 1, 0, 1, 2, 1.
    expect(Array.from(region.filter((_, i) => i % 3 === 0))).toEqual([
      4, 3, 4, 5, 4, 1, 0, 1, 2, 1, 4, 3, 4, 5, 4, 1, 0, 1, 2, 1,
    ]);
  });

  it("keeps only the core of an upscaled region, rounded and clamped to bytes", () => {
    // A 2×1 core in a 4×3 region (padding 1), scale 2: the region's result is 8×6.
    const tile = { core: { x: 2, y: 0, width: 2, height: 1 }, region: { x: 1, y: -1, width: 4, height: 3 } };
    const upscaled = new Float32Array(8 * 6 * 3).map((_, i) => (i % 3 === 0 ? Math.floor(i / 3) * 10 - 20.4 : 0));
    const output = new Uint8ClampedArray(8 * 2 * 3);
    writeCore(output, 8, upscaled, tile, 2);
    const red = Array.from(output.filter((_, i) => i % 3 === 0));
    // Output row 0, columns 4–7 ← region result row 2, columns 2–5 (pixel numbers 18–21).
    expect(red.slice(4, 8)).toEqual([160, 170, 180, 190]);
    // Row 1 ← region result row 3 (pixel numbers 26–29); values above 255 clamp.
    expect(red.slice(12, 16)).toEqual([240, 250, 255, 255]);
    // Columns 0–3 belong to another tile: untouched.
    expect(red.slice(0, 4)).toEqual([0, 0, 0, 0]);
  });
});
