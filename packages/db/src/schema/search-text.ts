import { sql } from "drizzle-orm";

/**
 * What a search reads of a job, and the two forms its indexes hold. One home
 * for the expressions: the indexes (jobs.ts) and the queries
 * (queries/search.ts) must spell them identically for the indexes to serve.
 */

/** The prompt and the negative prompt, as one text. */
const SEARCH_TEXT = `("generations"."prompt" || ' ' || coalesce("generations"."params" ->> 'negative_prompt', ''))`;

/**
 * Unicode blocks of scripts written without spaces between words: kana,
 * CJK ideographs (with extension A, compatibility and the astral extensions),
 * Thai, Lao, Khmer, Myanmar, Tibetan. Their characters become one word each
 * in the full-text form, so any run of them is found as a phrase.
 */
export const NO_SPACE_SCRIPT_RANGES: readonly (readonly [number, number])[] = [
  [0x0e00, 0x0eff],
  [0x0f00, 0x0fff],
  [0x1000, 0x109f],
  [0x1780, 0x17ff],
  [0x3040, 0x30ff],
  [0x31f0, 0x31ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xf900, 0xfaff],
  [0xff66, 0xff9f],
  [0x20000, 0x2fa1f],
];

const sqlCodePoint = (n: number) =>
  n > 0xffff ? `\\U${n.toString(16).padStart(8, "0")}` : `\\u${n.toString(16).padStart(4, "0")}`;
/** The same blocks as a PostgreSQL regular expression class (ARE escapes). */
export const NO_SPACE_SCRIPT_SQL_CLASS = `[${NO_SPACE_SCRIPT_RANGES.map(([a, b]) => `${sqlCodePoint(a)}-${sqlCodePoint(b)}`).join("")}]`;
/** …and as a JavaScript one. */
export const NO_SPACE_SCRIPT = new RegExp(
  `[${NO_SPACE_SCRIPT_RANGES.map(([a, b]) => `\\u{${a.toString(16)}}-\\u{${b.toString(16)}}`).join("")}]`,
  "u",
);

/** `text` with every character of a no-space script set apart by spaces (SQL; `text` is an SQL expression). */
function spacedSql(text: string): string {
  return `regexp_replace(${text}, '(${NO_SPACE_SCRIPT_SQL_CLASS})', ' \\1 ', 'g')`;
}

/** The search text itself: ILIKE on it is served by the trigram index. */
export const generationSearchText = sql.raw(SEARCH_TEXT);

/**
 * The search text as `simple` full-text words (any language: no stemming, no
 * stop words), characters of no-space scripts one word each.
 */
export const generationSearchVector = sql.raw(`to_tsvector('simple'::regconfig, ${spacedSql(SEARCH_TEXT)})`);

/** A term as the full-text query the vector answers: its characters of no-space scripts a phrase. */
export function phraseQuery(term: string) {
  return sql`phraseto_tsquery('simple'::regconfig, regexp_replace(${term}::text, ${`(${NO_SPACE_SCRIPT_SQL_CLASS})`}, ' \\1 ', 'g'))`;
}
