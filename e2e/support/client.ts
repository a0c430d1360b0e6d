import { readFileSync } from "node:fs";
import path from "node:path";
import type { GeneratedSecrets } from "@sorami/config";
import {
  type ApiTable,
  answerFor,
  answerProblem,
  type ErrorBody,
  errorBodySchema,
  GENERATOR_API,
  type SuccessOf,
  WEB_API,
} from "@sorami/contracts";
import pg from "pg";

export type TestUser = { id: string; email: string; token: string };

/** Signs up a fresh user through better-auth's HTTP API; returns its bearer token. */
export async function signUp(webUrl: string, name = "Test User", fixedEmail?: string): Promise<TestUser> {
  const email =
    fixedEmail ?? `${name.toLowerCase().replace(/\W+/g, "-")}-${Math.random().toString(36).slice(2)}@example.test`;
  const res = await api(webUrl)("POST", "/api/auth/sign-up/email", { name, email, password: "correct horse battery" });
  if (res.status !== 200) {
    throw new Error(`sign-up failed: ${res.status} ${res.text}`);
  }
  return { id: res.data.user.id, email, token: res.data.token };
}

/**
 * One answer, checked against its contract on arrival (packages/contracts/src/api.ts):
 * an answer that drifts from it fails the test that received it.
 */
export type Reply<T> = {
  status: number;
  text: string;
  headers: Headers;
  /** The body parsed as JSON whatever the status, or null when it is not JSON. */
  json: unknown;
  /** The success body, typed by its route's contract; reading it after a failure throws, naming the answer. */
  readonly data: T;
  /** The error of a failure, in the one error shape; reading it after a success throws. */
  readonly error: ErrorBody["error"];
};

/** Wraps a received answer: checks it against `table`, then gives typed access to it. */
export function reply<T>(
  table: ApiTable,
  request: { method: string; path: string },
  answer: { status: number; text: string; headers: Headers },
): Reply<T> {
  const problem = answerProblem(table, request, {
    status: answer.status,
    contentType: answer.headers.get("content-type"),
    body: answer.text,
  });
  if (problem) {
    throw new Error(`An answer broke its contract: ${problem}`);
  }
  let json: unknown = null;
  try {
    json = JSON.parse(answer.text);
  } catch {}
  const what = `${request.method} ${request.path} answered ${answer.status}: ${answer.text.slice(0, 300)}`;
  // Getters that are not enumerable: spreading a reply (or printing it) never reads the wrong one.
  return Object.defineProperties(
    { ...answer, json },
    {
      data: {
        get(): T {
          if (answer.status >= 400) {
            throw new Error(`expected a success, but ${what}`);
          }
          return json as T;
        },
      },
      error: {
        get(): ErrorBody["error"] {
          if (answer.status < 400) {
            throw new Error(`expected a failure, but ${what}`);
          }
          return errorBodySchema.parse(json).error;
        },
      },
    },
  ) as Reply<T>;
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * fetch, for a request to either service that a test makes by hand (files,
 * raw bodies, its own headers): the answer is checked against its contract
 * before the test reads it (a success's media file or event stream is left
 * unread), and returned as fetch gave it.
 */
export async function fetchChecked(
  url: string,
  init: RequestInit = {},
  service: "web" | "generator" = "web",
): Promise<Response> {
  const res = await fetch(url, init);
  const table: ApiTable = service === "generator" ? GENERATOR_API : WEB_API;
  const { pathname, search } = new URL(url);
  const request = { method: init.method ?? "GET", path: `${pathname}${search}` };
  const ok = answerFor(table, request.method, request.path)?.answer.ok;
  if (res.status < 400 && (ok === "file" || ok === "stream")) {
    return res;
  }
  const problem = answerProblem(table, request, {
    status: res.status,
    contentType: res.headers.get("content-type"),
    body: await res.clone().text(),
  });
  if (problem) {
    throw new Error(`An answer broke its contract: ${problem}`);
  }
  return res;
}

/** fetchChecked for the generator's API. */
export const fetchGenerator = (url: string, init: RequestInit = {}) => fetchChecked(url, init, "generator");

/** A caller of the web API (as `token`'s user, or anonymous); every answer is checked against its contract. */
export function api(webUrl: string, token?: string) {
  return async <M extends Method, P extends string>(
    method: M,
    route: P,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply<SuccessOf<typeof WEB_API, M, P>>> => {
    const res = await fetch(`${webUrl}${route}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    return reply(
      WEB_API,
      { method, path: route },
      { status: res.status, text: await res.text(), headers: res.headers },
    );
  };
}

/** The value, or a failed test saying what was missing: narrows `T | undefined` (an empty list, a missing row). */
export function present<T>(value: T | null | undefined, what = "a value"): T {
  if (value === null || value === undefined) {
    throw new Error(`expected ${what}, found none`);
  }
  return value;
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
