import { createRequire } from "node:module";
import { AppError } from "@sorami/contracts";
import sharp from "sharp";
import { describe, expect, it, vi } from "vitest";
import { MlEngine } from "./engine";
import { scoreImage } from "./screen";
import { scene } from "./test-images";
import { upscale } from "./upscale";

const picture = (width: number, height: number) =>
  sharp({
    create: { width, height, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } },
  })
    .png()
    .toBuffer();

describe("the model worker", () => {
  it("starts on first use, ends when idle, starts again on the next request, and keeps TensorFlow.js to itself", async () => {
    const engine = new MlEngine({ idleExitMs: 100 });
    expect([engine.running, engine.workerStarts]).toEqual([false, 0]);
    await upscale(await picture(16, 16), { scale: 2, engine });
    expect(engine.workerStarts).toBe(1);
    await vi.waitFor(() => expect(engine.running).toBe(false), { timeout: 10_000, interval: 50 });
    await scoreImage(await picture(16, 16), { engine });
    expect(engine.workerStarts).toBe(2);
    await engine.stop();
    // All of TensorFlow.js stayed in the worker: the calling thread never loaded a module of it.
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    expect(loaded.filter((file) => file.includes("@tensorflow"))).toEqual([]);
  });

  it("refuses requests beyond its line at once, and serves the ones it took", async () => {
    const engine = new MlEngine({ maxPendingUpscales: 1, maxPendingScores: 1 });
    const input = await picture(32, 32);
    const first = upscale(input, { scale: 2, engine });
    // decode runs before the request reaches the engine: wait until it is in line.
    await vi.waitFor(() => expect(engine.running).toBe(true), { timeout: 10_000, interval: 10 });
    const refused = upscale(input, { scale: 2, engine });
    await expect(refused).rejects.toBeInstanceOf(AppError);
    await expect(refused).rejects.toMatchObject({ code: "unavailable" });
    // The other kind has its own line.
    await expect(scoreImage(input, { engine })).resolves.toHaveProperty("nsfw");
    await expect(first).resolves.toMatchObject({ width: 64, height: 64 });
    await engine.stop();
  });

  it("answers a screening request between the tiles of a running upscale", async () => {
    const engine = new MlEngine();
    let done = 0;
    let total = 0;
    let doneWhenScored = -1;
    let started!: () => void;
    const upscaling = new Promise<void>((resolve) => {
      started = resolve;
    });
    const run = upscale(await picture(48, 48), {
      scale: 2,
      engine,
      tileSide: 8,
      onProgress: (d, t) => {
        [done, total] = [d, t];
        started();
      },
    });
    await Promise.race([upscaling, run]);
    await scoreImage(await scene(64, 48), { engine }).then(() => {
      doneWhenScored = done;
    });
    await run;
    expect(total).toBe(36);
    expect(doneWhenScored).toBeGreaterThan(0);
    expect(doneWhenScored).toBeLessThan(total);
    await engine.stop();
  });

  it("leaves the caller's pixels as they were (the worker gets its own copy)", async () => {
    const engine = new MlEngine();
    // A Buffer with its own memory: a Buffer's slice() is a view of it, so "copying" that way would hand the memory away.
    const rgb = Buffer.alloc(8 * 8 * 3);
    rgb.forEach((_, i) => {
      rgb[i] = i % 251;
    });
    const before = Buffer.from(rgb);
    const result = await engine.upscalePixels({ rgb, width: 8, height: 8, scale: 2, model: "slim", tileSide: 128 });
    expect(result.rgb).toHaveLength(16 * 16 * 3);
    expect(rgb.equals(before)).toBe(true);
    await engine.stop();
  });

  it("fails what it holds when stopped", async () => {
    const engine = new MlEngine();
    const run = upscale(await picture(64, 64), { scale: 2, engine, tileSide: 8 });
    const outcome = expect(run).rejects.toThrow(/stopped/);
    await vi.waitFor(() => expect(engine.running).toBe(true), { timeout: 10_000, interval: 10 });
    await engine.stop();
    await outcome;
    expect(engine.running).toBe(false);
  });
});
