import type { StorageSettings } from "@sorami/config";

/**
 * Where the browser fetches media from besides this origin: on S3, media
 * URLs redirect to GETs signed for the bucket, so its origin must be allowed
 * for images and video. Null for local storage.
 */
export function mediaOrigin(storage: StorageSettings): string | null {
  if (storage.kind !== "s3") {
    return null;
  }
  if (storage.endpoint) {
    const url = new URL(storage.endpoint);
    return storage.forcePathStyle ? url.origin : `${url.protocol}//${storage.bucket}.${url.host}`;
  }
  return storage.forcePathStyle
    ? `https://s3.${storage.region}.amazonaws.com`
    : `https://${storage.bucket}.s3.${storage.region}.amazonaws.com`;
}

/**
 * Content-Security-Policy. Scripts: 'self' plus 'unsafe-inline', because
 * the App Router streams its payload in inline <script> tags; the other way
 * (a nonce per response) makes every page dynamic. So the XSS defence is that
 * nothing user-given is ever HTML: React escapes every text node, no
 * dangerouslySetInnerHTML, and e2e/security checks a prompt made of markup
 * renders as text. Never 'unsafe-eval' in a build; `next dev` alone adds it
 * (React's dev tooling evaluates code).
 */
export function contentSecurityPolicy(options: { dev: boolean; mediaOrigin: string | null }): string {
  const media = options.mediaOrigin ? ` ${options.mediaOrigin}` : "";
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${options.dev ? " 'unsafe-eval'" : ""}`,
    // Inline style attributes (progress bars, aspect ratios) and Next's own <style> tags.
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${media}`,
    `media-src 'self' blob:${media}`,
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}
