/**
 * Text PostgreSQL cannot store: U+0000 (refused by `text` and `jsonb`) and
 * unpaired UTF-16 surrogates (JSON.stringify writes them as `\udXXX`
 * escapes, which `jsonb` refuses). A parsed JSON body is checked for both,
 * keys included, before anything else sees it, so such input is a 400
 * naming the field instead of a database error.
 */

/** Nested deeper than this, a body is refused rather than walked (no real request nests this far). */
export const JSON_MAX_DEPTH = 64;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function badString(s: string): boolean {
  return s.includes("\u0000") || LONE_SURROGATE.test(s);
}

/**
 * The first problem in a parsed JSON value: its dotted path ("" for the
 * value itself) and what is wrong, or null when every string is storable.
 */
export function findUnstorableText(value: unknown): { path: string; reason: string } | null {
  const walk = (v: unknown, path: string[], depth: number): { path: string; reason: string } | null => {
    if (depth > JSON_MAX_DEPTH) {
      return { path: path.join("."), reason: `is nested deeper than ${JSON_MAX_DEPTH}` };
    }
    if (typeof v === "string") {
      return badString(v)
        ? { path: path.join("."), reason: "must not contain NUL characters or unpaired surrogates" }
        : null;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const found = walk(v[i], [...path, String(i)], depth + 1);
        if (found) {
          return found;
        }
      }
      return null;
    }
    if (v && typeof v === "object") {
      for (const [key, child] of Object.entries(v)) {
        if (badString(key)) {
          return { path: path.join("."), reason: "has a key with NUL characters or unpaired surrogates" };
        }
        const found = walk(child, [...path, key], depth + 1);
        if (found) {
          return found;
        }
      }
    }
    return null;
  };
  return walk(value, [], 0);
}
