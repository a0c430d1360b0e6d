/**
 * One measurement of bench/ml.ts, in its own process so that its peak RSS is
 * its own: `node --import tsx bench/lib/ml-run.ts '<json case>'` prints one
 * JSON line. Worker threads share their process's RSS, and this process does
 * nothing else, so the peak is the model worker's (plus ~60–100 MB of Node,
 * tsx and sharp, reported as `rss_before_mb`).
 */
import { createRequire } from "node:module";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { type MlBackend, MlEngine } from "@sorami/ml/engine";
import { scoreImage } from "@sorami/ml/screen";
import { type UpscaleModel, upscale } from "@sorami/ml/upscale";
import sharp from "sharp";
import { summarize } from "./stats";

export type MlCase =
  | { kind: "idle" }
  | {
      kind: "upscale";
      backend: MlBackend;
      model: UpscaleModel;
      scale: 2 | 4;
      /** Source side; the result is side·scale. */
      side: number;
      tileSide: number;
      /** Warm end-to-end runs after the cold one. */
      runs: number;
    }
  | { kind: "score"; backend: MlBackend; runs: number };

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const peakMb = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;

/** A picture with edges, gradients and noise: what an upscaler does per pixel does not depend on it, but it is not blank. */
async function picture(side: number, format: "png" | "jpeg" = "png"): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}" viewBox="0 0 64 64">
    <defs><linearGradient id="g"><stop offset="0" stop-color="#fc6"/><stop offset="1" stop-color="#36c"/></linearGradient></defs>
    <rect width="64" height="64" fill="url(#g)"/><circle cx="22" cy="26" r="14" fill="#c33"/>
    <path d="M40 5 L60 40 L35 50 Z" fill="#263"/><text x="4" y="60" font-size="10">Sorami</text></svg>`;
  const drawn = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const noise = await sharp({
    create: {
      width: side,
      height: side,
      channels: 3,
      background: "#000",
      noise: { type: "gaussian", mean: 0, sigma: 6 },
    },
  })
    .raw()
    .toBuffer();
  const mixed = Buffer.from(drawn.data.map((v, i) => Math.min(255, v + (noise[i] ?? 0))));
  return sharp(mixed, { raw: { width: side, height: side, channels: 3 } })
    .toFormat(format)
    .toBuffer();
}

/**
 * Wall time and the process's CPU time (all threads: the worker, libvips's)
 * of one run. On a shared machine the wall time grows with everyone else's
 * load; the CPU time is what the run itself costs, and what it would take on
 * a quiet machine (the inference is single-threaded).
 */
async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; cpuMs: number; value: T }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await run();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, value };
}

/**
 * What a process pays for the ML package before, during and after use. The
 * package's modules are imported (statically, above) but load no
 * TensorFlow.js: that happens in the worker, on first use.
 */
async function idle() {
  const image = await picture(64);
  const tensorflowLoaded = () =>
    Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes("@tensorflow"));
  const before = process.memoryUsage().rss;
  const loadedBefore = tensorflowLoaded();
  const engine = new MlEngine({ idleExitMs: 500 });
  await upscale(image, { scale: 2, engine });
  await scoreImage(image, { engine });
  const warm = process.memoryUsage().rss;
  while (engine.running) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  return {
    tensorflow_loaded_on_main_thread: loadedBefore || tensorflowLoaded(),
    rss_before_first_use_mb: mb(before),
    rss_worker_warm_mb: mb(warm),
    rss_after_idle_exit_mb: mb(process.memoryUsage().rss),
  };
}

async function upscaleCase(c: Extract<MlCase, { kind: "upscale" }>) {
  const input = await picture(c.side);
  const { data: rgb } = await sharp(input).raw().toBuffer({ resolveWithObject: true });
  const engine = new MlEngine({ backend: c.backend });
  const before = process.memoryUsage().rss;
  // Cold, at the model level: worker start, backend, model load, then the tiles.
  const cold = await timed(() =>
    engine.upscalePixels({
      rgb,
      width: c.side,
      height: c.side,
      scale: c.scale,
      model: c.model,
      tileSide: c.tileSide,
    }),
  );
  // The caller's event loop with nothing to do, for comparison: on a loaded machine it is late too.
  const idleLoop = monitorEventLoopDelay({ resolution: 10 });
  idleLoop.enable();
  await new Promise((resolve) => setTimeout(resolve, 3000));
  idleLoop.disable();
  // Warm, end to end (decode, tiles, encode) while watching the caller's event loop.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const warm: number[] = [];
  const warmCpu: number[] = [];
  for (let i = 0; i < c.runs; i++) {
    const run = await timed(() => upscale(input, { scale: c.scale, engine, model: c.model, tileSide: c.tileSide }));
    warm.push(run.ms);
    warmCpu.push(run.cpuMs);
  }
  loop.disable();
  await engine.stop();
  return {
    tiles: cold.value.tiles,
    padding: cold.value.padding,
    cold_total_ms: Math.round(cold.ms),
    cold_total_cpu_ms: Math.round(cold.cpuMs),
    load_ms: Math.round(cold.value.timings.loadMs),
    cold_run_ms: Math.round(cold.value.timings.runMs),
    warm_end_to_end_ms: summarize(warm),
    warm_end_to_end_cpu_ms: summarize(warmCpu),
    caller_event_loop_delay_ms: {
      idle_p99: Math.round(idleLoop.percentile(99) / 1e6),
      upscaling_p99: Math.round(loop.percentile(99) / 1e6),
      upscaling_max: Math.round(loop.max / 1e6),
    },
    rss_before_mb: mb(before),
    peak_rss_mb: peakMb(),
  };
}

async function scoreCase(c: Extract<MlCase, { kind: "score" }>) {
  const engine = new MlEngine({ backend: c.backend });
  const small = await picture(224);
  const { data: rgb } = await sharp(small).raw().toBuffer({ resolveWithObject: true });
  const before = process.memoryUsage().rss;
  const cold = await timed(() => engine.scorePixels(rgb));
  const model: number[] = [];
  const modelCpu = await timed(async () => {
    for (let i = 0; i < c.runs; i++) {
      model.push((await engine.scorePixels(rgb)).timings.runMs);
    }
  });
  // Before any large decode on this thread: what the worker and its model hold.
  const afterModelRuns = process.memoryUsage().rss;
  const endToEnd = async (image: Buffer) => {
    const ms: number[] = [];
    const cpu = await timed(async () => {
      for (let i = 0; i < c.runs; i++) {
        ms.push((await timed(() => scoreImage(image, { engine }))).ms);
      }
    });
    return { wall: summarize(ms), cpu_mean: Math.round((cpu.cpuMs / c.runs) * 10) / 10 };
  };
  const result = {
    cold_total_ms: Math.round(cold.ms),
    cold_total_cpu_ms: Math.round(cold.cpuMs),
    load_ms: Math.round(cold.value.timings.loadMs),
    model_only_224_ms: summarize(model),
    model_only_224_cpu_mean_ms: Math.round((modelCpu.cpuMs / c.runs) * 10) / 10,
    end_to_end_224_png_ms: await endToEnd(small),
    end_to_end_1024_png_ms: await endToEnd(await picture(1024)),
    end_to_end_1024_jpeg_ms: await endToEnd(await picture(1024, "jpeg")),
    rss_before_mb: mb(before),
    rss_after_model_runs_mb: mb(afterModelRuns),
    peak_rss_mb: peakMb(),
  };
  await engine.stop();
  return result;
}

const c = JSON.parse(process.argv[2] ?? "{}") as MlCase;
const result = c.kind === "idle" ? await idle() : c.kind === "upscale" ? await upscaleCase(c) : await scoreCase(c);
console.log(JSON.stringify(result));
