import type { WebhookPayload } from "@sorami/contracts";
import { newWebhookId, signWebhook, WEBHOOK_HEADERS } from "@sorami/contracts/signature";
import type pg from "pg";

/** A `completed` webhook as the generator sends it, with `images` files. */
export function completedPayload(jobId: string, userId: string, images = 4): WebhookPayload {
  return {
    job_id: jobId,
    user_id: userId,
    status: "completed",
    progress: 100,
    message: `${images} image(s) generated`,
    timestamp: new Date().toISOString(),
    data: {
      job_id: jobId,
      images: Array.from({ length: images }, (_, i) => ({
        file_path: `images/${jobId}/image_${i + 1}.png`,
        url: `http://127.0.0.1/api/media/images/${jobId}/image_${i + 1}.png`,
        description: "a lighthouse at dawn, bench",
        format: "PNG",
        size_bytes: 48_213 + i,
        dimensions: "1024x1024",
      })),
      metadata: { model_name: "local-image-v1", generation_time_seconds: 0.42 },
      original_prompt: "a lighthouse at dawn, bench",
    },
  };
}

/** Signed request headers over the exact body, as the generator's delivery task makes them. */
export function signedHeaders(secret: string, body: string): Record<string, string> {
  const id = newWebhookId();
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    "content-type": "application/json",
    [WEBHOOK_HEADERS.id]: id,
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
    [WEBHOOK_HEADERS.signature]: signWebhook(secret, id, timestamp, body),
  };
}

/**
 * Jobs for one user straight in the database, as the web app leaves them
 * once generation has started (GENERATING, 60 %), ready for their
 * `completed` webhook. One statement, so thousands take well under a second.
 */
export async function precreateJobs(pool: pg.Pool, userId: string, count: number): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `insert into generations (id, kind, author_id, organization_id, prompt, params, status, progress, message, created_at, updated_at)
     select gen_random_uuid()::text, 'image', $1,
            (select organization_id from members where user_id = $1 limit 1),
            'a lighthouse at dawn, bench', '{"num_images":4,"size":"1024x1024","format":"PNG"}'::jsonb,
            'GENERATING', 60, 'Generating…', date_trunc('milliseconds', now()), now()
     from generate_series(1, $2::int)
     returning id`,
    [userId, count],
  );
  return rows.map((r) => r.id);
}
