import { z } from "zod";
import { EMAIL_MAX_LENGTH, ORGANIZATION_SLUG_MAX_LENGTH } from "./limits";

/**
 * Fields better-auth writes to unique-indexed columns (users.email,
 * organizations.slug). It checks their form, not their length: bounded here
 * so the index can hold them (a 3000-character slug was a 500, an email a
 * 422 "Failed to create user").
 */
export const emailFieldSchema = z
  .string({ error: "must be a string" })
  .max(EMAIL_MAX_LENGTH, { error: `must be at most ${EMAIL_MAX_LENGTH} characters` });

export const organizationSlugSchema = z
  .string({ error: "must be a string" })
  .max(ORGANIZATION_SLUG_MAX_LENGTH, { error: `must be at most ${ORGANIZATION_SLUG_MAX_LENGTH} characters` });
