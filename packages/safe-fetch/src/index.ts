/**
 * # @sorami/safe-fetch — the one way Sorami fetches a URL a user gave
 *
 * Users may give an input image as a URL (`input_image_url`). Fetching it
 * from the server is a server-side request forgery (SSRF) risk: the URL
 * could point at the database, the generator, a cloud metadata service or
 * anything else on the private network. Every such fetch goes through
 * {@link fetchImage}, which enforces:
 *
 * 1. **Scheme**: `http:` and `https:` only; no user name or password in the URL.
 * 2. **Address**: the host is resolved **once** (all its addresses) and
 *    every address must be public unicast. Refused: loopback (127/8, ::1),
 *    private (10/8, 172.16/12, 192.168/16), carrier-grade NAT (100.64/10),
 *    link-local (169.254/16, fe80::/10) including the cloud metadata
 *    service (169.254.169.254, fd00:ec2::254), unique-local (fc00::/7),
 *    multicast, documentation, benchmarking and reserved ranges, `0.0.0.0/8`,
 *    everything outside IPv6 global unicast (2000::/3), and IPv6 forms that
 *    embed a refused IPv4 address (IPv4-mapped `::ffff:127.0.0.1`, NAT64,
 *    6to4). Numeric host spellings (`http://2130706433/`,
 *    `http://0177.0.0.1/`, `http://0x7f.1/`) are normalized by the WHATWG
 *    URL parser before the check, so they are judged as 127.0.0.1.
 *    `localhost` and `*.localhost` are refused by name.
 * 3. **No DNS rebinding**: the connection is made to the address that was
 *    checked (a pinned `lookup`), while the host name still goes into the
 *    Host header and TLS (SNI and certificate verification).
 * 4. **Redirects**: followed by hand, at most {@link FETCH_MAX_REDIRECTS} (3);
 *    every hop is checked again from rule 1.
 * 5. **Time**: the whole fetch (DNS, every hop, the body) within
 *    {@link FETCH_TIMEOUT_MS} (10 s).
 * 6. **Size**: at most {@link FETCH_MAX_BYTES} (7 MiB, the input image limit),
 *    enforced while streaming: a larger Content-Length is refused before
 *    reading, and a body that streams past the cap is cut off.
 * 7. **Type**: PNG, JPEG or WEBP judged by the bytes (magic numbers), never
 *    by Content-Type; a body that does not start like an image is dropped
 *    after its first 12 bytes.
 *
 * The operator may list hosts in `INPUT_IMAGE_ALLOWED_HOSTS` (`host` or
 * `host:port`, comma-separated; empty by default) that are allowed to be on
 * a private address, e.g. an intranet image server. Only rule 2 is lifted,
 * for those hosts only; a redirect away from them is checked in full.
 *
 * {@link fetchMedia} applies the same rules to files a model provider made
 * (images and videos, by their bytes; the provider's configured host may be
 * allowed), with the caller's size cap and time limit.
 *
 * {@link checkTarget} runs rules 1–2 without any network traffic (literal
 * IPs and localhost names); the web app uses it to answer 422 at submit.
 * Errors are {@link SafeFetchError}s whose messages a user can read, with
 * `permanent` false when trying again later may help (timeouts, network
 * errors, 5xx answers). Tests: `fetch.test.ts`, `address.test.ts`.
 */
export { blockedReason, parseIp } from "./address";
export { SAFE_FETCH_ERROR_CODES, SafeFetchError, type SafeFetchErrorCode } from "./errors";
export {
  FETCH_MAX_BYTES,
  FETCH_MAX_REDIRECTS,
  FETCH_TIMEOUT_MS,
  type FetchedImage,
  type FetchImageOptions,
  type FetchOptions,
  fetchImage,
  type ResolvedAddress,
  type Resolver,
  systemResolver,
} from "./fetch";
export { type FetchedMedia, fetchMedia } from "./media";
export { checkTarget, isAllowedHost, isValidAllowEntry } from "./target";
