import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadEnv } from "./env";

const dataDir = mkdtempSync(path.join(os.tmpdir(), "sorami-generator-env-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("the generator's configuration", () => {
  it("listens on loopback unless told otherwise: only the web app calls it", () => {
    const env = loadEnv({ DATABASE_URL: "postgres://x@127.0.0.1/x", DATA_DIR: dataDir });
    expect(env.host).toBe("127.0.0.1");
    expect(
      loadEnv({ DATABASE_URL: "postgres://x@127.0.0.1/x", DATA_DIR: dataDir, GENERATOR_HOST: "0.0.0.0" }).host,
    ).toBe("0.0.0.0");
  });
});
