/**
 * `npx tsx bench/ml.ts [--quick] [--full-cpu] [--screening]`: the offline models of
 * @sorami/ml on this machine. Each case runs in its own process
 * (bench/lib/ml-run.ts) so its peak RSS is its own; cases run one after the
 * other. Prints the figures and writes bench/results/ml.json (or --out).
 *
 * - upscale 512² → 1024² (×2) per backend and model, and 256² → 1024² (×4);
 *   the pure-JS cpu backend runs a 128² source unless --full-cpu (it is ~35×
 *   slower: minutes per case); its 512² CPU time is then extrapolated by pixels.
 * - the tile side around the default (UPSCALE_TILE_OUTPUT_SIDE): time against peak memory.
 * - screening: model load, one 224² image (model alone and end to end) and a
 *   1024² image end to end (decode and resize included).
 * - the idle footprint: nothing loaded before first use, and what stays after the worker ends.
 *
 * `--screening` measures the screening cases alone (the figure the moderation
 * task costs per image: `npm run bench:ml -- --screening`), writing
 * bench/results/ml-screening.json unless --out says otherwise.
 */
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { tileSideFor } from "@sorami/ml/upscale";
import type { MlCase } from "./lib/ml-run";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const fullCpu = args.includes("--full-cpu");
const screeningOnly = args.includes("--screening");
const outIndex = args.indexOf("--out");
const out =
  outIndex >= 0
    ? path.resolve(args[outIndex + 1] ?? "")
    : path.join(HERE, screeningOnly ? "results/ml-screening.json" : "results/ml.json");
const run = promisify(execFile);

async function measure(name: string, c: MlCase): Promise<Record<string, unknown>> {
  const started = Date.now();
  process.stdout.write(`[ml] ${name}… `);
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", path.join(HERE, "lib/ml-run.ts"), JSON.stringify(c)],
    {
      maxBuffer: 1024 * 1024,
    },
  );
  const result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, unknown>;
  console.log(`${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`     ${JSON.stringify(result)}`);
  // The machine is shared: the load beside each case says how far its wall times are from a quiet machine's.
  return { name, case: c, load_average_1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100, ...result };
}

const runs = quick ? 1 : 3;
const side = quick ? 128 : 512;
const cpuSide = fullCpu ? side : 128;
const results: Record<string, unknown>[] = [];

results.push(await measure("idle footprint", { kind: "idle" }));
for (const model of screeningOnly ? [] : quick ? (["slim"] as const) : (["slim", "medium"] as const)) {
  for (const scale of [2, 4] as const) {
    const source = (side * 2) / scale;
    const c = {
      kind: "upscale",
      backend: "wasm",
      model,
      scale,
      side: source,
      tileSide: tileSideFor(scale),
      runs,
    } as const;
    results.push(await measure(`upscale ×${scale} ${source}² wasm ${model}`, c));
  }
}
if (!quick && !screeningOnly) {
  // The tile side against time and memory, around the defaults (×2: 128, ×4: 64 source pixels).
  for (const [scale, tileSide] of [
    [2, 64],
    [2, 256],
    [4, 128],
  ] as const) {
    const source = (side * 2) / scale;
    const c = { kind: "upscale", backend: "wasm", model: "slim", scale, side: source, tileSide, runs: 1 } as const;
    results.push(await measure(`upscale ×${scale} ${source}² wasm slim, tile ${tileSide}`, c));
  }
  const cpu = {
    kind: "upscale",
    backend: "cpu",
    model: "slim",
    scale: 2,
    side: cpuSide,
    tileSide: 128,
    runs: 1,
  } as const;
  const cpuResult = await measure(`upscale ×2 ${cpuSide}² cpu slim`, cpu);
  const warmCpu = (cpuResult.warm_end_to_end_cpu_ms as { mean: number }).mean;
  results.push({ ...cpuResult, cpu_ms_extrapolated_to_512: Math.round(warmCpu * (512 / cpuSide) ** 2) });
}
results.push(await measure("screening wasm", { kind: "score", backend: "wasm", runs: quick ? 3 : 20 }));
if (!quick) {
  results.push(await measure("screening cpu", { kind: "score", backend: "cpu", runs: 5 }));
}

mkdirSync(path.dirname(out), { recursive: true });
const report = {
  measured_at: new Date().toISOString(),
  mode: `${quick ? "quick" : "full"}${screeningOnly ? " (screening only)" : ""}`,
  machine: {
    cpus: os.cpus().length,
    load_average_1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
    node: process.version,
  },
  results,
};
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`[ml] wrote ${path.relative(process.cwd(), out)}`);
