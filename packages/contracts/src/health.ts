import { z } from "zod";
import { activeProvidersSchema } from "./providers";

export const generatorStateSchema = z.enum(["ok", "degraded", "unreachable"]);
export type GeneratorState = z.infer<typeof generatorStateSchema>;

/**
 * GET /api/health (web) and GET /health (generator): 200 when the database
 * and the service's queue answer, else 503 with the same body (the web app's
 * status is also "degraded" while its generator is away, still with 200). Public, so it
 * names states, never an error's text (that goes to the service's log).
 */
export const healthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  service: z.enum(["web", "generator"]),
  database: z.enum(["ok", "unreachable"]),
  queue: z.enum(["ok", "not migrated", "worker not running", "unknown"]),
  providers: activeProvidersSchema,
  /**
   * The web app's view of its generator (absent in the generator's own
   * answer): "degraded" when it answers but not 2xx, "unreachable" when it
   * does not answer in time. The web app still serves (200) while it is away.
   */
  generator: generatorStateSchema.optional(),
});
export type Health = z.infer<typeof healthSchema>;

/** GET /api/health/live: the process serves requests (nothing else is checked). */
export const livenessSchema = z.object({ status: z.literal("ok") });
