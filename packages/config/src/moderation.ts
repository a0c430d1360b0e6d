import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import {
  EMPTY_PROMPT_POLICY,
  PROMPT_POLICY_MAX_BYTES,
  type PromptPolicy,
  PromptPolicyError,
  parsePromptPolicy,
} from "@sorami/contracts";
import { z } from "zod";

/** The web app's moderation settings (it applies both; the generator only scores when asked). */
export const moderationEnvShape = {
  /** A file of words and patterns prompts may not contain (syntax: contracts' prompt-policy.ts). Unset: none. */
  MODERATION_BLOCKLIST: z.string().min(1, "must be a file path").optional(),
  /** nsfw score (0–1) at or above which a generated image is held for review. Unset: screening off. */
  MODERATION_THRESHOLD: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      // Set but empty is unset, not 0 (which would hold every file).
      if (!raw?.trim()) {
        return undefined;
      }
      const value = Number(raw);
      if (!Number.isFinite(value) || value < 0 || value > 1) {
        ctx.addIssue({ code: "custom", message: "must be a number between 0 and 1 (or unset: screening off)" });
        return z.NEVER;
      }
      return value;
    }),
};

export type ModerationSettings = {
  /** The prompt policy; empty (refusing nothing) without MODERATION_BLOCKLIST. */
  policy: PromptPolicy;
  /** Where the policy was read from, for the start-up log; null without one. */
  blocklistPath: string | null;
  /** null: screening is off (files are stored `unscreened`, the model never loads). */
  threshold: number | null;
};

/**
 * Reads and checks the operator's blocklist, or stops start-up naming what
 * is wrong: the file (missing, unreadable, too large) or the line.
 */
export function loadPromptPolicy(file: string, cwd = process.cwd()): PromptPolicy {
  const resolved = path.resolve(cwd, file);
  const fail = (why: string) => new Error(`Invalid configuration:\n  MODERATION_BLOCKLIST (${resolved}): ${why}`);
  let text: string;
  try {
    const size = statSync(resolved).size;
    if (size > PROMPT_POLICY_MAX_BYTES) {
      throw fail(`is larger than ${PROMPT_POLICY_MAX_BYTES} bytes`);
    }
    text = readFileSync(resolved, "utf8");
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("Invalid configuration")) {
      throw error;
    }
    throw fail(`cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return parsePromptPolicy(text);
  } catch (error) {
    if (error instanceof PromptPolicyError) {
      throw fail(error.message);
    }
    throw error;
  }
}

export function resolveModeration(
  parsed: { MODERATION_BLOCKLIST?: string; MODERATION_THRESHOLD?: number },
  cwd = process.cwd(),
): ModerationSettings {
  const file = parsed.MODERATION_BLOCKLIST;
  return {
    policy: file ? loadPromptPolicy(file, cwd) : EMPTY_PROMPT_POLICY,
    blocklistPath: file ? path.resolve(cwd, file) : null,
    threshold: parsed.MODERATION_THRESHOLD ?? null,
  };
}
