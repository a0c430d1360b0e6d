import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { AppError } from "@sorami/contracts";
import { env } from "../../env";

/**
 * Signed links to Sorami's own media, for clients that fetch a file without
 * any credential (an OpenAI client given `url`): `/api/media/{key}?expires=
 * {unix seconds}&signature={base64url HMAC-SHA256 of "key\nexpires"}`. The
 * HMAC key is derived from the auth secret for this one purpose (HKDF), so
 * a link can only come from this server and says nothing about any other
 * secret; rotating BETTER_AUTH_SECRET voids every link. A link names one
 * file and stops working at its expiry; a deleted job's files are gone.
 */
let linkKey: Buffer | undefined;
function key(): Buffer {
  linkKey ??= Buffer.from(hkdfSync("sha256", env().authSecret, "", "sorami media links v1", 32));
  return linkKey;
}

function sign(storageKey: string, expires: number): Buffer {
  return createHmac("sha256", key()).update(`${storageKey}\n${expires}`).digest();
}

/** An absolute link to a stored file, valid for `lifetimeSeconds` (MEDIA_LINK_SECONDS). */
export function signedMediaUrl(storageKey: string, lifetimeSeconds = env().mediaLinkSeconds, now = Date.now()): string {
  const expires = Math.floor(now / 1000) + lifetimeSeconds;
  const signature = sign(storageKey, expires).toString("base64url");
  return `${env().webUrl}/api/media/${storageKey}?expires=${expires}&signature=${signature}`;
}

/** Whether a request for a media file carries a link signature (then it is judged by that alone). */
export function isSignedMediaRequest(search: URLSearchParams): boolean {
  return search.has("signature") || search.has("expires");
}

/**
 * Checks a signed link: 403 when the signature is not this server's for
 * this key and expiry (an altered link), then 403 when it has expired. The
 * signature is compared in constant time.
 */
export function assertValidMediaLink(storageKey: string, search: URLSearchParams, now = Date.now()): void {
  const expiresText = search.get("expires") ?? "";
  const given = Buffer.from(search.get("signature") ?? "", "base64url");
  const expires = /^\d{1,12}$/.test(expiresText) ? Number(expiresText) : Number.NaN;
  const expected = Number.isSafeInteger(expires) ? sign(storageKey, expires) : null;
  if (!expected || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AppError("forbidden", "This media link is not valid", { field: "signature" });
  }
  if (expires * 1000 <= now) {
    throw new AppError("forbidden", "This media link has expired", { field: "expires" });
  }
}
