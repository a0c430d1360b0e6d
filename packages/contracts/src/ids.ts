import { z } from "zod";
import { JOB_ID_MAX_LENGTH, JOB_ID_PATTERN } from "./limits";

/** A job id as callers may choose it (the web app's generation ids, the generator's job ids). */
export const jobIdSchema = z
  .string({ error: "must be a string" })
  .min(1, { error: "is required" })
  .max(JOB_ID_MAX_LENGTH, { error: `must be at most ${JOB_ID_MAX_LENGTH} characters` })
  .regex(JOB_ID_PATTERN, { error: "may contain only letters, digits, '-' and '_'" });
