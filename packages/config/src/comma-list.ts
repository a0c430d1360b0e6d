import { z } from "zod";

/** The entries of a comma-separated value (`a, b,c`): trimmed, empty ones dropped, lower-cased when asked. */
export function splitList(raw: string, options: { lowercase?: boolean } = {}): string[] {
  return raw
    .split(",")
    .map((entry) => (options.lowercase ? entry.trim().toLowerCase() : entry.trim()))
    .filter(Boolean);
}

/**
 * A comma-separated list in one variable, lower-cased where case means
 * nothing (hosts, e-mail addresses). Unset is an empty list.
 */
export function commaList(options: { lowercase?: boolean } = {}) {
  return z
    .string()
    .default("")
    .transform((raw) => splitList(raw, options));
}
