/**
 * Text rules shared by both services and the browser:
 *
 * - what PostgreSQL cannot store (NUL, unpaired surrogates) is refused at the
 *   edge, in any field of any JSON body (`findUnstorableText`);
 * - what a person types into a text field may not hold characters the
 *   pipeline cannot carry (`findForbiddenCharacter`, used by the shared text
 *   schemas in `images.ts`), so such a prompt is a 400 naming the field
 *   instead of a job that fails later;
 * - text is shortened by `truncateText` only, which never splits a character,
 *   and text from outside is made storable by `storableText` before it is
 *   written where it could poison a row.
 */

/** Nested deeper than this, a body is refused rather than walked (no real request nests this far). */
export const JSON_MAX_DEPTH = 64;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `text` has no unpaired surrogate (String.prototype.isWellFormed, which ES2023 typings lack). */
export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

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

/**
 * Characters refused in text a person writes (prompts, negative prompts,
 * names), because some stage of the pipeline cannot carry them:
 * - C0 and C1 control characters (and DEL) but tab, line feed and carriage
 *   return: never meaningful in a prompt, NUL cannot be stored, and an SVG
 *   renderer's XML parser refuses most of them. Carriage return stays: it is
 *   what Windows clients and HTML form posts send in a line break, and every
 *   stage carries it (XML reads it as a line break);
 * - unpaired surrogates: not characters at all; `jsonb` refuses them;
 * - noncharacters (U+FDD0–U+FDEF and the last two code points of every
 *   plane, U+FFFE, U+FFFF … U+10FFFF): reserved for a program's internal use,
 *   and XML refuses U+FFFE/U+FFFF (the local renderer failed on them).
 * Combining marks, emoji, bidirectional text and private-use characters pass.
 */
const FORBIDDEN_CHARACTER = /(?![\t\n\r])[\p{Cc}\p{Cs}\p{Noncharacter_Code_Point}]/u;

/** "U+FFFF", "U+1FFFE": how a refused character is named in a message. */
export function codePointName(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * The first character of `text` that a person's text may not hold (see
 * FORBIDDEN_CHARACTER), with what it is, or null when there is none.
 */
export function findForbiddenCharacter(text: string): { index: number; codePoint: number; message: string } | null {
  const m = FORBIDDEN_CHARACTER.exec(text);
  if (!m) {
    return null;
  }
  const codePoint = m[0].codePointAt(0) ?? 0;
  const what =
    codePoint >= 0xd800 && codePoint <= 0xdfff
      ? "an unpaired surrogate"
      : codePoint < 0xa0
        ? "a control character"
        : "a noncharacter";
  return {
    index: m.index,
    codePoint,
    message: `must not contain ${codePointName(codePoint)} (${what})`,
  };
}

/** Length in Unicode code points: what text limits count (an emoji is one, as in zod's `.max`). */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point: skip the low one.
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
      }
    }
    n++;
  }
  return n;
}

const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text from outside (a provider's or a library's message) made storable:
 * unpaired surrogates and NUL become U+FFFD, the replacement character. A
 * `jsonb` value refuses both, and a webhook receiver refuses a body with
 * them, so one such message would otherwise make its job's row unwritable.
 */
export function storableText(text: string): string {
  return text.replace(LONE_SURROGATES, "\uFFFD").replaceAll("\u0000", "\uFFFD");
}

export type TruncateOptions = {
  /** Added where text was cut ("…"), within `max`. Nothing is added to text that fits. */
  ellipsis?: string;
  /** Keep the end rather than the start (the tail of a log). */
  keep?: "start" | "end";
};

// One segmenter for the process: building one loads ICU's break rules.
let graphemes: Intl.Segmenter | null = null;

/**
 * `text` in at most `max` UTF-16 units (JavaScript's `length`, which JSON
 * and storage sizes follow), cut between grapheme clusters: what a reader
 * sees as one character — an emoji with its skin tone, a ZWJ family, a flag,
 * a letter with its combining accents — is kept whole or dropped whole, and
 * a surrogate pair is never split (a lone half is text `jsonb` refuses: one
 * emoji at the cut once left a job's `completed` webhook failing forever).
 * Grapheme, not code point, boundaries: a cut family emoji would show as
 * other people, a cut flag as two letters. Only when a single cluster is
 * longer than the room (a flood of combining marks) is it cut inside, still
 * between code points. The result is a prefix of `text` (a suffix with
 * `keep: "end"`), plus the ellipsis when something was cut; well-formed text
 * stays well-formed.
 */
export function truncateText(text: string, max: number, options: TruncateOptions = {}): string {
  if (text.length <= max) {
    return text;
  }
  const ellipsis = options.ellipsis && options.ellipsis.length <= max ? options.ellipsis : "";
  const room = Math.max(0, max - ellipsis.length);
  graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  if (options.keep === "end") {
    const from = text.length - room;
    // The whole text: a boundary depends on everything before it (a run of flags is paired from its start).
    const around = graphemes.segment(text).containing(from);
    let cut = around && around.index < from ? around.index + around.segment.length : from;
    if (cut === text.length && room > 0) {
      // One cluster longer than the room: cut inside it, after a whole code point.
      cut = isLowSurrogateAt(text, from) && isHighSurrogateAt(text, from - 1) ? from + 1 : from;
    }
    return ellipsis + text.slice(cut);
  }
  // Whether a boundary falls at or before `room` depends on the text before it and the character at
  // it, never on what follows: segmenting that much (a code point is at most two units) gives the same
  // cut as the whole text, in time bounded by the room rather than the text (a 4000-emoji prompt).
  const around = graphemes.segment(text.slice(0, room + 2)).containing(room);
  let cut = around ? around.index : room;
  if (cut === 0 && room > 0) {
    // One cluster longer than the room: cut inside it, before a whole code point.
    cut = isHighSurrogateAt(text, room - 1) && isLowSurrogateAt(text, room) ? room - 1 : room;
  }
  return text.slice(0, cut) + ellipsis;
}

function isHighSurrogateAt(text: string, i: number): boolean {
  const unit = text.charCodeAt(i);
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogateAt(text: string, i: number): boolean {
  const unit = text.charCodeAt(i);
  return unit >= 0xdc00 && unit <= 0xdfff;
}
