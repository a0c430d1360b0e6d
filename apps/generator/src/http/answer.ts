import type { z } from "zod";

/**
 * A route's answer, checked against its contract before it leaves: a
 * mismatch is this service's bug, so a 500 (logged), never the 400 a ZodError
 * from a request would become.
 */
export function answer<S extends z.ZodType>(schema: S, value: z.input<S>): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new Error(`The answer does not match its contract: ${parsed.error.issues[0]?.message ?? ""}`);
  }
  return parsed.data;
}
