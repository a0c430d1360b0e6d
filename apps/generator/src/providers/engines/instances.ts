import { excerpt } from "../retry";
import { ProviderError } from "../types";

/**
 * One server of a self-hosted engine (a ComfyUI or an A1111/Forge on a GPU
 * the operator owns). Its URL comes from the operator's configuration, never
 * from a user, and is usually on the LAN: it is called with plain fetch, not
 * the safe fetcher (which refuses private addresses by design). Every path
 * Sorami calls is built from this base; nothing a server answers is followed
 * as a URL.
 */
export type EngineInstance = {
  /** The base URL without credentials: what handles, logs and the detail page show. */
  name: string;
  /** The base URL without credentials and without a trailing slash. */
  baseUrl: string;
  /** Sent with every request and websocket upgrade (a proxy's Authorization, ComfyUI-Login's bearer token). */
  headers: Record<string, string>;
};

/** A mistake in an engine's configuration, naming the variable (start-up refuses). */
export class EngineConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = "EngineConfigError";
  }
}

/** Engines answer health probes fast; a server slower than this is treated as down for that probe. */
export const HEALTH_TIMEOUT_MS = 3000;
/** Ordinary API calls (queue, history, options): small JSON answers. */
export const API_TIMEOUT_MS = 15_000;

/** `Name: value`, as an operator writes a header. */
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.+)$/;

export function parseHeaderLine(variable: string, line: string): [string, string] {
  const m = HEADER_LINE.exec(line.trim());
  if (!m?.[1] || !m[2]) {
    throw new EngineConfigError(variable, "must be one header written as `Name: value`");
  }
  return [m[1], m[2].trim()];
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;

/**
 * Parses a comma-separated list of base URLs. Credentials in a URL
 * (`https://user:pass@host`) become a Basic Authorization header and are
 * removed from the name; `headerFor(i)` may add one more header for the
 * i-th URL (1-based), and `defaultBasicAuth` (`user:password`, A1111's
 * --api-auth syntax) applies to URLs without their own credentials.
 */
export function parseInstances(options: {
  variable: string;
  urls: string | undefined;
  headerFor?: (position: number) => { variable: string; value: string } | undefined;
  defaultBasicAuth?: { variable: string; value: string };
}): EngineInstance[] {
  const { variable } = options;
  const raw = (options.urls ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const seen = new Set<string>();
  return raw.map((text, i) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new EngineConfigError(variable, `entry ${i + 1} is not a URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new EngineConfigError(variable, `entry ${i + 1} must be an http(s) URL`);
    }
    if (url.search || url.hash) {
      throw new EngineConfigError(variable, `entry ${i + 1} must be a base URL, without ?query or #fragment`);
    }
    const headers: Record<string, string> = {};
    if (url.username) {
      headers.Authorization = basic(decodeURIComponent(url.username), decodeURIComponent(url.password));
    } else if (options.defaultBasicAuth) {
      const { variable: authVariable, value } = options.defaultBasicAuth;
      const colon = value.indexOf(":");
      if (colon < 1) {
        throw new EngineConfigError(authVariable, "must be written as user:password");
      }
      headers.Authorization = basic(value.slice(0, colon), value.slice(colon + 1));
    }
    const extra = options.headerFor?.(i + 1);
    if (extra) {
      const [name, value] = parseHeaderLine(extra.variable, extra.value);
      headers[name] = value;
    }
    url.username = "";
    url.password = "";
    const baseUrl = url.toString().replace(/\/+$/, "");
    if (seen.has(baseUrl)) {
      throw new EngineConfigError(variable, `entry ${i + 1} repeats ${baseUrl}`);
    }
    seen.add(baseUrl);
    return { name: baseUrl, baseUrl, headers };
  });
}

/** The instance a stored handle names, or undefined when the operator no longer configures it. */
export function instanceNamed(instances: readonly EngineInstance[], name: string | undefined) {
  return instances.find((i) => i.name === name);
}

export type EngineRequest = {
  method?: string;
  json?: unknown;
  body?: BodyInit;
  signal?: AbortSignal;
  timeoutMs?: number;
};

/**
 * One HTTP call to an engine: the instance's headers, a time limit, and the
 * caller's signal. A network failure or a timeout becomes a transient
 * ProviderError naming the engine; an abort by the caller's signal is
 * rethrown as is, so a canceled job stops with its own reason.
 */
export async function engineFetch(
  engine: string,
  instance: EngineInstance,
  path: string,
  request: EngineRequest = {},
): Promise<Response> {
  const timeout = AbortSignal.timeout(request.timeoutMs ?? API_TIMEOUT_MS);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  const headers: Record<string, string> = { ...instance.headers };
  let body = request.body;
  if (request.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(request.json);
  }
  try {
    return await fetch(`${instance.baseUrl}${path}`, {
      method: request.method ?? (body === undefined ? "GET" : "POST"),
      headers,
      body,
      signal,
      redirect: "error",
    });
  } catch (error) {
    if (request.signal?.aborted) {
      throw request.signal.reason ?? error;
    }
    if (timeout.aborted) {
      throw new ProviderError("timeout", `${engine} at ${instance.name} did not answer in time (${path})`);
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new ProviderError("transient", `${engine} at ${instance.name} could not be reached: ${excerpt(reason)}`);
  }
}

/** Reads a JSON answer; a body that is not JSON is the engine's fault, worth retrying. */
export async function readJson(engine: string, instance: EngineInstance, response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    throw new ProviderError(
      "transient",
      `${engine} at ${instance.name} answered HTTP ${response.status} with something that is not JSON: ${excerpt(text, 120)}`,
    );
  }
}

/** Reads a body up to `max` bytes; a larger one is refused rather than held in memory. */
export async function readCapped(response: Response, max: number, what: string): Promise<Buffer> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > max) {
    await response.body?.cancel();
    throw new ProviderError("no_output", `${what} is ${declared} bytes, more than the ${max} Sorami accepts`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  if (!response.body) {
    return Buffer.alloc(0);
  }
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      return Buffer.concat(chunks);
    }
    total += value.length;
    if (total > max) {
      await reader.cancel();
      throw new ProviderError("no_output", `${what} is more than the ${max} bytes Sorami accepts`);
    }
    chunks.push(Buffer.from(value));
  }
}
