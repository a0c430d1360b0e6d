import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PROMPT_POLICY_MAX_BYTES } from "@sorami/contracts";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseEnv } from "./index";
import { loadPromptPolicy, moderationEnvShape, resolveModeration } from "./moderation";

const dir = mkdtempSync(path.join(tmpdir(), "sorami-policy-"));
function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe("MODERATION_BLOCKLIST", () => {
  it("loads a policy file, relative to the working directory", () => {
    file("ok.txt", "# words\nnude\n/gor(e|y)/i\n");
    const policy = loadPromptPolicy("ok.txt", dir);
    expect(policy.size).toBe(2);
    expect(policy.matches("Nude")).toBe(true);
    expect(resolveModeration({ MODERATION_BLOCKLIST: "ok.txt" }, dir).blocklistPath).toBe(path.join(dir, "ok.txt"));
  });

  it("stops start-up naming the file and the line", () => {
    const bad = file("bad.txt", "fine\n\n/(/\n");
    expect(() => loadPromptPolicy(bad)).toThrow(
      new RegExp(
        `MODERATION_BLOCKLIST \\(${bad.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\\): line 3: invalid regular expression`,
      ),
    );
  });

  it("stops start-up on a missing file or one past PROMPT_POLICY_MAX_BYTES", () => {
    expect(() => loadPromptPolicy(path.join(dir, "missing.txt"))).toThrow(/cannot be read \(ENOENT\)/);
    const big = file("big.txt", "a\n".repeat(PROMPT_POLICY_MAX_BYTES / 2 + 1));
    expect(() => loadPromptPolicy(big)).toThrow(/is larger than/);
  });

  it("without a file refuses nothing", () => {
    const settings = resolveModeration({});
    expect([settings.policy.size, settings.policy.matches("anything"), settings.blocklistPath]).toEqual([
      0,
      false,
      null,
    ]);
  });
});

describe("MODERATION_THRESHOLD", () => {
  const schema = z.object(moderationEnvShape);
  it.each([
    [undefined, undefined],
    ["", undefined],
    ["  ", undefined],
    ["0", 0],
    ["0.85", 0.85],
    ["1", 1],
  ])("%j → %j", (raw, expected) => {
    expect(parseEnv(schema, { MODERATION_THRESHOLD: raw }).MODERATION_THRESHOLD).toBe(expected);
  });

  it.each(["-0.1", "1.5", "high", "NaN"])("refuses %j", (raw) => {
    expect(() => parseEnv(schema, { MODERATION_THRESHOLD: raw })).toThrow(
      /MODERATION_THRESHOLD: must be a number between 0 and 1/,
    );
  });
});
