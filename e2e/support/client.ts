import { readFileSync } from "node:fs";
import path from "node:path";
import type { GeneratedSecrets } from "@sorami/config";
import pg from "pg";

export type TestUser = { id: string; email: string; token: string };

/** Signs up a fresh user through better-auth's HTTP API; returns its bearer token. */
export async function signUp(webUrl: string, name = "Test User", fixedEmail?: string): Promise<TestUser> {
  const email =
    fixedEmail ?? `${name.toLowerCase().replace(/\W+/g, "-")}-${Math.random().toString(36).slice(2)}@example.test`;
  const res = await fetch(`${webUrl}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, email, password: "correct horse battery" }),
  });
  if (!res.ok) {
    throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  }
  const body = (await res.json()) as { token: string; user: { id: string } };
  return { id: body.user.id, email, token: body.token };
}

export function api(webUrl: string, token?: string) {
  return async (method: string, route: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${webUrl}${route}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any = null;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: res.status, json, text, headers: res.headers };
  };
}

export function secretsOf(dataDir: string): GeneratedSecrets {
  return JSON.parse(readFileSync(path.join(dataDir, "secrets.json"), "utf8"));
}

/** Polls until `check` returns a value (not a timing assertion: the deadline only stops a hung test). */
export async function waitFor<T>(
  check: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) {
        return value;
      }
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

export async function sql<T = Record<string, unknown>>(
  databaseUrl: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}
