import { type SQL, sql } from "drizzle-orm";
import type { Tx } from "./client";

/** Queue schemas: each service's graphile-worker lives in its own PostgreSQL schema. */
export const QUEUE_SCHEMAS = { web: "web_worker", generator: "generator_worker" } as const;
export type QueueSchema = (typeof QUEUE_SCHEMAS)[keyof typeof QUEUE_SCHEMAS];

export type EnqueueOptions = {
  /** Deduplicates: a second add with the same key replaces a job that has not started. */
  jobKey?: string;
  maxAttempts?: number;
  runAt?: Date;
  /** Lower runs first (graphile-worker's order); default 0. */
  priority?: number;
};

/**
 * Adds a graphile-worker job through the caller's transaction, so the job
 * exists if and only if the rows it concerns were committed.
 */
export async function enqueue(
  tx: Tx,
  schema: QueueSchema,
  identifier: string,
  payload: Record<string, unknown>,
  options: EnqueueOptions = {},
): Promise<void> {
  await tx.execute(sql`select ${addJobCall(schema, identifier, payload, options)}`);
}

/**
 * The `add_job(…)` call `enqueue` runs, as an SQL fragment, for a statement
 * that adds the job only if another part of it wrote something, e.g.
 * `with d as (insert … on conflict do nothing returning id) select <this> from d`:
 * one round trip instead of two.
 */
export function addJobCall(
  schema: QueueSchema,
  identifier: string,
  payload: Record<string, unknown>,
  options: EnqueueOptions = {},
): SQL {
  return sql`${sql.raw(`"${schema}"`)}.add_job(
    ${identifier},
    ${JSON.stringify(payload)}::json,
    job_key => ${options.jobKey ?? null}::text,
    max_attempts => ${options.maxAttempts ?? 25}::int,
    run_at => ${options.runAt?.toISOString() ?? null}::timestamptz,
    priority => ${options.priority ?? null}::int
  )`;
}
