import { promises as dns } from "node:dns";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { INPUT_IMAGE_MAX_BYTES, sniffImageType } from "@sorami/contracts";
import { blockedReason } from "./address";
import { SafeFetchError } from "./errors";
import { blockedAddressError, checkTarget, INPUT_IMAGE_WORDING, isAllowedHost, type Wording } from "./target";

/** The whole fetch (every hop, DNS and body) must finish within this. */
export const FETCH_TIMEOUT_MS = 10_000;
/** Redirects followed; one more is refused. */
export const FETCH_MAX_REDIRECTS = 3;
/** Bytes read at most, counted while streaming (a missing or lying Content-Length changes nothing). */
export const FETCH_MAX_BYTES = INPUT_IMAGE_MAX_BYTES;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = "Sorami fetcher";
/** Enough leading bytes to recognise PNG, JPEG and WEBP (RIFF....WEBP), and MP4's ftyp brand. */
const SNIFF_BYTES = 12;

/** What one kind of fetch accepts and how its messages speak (input images, provider outputs). */
export type FetchProfile<T extends string> = {
  /** The type the bytes show, or null for "not what was expected". */
  sniff: (bytes: Uint8Array) => T | null;
  /** The Accept header sent. */
  accept: string;
  /**
   * body: "The input image" (size); expected: "a PNG, JPEG or WEBP image"
   * (wrong type); item: "the image" (timeout); instead: "an image" (HTTP error).
   */
  wording: Wording & { body: string; expected: string; item: string; instead: string };
};

export type ResolvedAddress = { address: string; family: 4 | 6 };
/** Resolves a host name to every address it has (the default asks the system resolver). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export type FetchImageOptions = {
  /** Hosts ("host" or "host:port") allowed to resolve to private addresses: the operator's INPUT_IMAGE_ALLOWED_HOSTS. */
  allowHosts?: readonly string[];
  resolve?: Resolver;
  /** The caller's cancellation; its reason is rethrown as is. */
  signal?: AbortSignal;
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
};

export type FetchedImage = {
  bytes: Buffer;
  type: "PNG" | "JPEG" | "WEBP";
  mimeType: "image/png" | "image/jpeg" | "image/webp";
  /** The URL the bytes finally came from, after redirects. */
  url: string;
  redirects: number;
};

const MIME = { PNG: "image/png", JPEG: "image/jpeg", WEBP: "image/webp" } as const;

export const systemResolver: Resolver = async (hostname) =>
  (await dns.lookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * Resolves the URL's host once and returns the address to connect to. Every
 * address the name has must be public (unless the operator allowed the
 * host); the connection then goes to that very address, so a second DNS
 * answer (rebinding) never comes into play.
 */
async function resolveOnce(
  url: URL,
  allowHosts: readonly string[],
  resolve: Resolver,
  signal: AbortSignal,
  wording: Wording,
): Promise<ResolvedAddress> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const literal = isIP(host);
  // A literal address was judged by checkTarget already.
  if (literal) {
    return { address: host, family: literal === 6 ? 6 : 4 };
  }
  let addresses: ResolvedAddress[];
  try {
    addresses = await abortable(resolve(host), signal);
  } catch (error) {
    if (signal.aborted) {
      throw error;
    }
    const code = (error as NodeJS.ErrnoException).code;
    const missing = code === "ENOTFOUND" || code === "ENODATA";
    throw new SafeFetchError(
      "dns",
      missing
        ? `${wording.url}'s host ${host} does not exist.`
        : `${wording.url}'s host ${host} could not be resolved right now.`,
      missing,
    );
  }
  if (addresses.length === 0) {
    throw new SafeFetchError("dns", `${wording.url}'s host ${host} has no address.`);
  }
  if (!isAllowedHost(url, allowHosts)) {
    for (const { address } of addresses) {
      const reason = blockedReason(address);
      if (reason) {
        throw blockedAddressError(address, reason, { kind: "dns", hostname: host }, wording);
      }
    }
  }
  return addresses[0] as ResolvedAddress;
}

/** One GET to a pinned address; the URL's host name still goes into Host and TLS (SNI, certificate check). */
function request(url: URL, target: ResolvedAddress, signal: AbortSignal, accept: string): Promise<IncomingMessage> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const pinned = ((_name: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) {
      callback(null, [target]);
    } else {
      callback(null, target.address, target.family);
    }
  }) as unknown as LookupFunction;
  const secure = url.protocol === "https:";
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      {
        host,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: "GET",
        headers: { accept, "user-agent": USER_AGENT },
        lookup: pinned,
        agent: false,
        signal,
        ...(secure && !isIP(host) ? { servername: host } : {}),
      },
      resolve,
    );
    req.on("error", reject);
    req.end();
  });
}

/** Reads the body, refusing it as soon as it passes `maxBytes` or its first bytes are not of an accepted type. */
async function readBody<T extends string>(
  response: IncomingMessage,
  maxBytes: number,
  signal: AbortSignal,
  profile: FetchProfile<T>,
): Promise<Buffer> {
  const tooLarge = () =>
    new SafeFetchError(
      "too_large",
      `${profile.wording.body} is larger than ${maxBytes} bytes (${maxBytes / 1024 / 1024} MiB).`,
    );
  const declared = Number(response.headers["content-length"] ?? Number.NaN);
  if (declared > maxBytes) {
    response.destroy();
    throw tooLarge();
  }
  const onAbort = () => response.destroy(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  const chunks: Buffer[] = [];
  let total = 0;
  let sniffed = false;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) {
        throw tooLarge();
      }
      chunks.push(chunk);
      if (!sniffed && total >= SNIFF_BYTES) {
        sniffed = true;
        if (!profile.sniff(Buffer.concat(chunks))) {
          throw unexpectedType(profile);
        }
      }
    }
  } catch (error) {
    response.destroy();
    throw error;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  return Buffer.concat(chunks);
}

const unexpectedType = <T extends string>(profile: FetchProfile<T>) =>
  new SafeFetchError(
    "not_image",
    `${profile.wording.url} did not return ${profile.wording.expected} (judged by its bytes).`,
  );

export type FetchOptions = FetchImageOptions;

/**
 * The one fetch behind every profile: every rule of the package
 * documentation (index.ts), with what is accepted and how messages speak
 * taken from `profile`.
 */
export async function fetchWithProfile<T extends string>(
  raw: string,
  profile: FetchProfile<T>,
  options: FetchOptions = {},
): Promise<{ bytes: Buffer; type: T; url: string; redirects: number }> {
  const { wording } = profile;
  const allowHosts = options.allowHosts ?? [];
  const resolve = options.resolve ?? systemResolver;
  const maxBytes = options.maxBytes ?? FETCH_MAX_BYTES;
  const maxRedirects = options.maxRedirects ?? FETCH_MAX_REDIRECTS;
  const timeoutMs = options.timeoutMs ?? FETCH_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  try {
    let url = checkTarget(raw, allowHosts, undefined, wording);
    for (let redirects = 0; ; redirects++) {
      const target = await resolveOnce(url, allowHosts, resolve, signal, wording);
      const response = await request(url, target, signal, profile.accept);
      const status = response.statusCode ?? 0;
      if (REDIRECT_STATUSES.has(status)) {
        response.destroy();
        if (redirects >= maxRedirects) {
          throw new SafeFetchError(
            "too_many_redirects",
            `${wording.url} redirects more than ${maxRedirects} times; Sorami follows at most ${maxRedirects} redirects.`,
          );
        }
        const location = response.headers.location;
        if (!location) {
          throw new SafeFetchError("http_status", `${wording.url} answered ${status} without a Location.`);
        }
        url = checkTarget(new URL(location, url).href, allowHosts, "redirect", wording);
        continue;
      }
      if (status !== 200) {
        response.destroy();
        throw new SafeFetchError(
          "http_status",
          `${wording.url} answered HTTP ${status} instead of ${wording.instead}.`,
          status < 500 && status !== 408 && status !== 429,
        );
      }
      const bytes = await readBody(response, maxBytes, signal, profile);
      const type = profile.sniff(bytes);
      if (!type) {
        throw unexpectedType(profile);
      }
      return { bytes, type, url: url.href, redirects };
    }
  } catch (error) {
    if (options.signal?.aborted) {
      throw options.signal.reason ?? error;
    }
    if (deadline.aborted) {
      throw new SafeFetchError(
        "timeout",
        `${wording.url} did not deliver ${wording.item} within ${timeoutMs / 1000} s.`,
        false,
      );
    }
    if (error instanceof SafeFetchError) {
      throw error;
    }
    throw new SafeFetchError(
      "network",
      `${wording.url} could not be fetched: ${(error as Error).message || String(error)}.`,
      false,
    );
  }
}

const INPUT_IMAGE_PROFILE: FetchProfile<"PNG" | "JPEG" | "WEBP"> = {
  sniff: sniffImageType,
  accept: "image/png,image/jpeg,image/webp",
  wording: {
    ...INPUT_IMAGE_WORDING,
    body: "The input image",
    expected: "a PNG, JPEG or WEBP image",
    item: "the image",
    instead: "an image",
  },
};

/**
 * Fetches a user-given image URL safely. See the package documentation in
 * index.ts for every rule; throws SafeFetchError with a readable message,
 * or the caller's abort reason when the caller's signal fires.
 */
export async function fetchImage(raw: string, options: FetchImageOptions = {}): Promise<FetchedImage> {
  const { bytes, type, url, redirects } = await fetchWithProfile(raw, INPUT_IMAGE_PROFILE, options);
  return { bytes, type, mimeType: MIME[type], url, redirects };
}
