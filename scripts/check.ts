import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `npm run check`: lint, types of every workspace and the unit tests, at
 * once (each step is mostly single-threaded, so running them side by side
 * keeps two cores busy): the quick gate before a commit. `npm test` is the
 * full gate (the same, then the whole-system tests).
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name: string) => path.join(ROOT, "node_modules/.bin", name);

const STEPS: { name: string; command: string; args: string[] }[] = [
  { name: "lint", command: bin("biome"), args: ["check", "."] },
  // Packages, the generator, scripts, e2e and bench; the web app has its own config (Next.js, JSX).
  { name: "types", command: bin("tsc"), args: ["-p", "."] },
  { name: "types (web)", command: bin("tsc"), args: ["-p", "apps/web", "--noEmit"] },
  { name: "unit tests", command: bin("vitest"), args: ["run", "--project", "unit"] },
];

function run(step: (typeof STEPS)[number]): Promise<{ name: string; ok: boolean; output: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(step.command, step.args, { cwd: ROOT, env: { ...process.env, FORCE_COLOR: "1" } });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("error", (error) =>
      resolve({ name: step.name, ok: false, output: String(error), ms: Date.now() - started }),
    );
    child.on("close", (code) => resolve({ name: step.name, ok: code === 0, output, ms: Date.now() - started }));
  });
}

const started = Date.now();
const results = await Promise.all(STEPS.map(run));
for (const result of results.filter((r) => !r.ok)) {
  console.log(`\n── ${result.name} failed ──\n${result.output}`);
}
for (const result of results) {
  console.log(`${result.ok ? "ok  " : "FAIL"} ${result.name} (${(result.ms / 1000).toFixed(1)} s)`);
}
console.log(`check: ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
