import { z } from "zod";

/**
 * Where a stored file stands with image screening (`MODERATION_THRESHOLD`):
 * - `unscreened`: stored while screening was off; shown as any file.
 * - `pending`: stored while screening is on and not scored yet (a queued
 *   task scores it within moments); treated as held until then.
 * - `clear`: scored below the threshold.
 * - `held`: scored at or above it (or could not be scored): its owner sees a
 *   blurred copy and a notice, share links leave it out, and it waits in the
 *   admin console's review queue.
 * - `approved`: an admin released it; shown as any file.
 * - `removed`: an admin removed it; its bytes are deleted, the row stays so
 *   its owner reads why.
 */
export const MODERATION_STATES = ["unscreened", "pending", "clear", "held", "approved", "removed"] as const;
export type ModerationState = (typeof MODERATION_STATES)[number];
export const moderationStateSchema = z.enum(MODERATION_STATES);

/**
 * The states in which a file's bytes are served as they are (to its owner,
 * and to share links). The same list is the SQL predicate every read of
 * media honours (`mediaFileIsShown` in `@sorami/db`'s media schema).
 */
export const SHOWN_MODERATION_STATES = [
  "unscreened",
  "clear",
  "approved",
] as const satisfies readonly ModerationState[];

export function isShown(state: ModerationState): boolean {
  return (SHOWN_MODERATION_STATES as readonly ModerationState[]).includes(state);
}

/**
 * Whether a file is held for review: its nsfw score (0–1, `@sorami/ml`'s
 * `nsfw`) is at or above the operator's threshold (`MODERATION_THRESHOLD`).
 * No threshold (null: screening off) holds nothing.
 */
export function isHeld(nsfw: number, threshold: number | null): boolean {
  return threshold !== null && nsfw >= threshold;
}

/** An admin's decision on a held file. */
export const MODERATION_DECISIONS = ["approve", "remove"] as const;
export type ModerationDecision = (typeof MODERATION_DECISIONS)[number];

/**
 * What a file's owner is told when it is not shown (the `moderation` field
 * of a result's file; absent when the file is shown).
 */
export const fileModerationSchema = z.object({
  state: z.enum(["pending", "held", "removed"]),
  /** A sentence for the owner. */
  notice: z.string(),
});
export type FileModeration = z.infer<typeof fileModerationSchema>;

export const MODERATION_NOTICES: Record<FileModeration["state"], string> = {
  pending: "This file is being checked; it appears in a moment.",
  held: "This file is held for review by an administrator. Until then it is shown blurred and cannot be downloaded or shared.",
  removed: "An administrator removed this file after review.",
};

/** The owner's view of a file's moderation, or undefined when the file is shown as it is. */
export function fileModeration(state: ModerationState): FileModeration | undefined {
  if (state === "pending" || state === "held" || state === "removed") {
    return { state, notice: MODERATION_NOTICES[state] };
  }
  return undefined;
}

/** Longest side, in pixels, of the blurred copy an owner sees of a held file: a silhouette, no detail to recover. */
export const HELD_PREVIEW_MAX_SIDE = 64;
/** Gaussian blur (sigma, in pixels of that small copy) applied before it is stored. */
export const HELD_PREVIEW_BLUR_SIGMA = 6;
