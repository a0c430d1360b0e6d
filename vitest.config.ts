import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "packages/*/src/**/*.test.ts",
            "apps/generator/src/**/*.test.ts",
            "apps/web/server/**/*.test.ts",
            "apps/web/lib/**/*.test.ts",
            "scripts/**/*.test.ts",
          ],
          // One PostgreSQL for the run; each test file gets its own database copied from a migrated template.
          globalSetup: ["packages/db/src/test-server.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["e2e/**/*.test.ts"],
          globalSetup: ["e2e/support/global-setup.ts"],
          // Each file runs a whole system (PostgreSQL, generator, Next.js): one at a time on 2 cores.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
