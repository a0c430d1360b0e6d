import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { freePort } from "../support/stack";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The output as an operator reads it: a JSON log line (not a terminal) as its message and error's message. */
function readable(output: string): string {
  return output
    .split("\n")
    .map((line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; err?: { message?: string } };
        return [entry.msg, entry.err?.message].filter(Boolean).join("\n");
      } catch {
        return line;
      }
    })
    .join("\n");
}

/** Runs `npm start` until it exits; its output and exit code. */
function npmStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["start"], { cwd: ROOT, env: { ...process.env, ...env }, stdio: "pipe" });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, output }));
  });
}

describe("a catalog file with a mistake", () => {
  it("makes npm start refuse, naming the file, the line, the entry and the field, and exit non-zero", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sorami-bad-catalog-"));
    chmodSync(dir, 0o755); // embedded PostgreSQL runs as another OS user when we are root
    const file = path.join(dir, "models.yaml");
    writeFileSync(
      file,
      [
        "models:",
        "  - id: fal-ai/recraft-v3",
        "    kind: image",
        "    provider: fal",
        "    label: Recraft V3 (fal)",
        "    capabilities:",
        "      sizes: [1024x1024]",
        "      formats: [PNG]",
        "      num_images: { min: 1, max: 1 }",
        "      input_image: none",
        "    options:",
        "      input:",
        "        prompt: prompt",
        "        size: { to: image_size, as: wh-objekt }",
        "      output: images[].url",
      ].join("\n"),
    );
    try {
      const { code, output } = await npmStart({
        PORT: String(await freePort()),
        GENERATOR_PORT: String(await freePort()),
        DATA_DIR: path.join(dir, "data"),
        MODELS_FILE: file,
        FAL_KEY: "fal-key-for-this-test",
      });
      expect(code, output).not.toBe(0);
      expect(output).toContain("Sorami could not start");
      expect(readable(output)).toMatch(
        /models\.yaml:14:\d+: models\[0\] "fal-ai\/recraft-v3": options\.input\.size\.as: must be one of value, string/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
