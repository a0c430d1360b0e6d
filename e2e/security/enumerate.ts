import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AppContext } from "../../apps/generator/src/context";
import { buildServer, routesOf } from "../../apps/generator/src/http/server";
import { ROUTES } from "./routes";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const APP_DIR = path.join(ROOT, "apps/web/app");

export type RealRoute = { service: "web" | "generator"; method: string; path: string };

const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** The methods a route file exports: `export const GET =`, `export async function POST(`, `export const { GET, POST } =`. */
export function exportedMethods(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(/export\s+(?:const|let|async\s+function|function)\s+([A-Z]+)\b/g)) {
    found.add(m[1] ?? "");
  }
  for (const m of source.matchAll(/export\s+const\s*\{([^}]*)\}/g)) {
    for (const name of (m[1] ?? "").split(",")) {
      found.add(name.split(":")[0]?.trim() ?? "");
    }
  }
  return HTTP_METHODS.filter((method) => found.has(method));
}

/** Every web route handler: each `apps/web/app/**\/route.ts` (the API's and /metrics) and the methods it exports. */
export function webRoutes(): RealRoute[] {
  const routes: RealRoute[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (/^route\.(ts|tsx|js)$/.test(entry.name)) {
        const segments = path
          .relative(APP_DIR, dir)
          .split(path.sep)
          .filter((s) => !/^\(.*\)$/.test(s)); // route groups do not appear in URLs
        for (const method of exportedMethods(readFileSync(full, "utf8"))) {
          routes.push({ service: "web", method, path: `/${segments.join("/")}` });
        }
      }
    }
  };
  walk(APP_DIR);
  return routes;
}

/** Every route the generator registers, read from a server built the way main.ts builds it. */
export async function generatorRoutes(): Promise<RealRoute[]> {
  // Registration only closes over the context; nothing in it is used until a request arrives.
  const app = buildServer({} as AppContext);
  await app.ready();
  const routes = routesOf(app).map((r): RealRoute => ({ service: "generator", method: r.method, path: r.url }));
  await app.close();
  return routes;
}

const key = (r: { service: string; method: string; path: string }) => `${r.service} ${r.method} ${r.path}`;

/** Routes with no entry in ROUTES, and entries naming no real route: both must be empty. */
export async function compareWithTable(): Promise<{ real: RealRoute[]; missing: string[]; stale: string[] }> {
  const real = [...webRoutes(), ...(await generatorRoutes())];
  const table = new Set(ROUTES.flatMap((e) => e.methods.map((method) => key({ ...e, method }))));
  const realKeys = new Set(real.map(key));
  return {
    real,
    missing: [...realKeys].filter((k) => !table.has(k)).sort(),
    stale: [...table].filter((k) => !realKeys.has(k)).sort(),
  };
}
