import { z } from "zod";
import { activeProvidersSchema } from "./providers";

/**
 * GET /api/health (web) and GET /health (generator): 200 when the database
 * and the service's queue answer, else 503 with the same body. Public, so it
 * names states, never an error's text (that goes to the service's log).
 */
export const healthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  service: z.enum(["web", "generator"]),
  database: z.enum(["ok", "unreachable"]),
  queue: z.enum(["ok", "not migrated", "worker not running", "unknown"]),
  /** The web app's view of the generator: it keeps serving (200) while the generator is away, but says so. */
  generator: z.union([z.literal("ok"), z.literal("unreachable"), z.string().regex(/^degraded \(\d{3}\)$/)]).optional(),
  /** The default model of each kind (absent while a web process does not yet know the catalog). */
  providers: activeProvidersSchema.optional(),
});
export type Health = z.infer<typeof healthSchema>;

/** GET /api/health/live: the process serves requests (nothing else is checked). */
export const livenessSchema = z.object({ status: z.literal("ok") });
