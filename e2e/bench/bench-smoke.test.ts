import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/lib/build";

type Figure = { section: string; name: string; value: number | null; note?: string };
type Results = {
  mode: string;
  error?: string;
  figures: Figure[];
  machine: { loadAverageBefore: number[] };
  details: {
    webhook: { apply: { requests: number; errors: number; non2xx: number }; check: Record<string, number> };
    pipeline: { fixedRate: { jobs: number; failed: number }; asFastAsPossible: { jobs: number; failed: number } };
  };
};

const dir = mkdtempSync(path.join(os.tmpdir(), "sorami-bench-smoke-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The quick bench runs end to end on the real stack and every number it
 * reports is sane. No timing is asserted: timings belong to `npm run bench`.
 */
describe("npm run bench -- --quick", () => {
  it("measures every figure without errors", async () => {
    const out = path.join(dir, "quick.json");
    let output = "";
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(
        process.execPath,
        [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "bench/run.ts", "--quick", "--out", out],
        {
          cwd: ROOT,
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
      child.on("exit", resolve);
    });
    expect(code, output.slice(-4000)).toBe(0);
    const results = JSON.parse(readFileSync(out, "utf8")) as Results;
    expect(results.error).toBeUndefined();
    expect(results.mode).toBe("quick");
    expect(results.machine.loadAverageBefore).toHaveLength(3);

    const sections = new Set(results.figures.map((f) => f.section));
    expect([...sections].map((s) => s.split(" ")[0])).toEqual(["1", "2", "3", "4", "5"]);
    for (const f of results.figures) {
      if (f.value === null) {
        // Only a figure whose feature is not there yet may be missing, and it says so.
        expect(f.note, `${f.section} / ${f.name}`).toMatch(/pending/);
        continue;
      }
      expect(Number.isFinite(f.value) && f.value > 0, `${f.section} / ${f.name} = ${f.value}`).toBe(true);
    }

    // Each applied webhook completed its own job with its 4 files: no replays, no errors.
    const { apply, check } = results.details.webhook;
    expect(apply.errors + apply.non2xx).toBe(0);
    expect(check.completed).toBe(apply.requests);
    expect(check.files).toBe(apply.requests * 4);
    const { fixedRate, asFastAsPossible } = results.details.pipeline;
    expect(fixedRate.failed + asFastAsPossible.failed).toBe(0);
    expect(fixedRate.jobs).toBeGreaterThan(0);
    // A whole stack plus load generators: minutes on a busy 2-core machine (a deadline against hangs, not a timing).
  }, 600_000);
});
