import { z } from "zod";
import {
  ADMIN_DELIVERY_FILTERS,
  adminCursorSchema,
  adminDeliverySchema,
  adminLimitSchema,
  adminProviderCallSchema,
  adminQueueSchema,
  commaListOf,
} from "./admin";
import { generatorJobViewSchema } from "./generator";

/**
 * The generator's admin API (service key, like every generator route): what
 * the web app's admin console needs from the generator's own tables — its
 * queue, its processes, its webhook deliveries and a job's runs — through the
 * one typed client, so the generator's tables are never read by the web app.
 */

/** GET /api/admin/summary */
export const generatorAdminSummarySchema = z.object({
  queue: adminQueueSchema.shape.tasks.unwrap(),
  processes: adminQueueSchema.shape.processes.unwrap(),
  deliveries: z.object({
    pending: z.number().int(),
    failing: z.number().int(),
    dead: z.number().int(),
    disabled: z.number().int(),
  }),
});
export type GeneratorAdminSummary = z.infer<typeof generatorAdminSummarySchema>;

/** GET /api/admin/jobs/{id}: the generator's record of a job, its provider calls and its deliveries. */
export const generatorJobStorySchema = z.object({
  job: generatorJobViewSchema,
  provider_calls: z.array(adminProviderCallSchema),
  deliveries: z.array(adminDeliverySchema),
});
export type GeneratorJobStory = z.infer<typeof generatorJobStorySchema>;

/** GET /api/admin/deliveries query (the web app passes its admin's on). */
export const generatorDeliveriesQuerySchema = z
  .object({
    problem: commaListOf(ADMIN_DELIVERY_FILTERS).optional(),
    cursor: adminCursorSchema.optional(),
    limit: adminLimitSchema,
  })
  .strict();

export const generatorDeliveryPageSchema = z.object({
  deliveries: z.array(adminDeliverySchema),
  next_cursor: z.string().nullable(),
});
export type GeneratorDeliveryPage = z.infer<typeof generatorDeliveryPageSchema>;

/** POST /api/admin/jobs/{id}/redeliver: the job's failing, dead and disabled deliveries, queued again. */
export const generatorRedeliverJobSchema = z.object({ job_id: z.string(), delivery_ids: z.array(z.string()) });
export type GeneratorRedeliverJob = z.infer<typeof generatorRedeliverJobSchema>;

/** POST /api/jobs/{id}/screen: each stored image of a completed job (a video's poster) scored by the screening model. */
export const generatorScreenSchema = z.object({
  job_id: z.string(),
  files: z.array(
    z.object({
      /** The file's place in the job's result list (0-based, as the web app's media_files.index). */
      index: z.number().int(),
      /** The key that was scored: the image, or the video's poster. */
      scored_key: z.string(),
      /** nsfwjs's class probabilities; null when the bytes could not be decoded. */
      scores: z.record(z.string(), z.number()).nullable(),
      nsfw: z.number().min(0).max(1).nullable(),
    }),
  ),
});
export type GeneratorScreen = z.infer<typeof generatorScreenSchema>;
