import { mkdtempSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { loadOrCreateSecrets, parseEnv, SECRET_MIN_BYTES, sharedEnvShape } from "./index";

const schema = z.object(sharedEnvShape);
const base = { DATABASE_URL: "postgres://x" };

describe("shared configuration", () => {
  it("refuses webhook secrets and service keys shorter than SECRET_MIN_BYTES", () => {
    const weak = "a".repeat(SECRET_MIN_BYTES - 1);
    const strong = "a".repeat(SECRET_MIN_BYTES);
    expect(() => parseEnv(schema, { ...base, WEBHOOK_SECRET: weak })).toThrow(
      /WEBHOOK_SECRET must be at least 32 bytes/,
    );
    expect(() => parseEnv(schema, { ...base, WEBHOOK_SECRET: `${strong},${weak}` })).toThrow(/WEBHOOK_SECRET/);
    expect(() => parseEnv(schema, { ...base, SERVICE_KEY: weak })).toThrow(/SERVICE_KEY/);
    expect(parseEnv(schema, { ...base, WEBHOOK_SECRET: ` ${strong} , ${"b".repeat(40)} ` }).WEBHOOK_SECRET).toEqual([
      strong,
      "b".repeat(40),
    ]);
  });

  it("requires DATABASE_URL and defaults the ports", () => {
    expect(() => parseEnv(schema, {})).toThrow(/DATABASE_URL/);
    expect(parseEnv(schema, base)).toMatchObject({ PORT: 3000, GENERATOR_PORT: 9006 });
    expect(() => parseEnv(schema, { ...base, PORT: "70000" })).toThrow(/PORT/);
  });

  it("generates strong secrets once, privately, and returns the same ones after", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sorami-config-"));
    const first = loadOrCreateSecrets(dir);
    const again = loadOrCreateSecrets(dir);
    expect(again).toEqual(first);
    for (const value of Object.values(first)) expect(Buffer.byteLength(value)).toBeGreaterThanOrEqual(SECRET_MIN_BYTES);
    expect(new Set(Object.values(first)).size).toBe(Object.keys(first).length);
    const file = path.join(dir, "secrets.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(first);
  });
});
