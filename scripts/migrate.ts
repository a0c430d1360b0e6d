import { runMigrations } from "@sorami/db/migrate";
import { z } from "zod";

/**
 * `npm run db:migrate`: brings DATABASE_URL's schema (tables and both queue
 * schemas) up to this release, then exits. Run it once before starting a
 * new release's processes; several at once are serialised by a lock.
 */
const env = z.object({ DATABASE_URL: z.string().min(1, "DATABASE_URL is required") }).safeParse(process.env);
if (!env.success) {
  console.error(`db:migrate: ${env.error.issues.map((i) => i.message).join("; ")}`);
  process.exit(1);
}
const started = Date.now();
try {
  await runMigrations(env.data.DATABASE_URL);
  console.log(`db:migrate: up to date (${Date.now() - started} ms)`);
} catch (error) {
  console.error(`db:migrate failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
