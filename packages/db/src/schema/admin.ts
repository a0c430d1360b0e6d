import { MODERATION_DECISIONS } from "@sorami/contracts";
import { bigserial, index, jsonb, pgTable, real, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { mediaFiles } from "./media";

/**
 * What admins did, one row an action (disable, enable, role, cancel, retry,
 * delete, redeliver, moderation decisions), kept when its target goes: ids
 * are copied, not referenced, and the admin's link is cleared if the admin
 * is removed.
 */
export const adminActions = pgTable(
  "admin_actions",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    adminId: text("admin_id").references(() => users.id, { onDelete: "set null" }),
    action: text("action").notNull(),
    /** What it was done to: `user`, `job`, `delivery`, `file`. */
    targetType: text("target_type").notNull(),
    targetId: text("target_id").notNull(),
    detail: jsonb("detail").$type<Record<string, unknown>>(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("admin_actions_target_idx").on(t.targetType, t.targetId, t.createdAt),
    index("admin_actions_created_idx").on(t.createdAt),
  ],
);
export type AdminActionRow = typeof adminActions.$inferSelect;

/**
 * Every decision on a held file: who, when, on what score, and what. The
 * file's row may go later (its job deleted); the decision stays, with the
 * job and key it was about.
 */
export const moderationDecisions = pgTable(
  "moderation_decisions",
  {
    id: text("id").primaryKey(),
    mediaFileId: text("media_file_id").references(() => mediaFiles.id, { onDelete: "set null" }),
    generationId: text("generation_id").notNull(),
    storageKey: text("storage_key").notNull(),
    ownerId: text("owner_id").notNull(),
    nsfwScore: real("nsfw_score"),
    decision: text("decision", { enum: MODERATION_DECISIONS }).notNull(),
    decidedBy: text("decided_by").references(() => users.id, { onDelete: "set null" }),
    decidedAt: timestamp("decided_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("moderation_decisions_file_idx").on(t.mediaFileId),
    index("moderation_decisions_decided_idx").on(t.decidedAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
  ],
);
export type ModerationDecisionRow = typeof moderationDecisions.$inferSelect;
