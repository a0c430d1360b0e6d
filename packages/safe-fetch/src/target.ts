import { blockedReason, parseIp } from "./address";
import { SafeFetchError } from "./errors";

export { SafeFetchError };

/**
 * The checks a URL passes before any network traffic: scheme, no
 * credentials, and — when the host is written as an IP address or is a
 * localhost name — a public address. The web app runs these at submit time
 * (an early 422); the fetcher runs them again on every hop, then checks
 * what DNS answers.
 */

const DEFAULT_PORT: Record<string, string> = { "http:": "80", "https:": "443" };

type AllowEntry = { hostname: string; port: string | null };

/** "host", "host:port", "[v6]" or "[v6]:port", normalized the way URLs are ("2130706433" is 127.0.0.1). */
function parseAllowEntry(entry: string): AllowEntry | null {
  const m = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(entry.trim());
  if (!m?.[1]) {
    return null;
  }
  try {
    return { hostname: new URL(`http://${m[1]}`).hostname.replace(/\.$/, ""), port: m[2] ?? null };
  } catch {
    return null;
  }
}

/** True for a host the operator listed in INPUT_IMAGE_ALLOWED_HOSTS (matched on host and, if given, port). */
export function isAllowedHost(url: URL, allowHosts: readonly string[]): boolean {
  const hostname = url.hostname.replace(/\.$/, "");
  const port = url.port || DEFAULT_PORT[url.protocol] || "";
  return allowHosts.some((raw) => {
    const entry = parseAllowEntry(raw);
    return entry !== null && entry.hostname === hostname && (entry.port === null || entry.port === port);
  });
}

/** A valid allowlist entry (for validating configuration). */
export function isValidAllowEntry(entry: string): boolean {
  return parseAllowEntry(entry) !== null;
}

/** How the refused address was reached, for the message. */
export type Route = { kind: "literal" } | { kind: "redirect" } | { kind: "dns"; hostname: string };

/** What a message calls the URL and its content ("The input image URL", "images"). */
export type Wording = { url: string; things: string };
export const INPUT_IMAGE_WORDING: Wording = { url: "The input image URL", things: "images" };

export function blockedAddressError(
  address: string,
  reason: string,
  route: Route,
  wording: Wording = INPUT_IMAGE_WORDING,
): SafeFetchError {
  const subject =
    route.kind === "dns"
      ? `${wording.url}'s host ${route.hostname} resolves to ${address}`
      : route.kind === "redirect"
        ? `${wording.url} redirects to ${address}`
        : `${wording.url} points to ${address}`;
  return new SafeFetchError(
    "blocked_address",
    `${subject} (${reason} address); Sorami fetches ${wording.things} from public addresses only.`,
  );
}

/**
 * Parses and checks a URL without touching the network; throws a
 * SafeFetchError saying what is wrong. `context` words the message for a
 * redirect ("redirects to").
 */
export function checkTarget(
  raw: string,
  allowHosts: readonly string[] = [],
  context?: "redirect",
  wording: Wording = INPUT_IMAGE_WORDING,
): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SafeFetchError("invalid_url", `${wording.url} is not a valid URL.`);
  }
  const what = context === "redirect" ? `${wording.url} redirects to a URL that` : wording.url;
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new SafeFetchError("invalid_url", `${what} must start with http:// or https://.`);
  }
  if (url.username || url.password) {
    throw new SafeFetchError("invalid_url", `${what} must not contain a user name or password.`);
  }
  if (isAllowedHost(url, allowHosts)) {
    return url;
  }
  const host = url.hostname.replace(/\.$/, "");
  const route: Route = { kind: context === "redirect" ? "redirect" : "literal" };
  if (parseIp(host)) {
    const reason = blockedReason(host);
    if (reason) {
      throw blockedAddressError(host, reason, route, wording);
    }
  } else if (host === "localhost" || host.endsWith(".localhost")) {
    // RFC 6761: these names always mean this machine.
    throw blockedAddressError(host, "loopback", route, wording);
  }
  return url;
}
