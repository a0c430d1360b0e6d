/**
 * The operator's prompt policy (`MODERATION_BLOCKLIST`): a text file of words
 * and patterns, one a line. A prompt (or negative prompt) that matches any
 * line is refused at submit with a 422 naming the field — never the line,
 * so the list cannot be read back one probe at a time.
 *
 * Syntax, line by line:
 * - empty (or blank) lines are ignored; a line whose first non-blank
 *   character is `#` is a comment;
 * - `/pattern/flags` is a JavaScript regular expression (flags from
 *   `imsuv`; `u` is added unless `v` is given; `g` and `y` are refused: they
 *   make a pattern stateful). It is matched against the prompt as given,
 *   after NFKC normalisation and removal of invisible format characters;
 * - anything else is a word or phrase, matched as whole words, ignoring
 *   case and accents (both sides folded by `foldForPolicy`): `nude` matches
 *   "Nude", "NUDÉ" and "ｎｕｄｅ" but not "denuded". Inner whitespace
 *   matches any whitespace. A leading `\` is dropped and the rest taken
 *   literally (`\#tag`, `\/path`).
 * Leading and trailing whitespace of every line is ignored.
 */

/** A policy file larger than this is refused at start (a blocklist is words, not a corpus). */
export const PROMPT_POLICY_MAX_BYTES = 1024 * 1024;
/** A line longer than this is refused at start, naming it (most likely not a blocklist). */
export const PROMPT_POLICY_LINE_MAX_LENGTH = 1000;

const REGEX_LINE = /^\/(.+)\/([a-z]*)$/s;
const ALLOWED_FLAGS = new Set(["i", "m", "s", "u", "v"]);
/** Letters, digits and combining marks: what a word is made of, on either side of a match. */
const WORD_CHAR = "[\\p{L}\\p{N}\\p{M}]";

/** A policy that cannot be loaded: its message names the line. */
export class PromptPolicyError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = "PromptPolicyError";
  }
}

export interface PromptPolicy {
  /** How many lines are in force (words and patterns), for the start-up log. */
  readonly size: number;
  /** Whether this text breaks the policy. */
  matches(text: string): boolean;
}

/** Removes invisible format characters (zero-width spaces and joiners, soft hyphens, BOM) after NFKC. */
function visible(text: string): string {
  return text.normalize("NFKC").replace(/\p{Cf}/gu, "");
}

/** What words are compared on: NFKC, no invisible characters, lower case, no accents. */
export function foldForPolicy(text: string): string {
  return visible(text)
    .toLowerCase()
    .normalize("NFD")
    .replace(/\p{Mn}/gu, "")
    .normalize("NFC");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

function compileRegexLine(body: string, flags: string, line: number): RegExp {
  for (const flag of flags) {
    if (!ALLOWED_FLAGS.has(flag)) {
      throw new PromptPolicyError(line, `flag "${flag}" is not allowed (use i, m, s, u or v)`);
    }
  }
  const unicode = flags.includes("v") || flags.includes("u") ? flags : `${flags}u`;
  try {
    return new RegExp(body, unicode);
  } catch (error) {
    throw new PromptPolicyError(line, `invalid regular expression: ${(error as Error).message}`);
  }
}

/** Parses a policy file's text; throws PromptPolicyError naming the first bad line. */
export function parsePromptPolicy(text: string): PromptPolicy {
  const words: string[] = [];
  const patterns: RegExp[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) {
      return;
    }
    if (trimmed.length > PROMPT_POLICY_LINE_MAX_LENGTH) {
      throw new PromptPolicyError(line, `longer than ${PROMPT_POLICY_LINE_MAX_LENGTH} characters`);
    }
    const regex = trimmed.startsWith("/") ? REGEX_LINE.exec(trimmed) : null;
    if (trimmed.startsWith("/") && !regex) {
      throw new PromptPolicyError(line, "a pattern is written /pattern/flags (start with \\ for a literal /)");
    }
    if (regex) {
      patterns.push(compileRegexLine(regex[1] ?? "", regex[2] ?? "", line));
      return;
    }
    const literal = trimmed.startsWith("\\") ? trimmed.slice(1) : trimmed;
    const folded = foldForPolicy(literal).trim();
    if (!/[\p{L}\p{N}]/u.test(folded)) {
      throw new PromptPolicyError(line, "a word must contain at least one letter or digit");
    }
    words.push(folded.split(/\s+/u).map(escapeRegExp).join("\\s+"));
  });
  // Longest first, so a phrase wins over a word it starts with (either refuses; this only keeps matching simple).
  words.sort((a, b) => b.length - a.length);
  const wordRegex =
    words.length > 0 ? new RegExp(`(?<!${WORD_CHAR})(?:${words.join("|")})(?!${WORD_CHAR})`, "u") : null;
  return {
    size: words.length + patterns.length,
    matches(input: string): boolean {
      if (wordRegex?.test(foldForPolicy(input))) {
        return true;
      }
      if (patterns.length === 0) {
        return false;
      }
      const given = visible(input);
      return patterns.some((pattern) => pattern.test(given));
    },
  };
}

/** The policy that refuses nothing (no MODERATION_BLOCKLIST). */
export const EMPTY_PROMPT_POLICY: PromptPolicy = { size: 0, matches: () => false };

/** The request fields the policy reads: what the model is asked to draw, and not to. */
export const POLICY_FIELDS = ["prompt", "negative_prompt"] as const;

/** The first policy field of a request's parameters that breaks the policy, or null. */
export function findPolicyBreach(
  policy: PromptPolicy,
  params: Record<string, unknown>,
): (typeof POLICY_FIELDS)[number] | null {
  for (const field of POLICY_FIELDS) {
    const value = params[field];
    if (typeof value === "string" && policy.matches(value)) {
      return field;
    }
  }
  return null;
}
