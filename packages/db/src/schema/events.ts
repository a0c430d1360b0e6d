import { bigserial, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./auth";

/**
 * What each user's live stream carried: written in the same transaction as
 * the change it describes and announced with NOTIFY on commit, so every web
 * process can push it and a reconnecting client can replay it by id.
 */
export const userEvents = pgTable(
  "user_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("user_events_user_id_idx").on(t.userId, t.id), index("user_events_created_idx").on(t.createdAt)],
);
export type UserEventRow = typeof userEvents.$inferSelect;
