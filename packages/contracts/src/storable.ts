import { z } from "zod";

/**
 * What PostgreSQL's column types can hold. A value a contract accepts but
 * its column refuses fails the INSERT, the UPDATE or the cast in a WHERE —
 * a 500 instead of a 400 naming the field — so every contract field whose
 * value reaches a column is bounded by these, and
 * `packages/db/src/schema/fits.test.ts` checks each column of the Drizzle
 * schema against the contracts that feed it.
 */

/** `integer` (int4). */
export const PG_INTEGER_MIN = -2_147_483_648;
export const PG_INTEGER_MAX = 2_147_483_647;

/**
 * `real` (float4): the largest finite magnitude. A non-zero value too small
 * for float4 (below ~1.4e-45) is refused as an underflow, not rounded to 0.
 */
export const PG_REAL_MAX = 3.4028234663852886e38;

/**
 * `timestamptz` is read from ISO text by the database: it knows no year 0
 * (ISO 8601's 0000, which JavaScript and `z.iso.datetime()` accept), so the
 * earliest instant a client may name is 0001-01-01. The latest is far beyond
 * what ISO text with four-digit years can say (PostgreSQL: 294276 AD).
 */
export const PG_TIMESTAMP_MIN_MS = Date.parse("0001-01-01T00:00:00.000Z");

/**
 * PostgreSQL refuses a btree index row over this many bytes ("index row size
 * … exceeds btree version 4 maximum 2704"), a third of an 8 KiB page; text in
 * a key is counted in UTF-8 bytes after compression, which random text
 * defeats.
 */
export const BTREE_ROW_MAX_BYTES = 2704;

/**
 * The most UTF-8 bytes a client may put in one text column that is part of
 * an index: half the btree row, so the index's other columns (ids, at most a
 * few hundred bytes) and the row header always fit beside it.
 */
export const INDEXED_TEXT_MAX_BYTES = 1352;

/**
 * UTF-8 bytes per UTF-16 code unit at most: a BMP character is 1–3 bytes for
 * one unit, a surrogate pair 4 bytes for two. A string of n units is at most
 * 3n bytes, so a length bound of n fits an index when 3n ≤ INDEXED_TEXT_MAX_BYTES.
 */
export const UTF8_BYTES_PER_UNIT_MAX = 3;

/** The length of a string in UTF-8 bytes (works in browsers too: no Buffer). */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (unit < 0x80) {
      bytes += 1;
    } else if (unit < 0x800) {
      bytes += 2;
    } else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    } else {
      bytes += 3;
    }
  }
  return bytes;
}

/**
 * A time a sender reports in free text (a webhook's `timestamp`), as a Date
 * `timestamptz` can hold, or null when it is not a date or lies before the
 * year 0001 (which JavaScript parses and PostgreSQL refuses).
 */
export function storableInstant(text: string | undefined): Date | null {
  const at = text ? new Date(text) : null;
  return at && !Number.isNaN(at.getTime()) && at.getTime() >= PG_TIMESTAMP_MIN_MS ? at : null;
}

/**
 * An instant a client names (a cursor, a filter), as ISO 8601 text in UTC,
 * checked against what `timestamptz` holds: `z.iso.datetime()` alone accepts
 * year 0000, which the database then refuses to cast.
 */
export const storableDatetimeSchema = z.iso
  .datetime({ error: "must be an ISO 8601 date and time in UTC" })
  .refine((s) => Date.parse(s) >= PG_TIMESTAMP_MIN_MS, { error: "must be in the year 0001 or later" });
