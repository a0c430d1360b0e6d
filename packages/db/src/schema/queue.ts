import { index, integer, pgSchema, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Liveness of queue worker pools. graphile-worker 0.17 only frees a crashed
 * worker's jobs after 4 hours; every pool beats here, and any live pool
 * frees the jobs of pools that stopped beating (see queue-health.ts).
 */
export const queueHealthSchema = pgSchema("queue_health");

export const queueHeartbeats = queueHealthSchema.table(
  "heartbeats",
  {
    /** graphile-worker's worker pool id: what its jobs' `locked_by` holds. */
    poolId: text("pool_id").primaryKey(),
    queue: text("queue").notNull(),
    pid: integer("pid").notNull(),
    lastSeen: timestamp("last_seen", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("heartbeats_queue_last_seen_idx").on(t.queue, t.lastSeen)],
);
