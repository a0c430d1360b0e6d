import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./build";
import { buildServiceEnv, generatorLocalUrl } from "./service-env";

/** Every variable the README's configuration table documents (first column, in backticks). */
function documentedVariables(): string[] {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const table = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## Providers"));
  const names = new Set<string>();
  for (const line of table.split("\n")) {
    const first = line.split("|")[1] ?? "";
    for (const m of first.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) {
      names.add(m[1] ?? "");
    }
  }
  return [...names];
}

const base = { dataDir: "/srv/sorami-data", databaseUrl: "postgres://embedded", port: 3100, generatorPort: 9100 };

describe("the environment npm start gives the services", () => {
  it("passes every variable the README documents as the operator set it", () => {
    const documented = documentedVariables();
    expect(documented).toEqual(
      expect.arrayContaining(["WEB_URL", "PORT", "GENERATOR_PORT", "DATA_DIR", "TRUST_PROXY"]),
    );
    const operator: Record<string, string> = Object.fromEntries(documented.map((name) => [name, `operator-${name}`]));
    // The ones the launcher itself parses get values it can parse; it passes its parsed forms on.
    Object.assign(operator, {
      PORT: "3100",
      GENERATOR_PORT: "9100",
      DATA_DIR: "/srv/sorami-data",
      DATABASE_URL: "postgres://db.example/sorami",
      WEB_URL: "https://sorami.example.test",
      GENERATOR_HOST: "10.0.0.5",
    });
    const env = buildServiceEnv({ ...base, databaseUrl: operator.DATABASE_URL ?? "", inherited: operator });
    const changed = documented.filter((name) => env[name] !== operator[name]);
    expect(changed).toEqual([]);
  });

  it("supplies WEB_URL, GENERATOR_URL and telemetry only where the operator gave none", () => {
    const env = buildServiceEnv({ ...base, inherited: {} });
    expect(env).toMatchObject({
      WEB_URL: "http://localhost:3100",
      GENERATOR_URL: "http://127.0.0.1:9100",
      NEXT_TELEMETRY_DISABLED: "1",
      NODE_ENV: "production",
      DATA_DIR: "/srv/sorami-data",
      DATABASE_URL: "postgres://embedded",
      PORT: "3100",
      GENERATOR_PORT: "9100",
    });
    const set = buildServiceEnv({
      ...base,
      inherited: { GENERATOR_URL: "http://gen.internal:9", NEXT_TELEMETRY_DISABLED: "0", NODE_ENV: "development" },
    });
    expect(set).toMatchObject({ GENERATOR_URL: "http://gen.internal:9", NEXT_TELEMETRY_DISABLED: "0" });
    // Services always run as in production: no check is skipped "in development".
    expect(set.NODE_ENV).toBe("production");
  });

  it("keeps test-runner variables away from the services, and lets a test's env win", () => {
    const env = buildServiceEnv({ ...base, inherited: { VITEST: "true", TEST: "1", KEEP: "x" }, env: { KEEP: "y" } });
    expect(env.VITEST).toBeUndefined();
    expect(env.TEST).toBeUndefined();
    expect(env.KEEP).toBe("y");
  });

  it("reaches the generator where it listens", () => {
    expect(generatorLocalUrl(undefined, 9006)).toBe("http://127.0.0.1:9006");
    expect(generatorLocalUrl("0.0.0.0", 9006)).toBe("http://127.0.0.1:9006");
    expect(generatorLocalUrl("::", 9006)).toBe("http://127.0.0.1:9006");
    expect(generatorLocalUrl("10.0.0.5", 9006)).toBe("http://10.0.0.5:9006");
    expect(generatorLocalUrl("::1", 9006)).toBe("http://[::1]:9006");
  });
});
