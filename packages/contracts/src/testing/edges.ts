import fc from "fast-check";
import { BTREE_ROW_MAX_BYTES, INDEXED_TEXT_MAX_BYTES, PG_INTEGER_MAX, PG_INTEGER_MIN, PG_REAL_MAX } from "../storable";

/**
 * Inputs pushed toward the edges of what a column, a parser or JSON itself
 * can hold: the values that once turned into 500s (62.5 for an integer, 3e6
 * seconds as int4 milliseconds, 1e39 for a float4, an 8 KiB indexed key, year
 * 0000) and their neighbours, in every field of a generated request.
 */

/** A JSON literal JSON.stringify cannot write (1e400, a 30-digit integer): sent as-is by `toJsonText`. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON text for a generated value, writing each RawJson literal verbatim. */
export function toJsonText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof RawJson) {
      raws.push(v.text);
      return `\u0000raw${raws.length - 1}\u0000`;
    }
    return v;
  });
  return (text ?? "null").replace(/"\\u0000raw(\d+)\\u0000"/g, (_m, i: string) => raws[Number(i)] ?? "null");
}

export const EDGE_NUMBERS: readonly number[] = [
  0,
  -0,
  1,
  -1,
  0.5,
  62.5,
  99.99,
  100,
  101,
  256,
  2 ** 31 - 1,
  2 ** 31,
  PG_INTEGER_MIN,
  PG_INTEGER_MIN - 1,
  PG_INTEGER_MAX / 1000 + 0.5,
  3e6,
  86_400.5,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  1e15 + 0.5,
  1e21,
  PG_REAL_MAX,
  3.5e38,
  1e39,
  -1e39,
  1e-7,
  1e-40,
  1e-46,
  Number.MIN_VALUE,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
];

/** Number literals that JSON allows and JavaScript cannot write back. */
export const EDGE_NUMBER_LITERALS: readonly RawJson[] = [
  "1e400",
  "-1e400",
  "123456789012345678901234567890",
  "0.1e-999",
  "-0.0",
  "1E2",
].map((t) => new RawJson(t));

/** `length` characters from [first, first + count), pseudo-random (a fixed LCG: the same text every run). */
export function noise(length: number, first: number, count: number): string {
  let state = 0x2545f491;
  let out = "";
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    out += String.fromCodePoint(first + ((state >>> 8) % count));
  }
  return out;
}

const repeatToBytes = (unit: string, bytes: number) => unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit)));

/** Text that is long, multibyte, or both, around the sizes an index or a field limit cares about. */
export const EDGE_STRINGS: readonly string[] = [
  "",
  " ",
  "a",
  " \n\t ",
  "0",
  "-1",
  "62.5",
  "1e39",
  "NaN",
  "Infinity",
  "99999999999999999999",
  "null",
  "true",
  "0000-01-01T00:00:00Z",
  "0000-12-31T23:59:59.999Z",
  "0001-01-01T00:00:00.000Z",
  "9999-12-31T23:59:59.999Z",
  "1969-12-31T23:59:59Z",
  "2026-02-30T00:00:00Z",
  "+275760-09-13T00:00:00.000Z",
  "-000001-01-01T00:00:00.000Z",
  "e\u0301te\u0301",
  "\u202eRTL\u202c",
  "\uffff",
  "\ufeff",
  "zero\u200bwidth",
  "\u0000",
  "a\ud800b",
  "\udfff",
  "👩‍👩‍👧",
  "日本語",
  "a".repeat(129),
  "a".repeat(255),
  "a".repeat(256),
  "a".repeat(257),
  "a".repeat(513),
  "a".repeat(1025),
  "a".repeat(INDEXED_TEXT_MAX_BYTES + 1),
  "a".repeat(BTREE_ROW_MAX_BYTES + 1),
  "a".repeat(8192),
  repeatToBytes("é", INDEXED_TEXT_MAX_BYTES + 2),
  repeatToBytes("日", 900 * 3),
  repeatToBytes("日", BTREE_ROW_MAX_BYTES + 3),
  repeatToBytes("😀", BTREE_ROW_MAX_BYTES + 4),
  // Noise defeats the compression that lets a long repetitive key fit an index.
  noise(2000, 0x4e00, 20_000),
  noise(1000, 0x21, 94),
  noise(8192, 0x21, 94),
];

/** Values of the wrong JSON type for almost anything. */
export const EDGE_SHAPES: readonly unknown[] = [null, true, false, [], {}, [1], { a: 1 }, [[[[[[[[[[]]]]]]]]]]];

/** Any edge value: numbers, literals, strings and shapes, plus random doubles and text. */
export function edgeValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...EDGE_NUMBERS) },
    { weight: 1, arbitrary: fc.constantFrom(...EDGE_NUMBER_LITERALS) },
    { weight: 4, arbitrary: fc.constantFrom(...EDGE_STRINGS) },
    { weight: 1, arbitrary: fc.constantFrom(...EDGE_SHAPES) },
    { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
    { weight: 1, arbitrary: fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: "binary" }) },
  );
}

/** Edge text only (headers, query parameters, path segments). */
export function edgeString(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...EDGE_STRINGS) },
    { weight: 2, arbitrary: fc.constantFrom(...EDGE_NUMBERS.map(String)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: "binary" }) },
  );
}

/**
 * Text a mutation appends to a value: repeated characters of 1 to 4 UTF-8 bytes (and combining
 * marks), and noise in ASCII, Latin-1, CJK and emoji, which no index compresses.
 */
const REPEATED: readonly ((length: number) => string)[] = [
  (n) => "a".repeat(n),
  (n) => "é".repeat(n),
  (n) => "日".repeat(n),
  (n) => "😀".repeat(n),
  (n) => "e\u0301".repeat(n),
];
const NOISE: readonly ((length: number) => string)[] = [
  (n) => noise(n, 0x21, 94),
  (n) => noise(n, 0xc0, 64),
  (n) => noise(n, 0x4e00, 20_000),
  (n) => noise(n, 0x1f300, 0x250),
];
/** Lengths around the limits that matter: a field's (tens to hundreds) and an index's (~1,350–2,700 bytes). */
const GROW_LENGTHS = [10, 300, 1000, 3000] as const;

type Path = (string | number)[];

/** Every place in a value a mutation can hit: the value itself, each key, each element. */
function pathsOf(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      pathsOf(v, [...path, i], out);
    });
  } else if (value && typeof value === "object" && !(value instanceof RawJson)) {
    for (const [k, v] of Object.entries(value)) {
      pathsOf(v, [...path, k], out);
    }
  }
  return out;
}

/** A copy of `value` with `fn` applied to the node at `path`. */
function update(value: unknown, path: Path, fn: (node: unknown) => unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) {
    return fn(value);
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => (i === head ? update(v, rest, fn) : v));
  }
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === head ? update(v, rest, fn) : v]));
  }
  return value;
}

/** A marker a mutation returns to delete the node it hit. */
const DELETE = Symbol("delete");

function withoutDeleted(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.filter((v) => v !== DELETE).map(withoutDeleted);
  }
  if (value && typeof value === "object" && !(value instanceof RawJson)) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== DELETE)
        .map(([k, v]) => [k, withoutDeleted(v)]),
    );
  }
  return value;
}

type Mutation =
  | { op: "replace"; with: unknown }
  | { op: "delete" }
  | { op: "extra"; key: string; value: unknown }
  | { op: "grow"; text: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: edgeValue().map((v): Mutation => ({ op: "replace", with: v })) },
  { weight: 1, arbitrary: fc.constant<Mutation>({ op: "delete" }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("unexpected", "__proto__", "constructor", "", "é", "a".repeat(300)), edgeValue())
      .map(([key, value]): Mutation => ({ op: "extra", key, value })),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.oneof(fc.constantFrom(...REPEATED), { weight: 2, arbitrary: fc.constantFrom(...NOISE) }),
        fc.constantFrom(...GROW_LENGTHS),
      )
      .map(([script, length]): Mutation => ({ op: "grow", text: script(length) })),
  },
);

function apply(node: unknown, m: Mutation): unknown {
  switch (m.op) {
    case "replace":
      return m.with;
    case "delete":
      return DELETE;
    case "extra":
      return node && typeof node === "object" && !Array.isArray(node)
        ? Object.fromEntries([...Object.entries(node), [m.key, m.value]])
        : m.value;
    case "grow":
      return typeof node === "string" ? node + m.text : m.text;
  }
}

/** A valid value with one to three of its nodes pushed to an edge (replaced, deleted, padded, or given extra keys). */
export function mutated(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return valid.chain((value) => {
    const paths = pathsOf(value);
    return fc
      .array(fc.tuple(fc.constantFrom(...paths), mutation), { minLength: 1, maxLength: 3 })
      .map((ms) => withoutDeleted(ms.reduce((v, [path, m]) => update(v, path, (node) => apply(node, m)), value)));
  });
}

/** Mostly mutated values, some valid ones: what a property test over an endpoint's body sends. */
export function hostile(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 1, arbitrary: valid }, { weight: 3, arbitrary: mutated(valid) });
}
