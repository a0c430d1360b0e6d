/**
 * The credential a request authenticates by, decided from which headers it
 * carries before any of them is checked. An `Authorization` header, whatever
 * its scheme or value, makes it a bearer request: it is authenticated by
 * that header alone, and its cookie is never consulted (a bad header is a
 * 401, not a fall back to the cookie). Only a request without one is a
 * cookie request, and only those are origin-checked (`origin.ts`) and held
 * to the strict JSON content type (`readJson`): a browser attaches cookies
 * to another site's requests by itself, never an Authorization header.
 */
export type Credential = "bearer" | "cookie" | "none";

export function credentialOf(headers: Headers): Credential {
  if (headers.has("authorization")) {
    return "bearer";
  }
  return headers.has("cookie") ? "cookie" : "none";
}
