/**
 * `npm run bench` (full) / `npm run bench:quick`: the real stack with the
 * local provider at zero delay, measured side by side with the ceilings it
 * runs on, in the same run. Prints a table and writes bench/results/latest.json
 * (or --out <file>). The quick mode only proves that every figure can be
 * measured; its numbers mean little.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureWebBuilt } from "../scripts/lib/build";
import { type BenchContext, SIZES } from "./lib/context";
import { startFloorServer } from "./lib/floor";
import { quiesce } from "./lib/jobs";
import { byRole, sampleMemory, snapshot } from "./lib/procs";
import { table } from "./lib/report";
import { startBenchStack } from "./lib/stack";
import { sleep } from "./lib/stats";
import { benchStartTimes, stackMemoryFigures } from "./sections/footprint";
import { benchPipeline } from "./sections/pipeline";
import { benchPush } from "./sections/push";
import { benchReads } from "./sections/reads";
import { benchWebhookApply } from "./sections/webhook";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const outIndex = args.indexOf("--out");
const out = outIndex >= 0 ? path.resolve(args[outIndex + 1] ?? "") : path.join(HERE, "results/latest.json");
const only = args.includes("--only") ? new Set((args[args.indexOf("--only") + 1] ?? "").split(",")) : null;
const want = (name: string) => !only || only.has(name);
const profileIndex = args.indexOf("--profile");
const profileDir = profileIndex >= 0 ? path.resolve(args[profileIndex + 1] ?? "bench/results/profiles") : undefined;

const started = Date.now();
const log = (line: string) => console.log(`[bench +${((Date.now() - started) / 1000).toFixed(0)}s] ${line}`);
const loadBefore = os.loadavg();

log(`mode ${quick ? "quick" : "full"}; load average ${loadBefore.map((l) => l.toFixed(2)).join(" ")}`);
await ensureWebBuilt(log);
const stack = await startBenchStack(log, { profileDir });
// Ctrl-C stops what the bench started, PostgreSQL last, instead of leaving it running.
let interrupted = false;
const onSignal = (signal: NodeJS.Signals) => {
  if (interrupted) {
    return;
  }
  interrupted = true;
  log(`${signal}: stopping the stack`);
  void stack.stop().finally(() => process.exit(130));
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);
const floor = await startFloorServer(stack.databaseUrl, [stack.secrets.webhookSecret]);
const ctx: BenchContext = {
  quick,
  sizes: SIZES[quick ? "quick" : "full"],
  stack,
  floor,
  figures: [],
  details: {},
  log,
  shared: {},
};
let failure: unknown = null;
try {
  // Idle: started, warmed by nothing, settled.
  await sleep(ctx.sizes.settleMs);
  const stackOnly = (p: { role: string }) => p.role === "web" || p.role === "generator" || p.role === "postgres";
  const idle = byRole(snapshot(process.pid).filter(stackOnly));
  const underLoad = sampleMemory(process.pid);
  const sections: [string, (c: BenchContext) => Promise<void>][] = [
    ["webhook", benchWebhookApply],
    ["pipeline", benchPipeline],
    ["push", benchPush],
    ["reads", benchReads],
  ];
  const settled: Record<string, number> = {};
  for (const [name, run] of sections) {
    if (!want(name)) {
      continue;
    }
    // What a section left queued (webhooks of finished jobs still being delivered) must not load the next.
    settled[name] = await quiesce(stack.pool);
    await run(ctx);
  }
  ctx.details.queueDrainBeforeSectionMs = settled;
  const peak = underLoad.stop();
  delete peak.other;
  stackMemoryFigures(ctx, idle, peak);
} catch (error) {
  failure = error;
  console.error(stack.logs());
} finally {
  await floor.stop();
  await stack.stop();
}
if (!failure && want("footprint")) {
  try {
    await benchStartTimes(ctx);
  } catch (error) {
    failure = error;
  }
}

const results = {
  mode: quick ? "quick" : "full",
  startedAt: new Date(started).toISOString(),
  durationSeconds: Math.round((Date.now() - started) / 1000),
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverageBefore: loadBefore.map((l) => Math.round(l * 100) / 100),
    loadAverageAfter: os.loadavg().map((l) => Math.round(l * 100) / 100),
  },
  figures: ctx.figures,
  details: ctx.details,
  ...(failure ? { error: String(failure instanceof Error ? failure.stack : failure) } : {}),
};
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\n${table(ctx.figures)}\n`);
console.log(
  `load average ${results.machine.loadAverageBefore.join(" ")} → ${results.machine.loadAverageAfter.join(" ")}; ` +
    `${results.durationSeconds} s; written to ${path.relative(process.cwd(), out)}`,
);
if (failure) {
  console.error("BENCH FAILED:", failure);
  process.exit(1);
}
process.exit(0);
