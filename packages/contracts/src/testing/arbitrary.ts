import fc from "fast-check";
import { z } from "zod";

/**
 * Values generated from a contract's zod schema, for property tests. The
 * schema is read through zod's own JSON Schema export (`io: "input"`: what a
 * client sends, before defaults and transforms), which covers every feature
 * the contracts use: objects (strict or not), strings with lengths, patterns
 * and formats, integers and numbers with bounds, enums, literals, unions,
 * nullables, arrays, tuples and records. Refinements are not visible there;
 * a value they refuse is simply one more refused input.
 */

/** The JSON Schema subset zod writes for our contracts. */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema | false;
  prefixItems?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
};

/** ISO instants at the ends of what four-digit years can write (PostgreSQL knows no year 0000). */
const DATE_TIME_EDGES = [
  "0000-01-01T00:00:00.000Z",
  "0000-12-31T23:59:59.999Z",
  "0001-01-01T00:00:00.000Z",
  "1970-01-01T00:00:00.000Z",
  "9999-12-31T23:59:59.999Z",
] as const;

/** Generated strings are at most this long unless the schema asks for more (edges bring the long ones). */
const STRING_LENGTH_CAP = 300;
/** Arrays, records and extra keys stay small: the edges, not the sizes, are what these tests are after. */
const COLLECTION_CAP = 4;

/** A schema's JSON Schema, as a client sees it. */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
}

/**
 * Replaces generated values at dotted paths ("job_id", "data.images.*.file_path"):
 * for values a test must choose (the fixture's job ids, its user).
 */
export type Overrides = Record<string, fc.Arbitrary<unknown>>;

/** Values the schema accepts (as far as JSON Schema can say). */
export function validArbitrary(schema: z.ZodType, overrides: Overrides = {}): fc.Arbitrary<unknown> {
  return fromJsonSchema(jsonSchemaOf(schema), overrides, "");
}

function join(path: string, segment: string): string {
  return path ? `${path}.${segment}` : segment;
}

export function fromJsonSchema(s: JsonSchema, overrides: Overrides = {}, path = ""): fc.Arbitrary<unknown> {
  const override = overrides[path];
  if (override) {
    return override;
  }
  if (s.const !== undefined) {
    return fc.constant(s.const);
  }
  if (s.enum) {
    return fc.constantFrom(...s.enum);
  }
  const options = s.anyOf ?? s.oneOf;
  if (options) {
    return fc.oneof(...options.map((o) => fromJsonSchema(o, overrides, path)));
  }
  if (s.allOf?.length) {
    return fromJsonSchema(Object.assign({}, ...s.allOf), overrides, path);
  }
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case "string":
      return stringArbitrary(s);
    case "integer":
      return fc.integer({
        min: Math.max(Math.ceil(s.minimum ?? s.exclusiveMinimum ?? -(2 ** 31)), Number.MIN_SAFE_INTEGER),
        max: Math.min(Math.floor(s.maximum ?? s.exclusiveMaximum ?? 2 ** 31), Number.MAX_SAFE_INTEGER),
      });
    case "number":
      return fc.double({
        min: s.minimum ?? s.exclusiveMinimum ?? -1e6,
        max: s.maximum ?? s.exclusiveMaximum ?? 1e6,
        noNaN: true,
        noDefaultInfinity: true,
        minExcluded: s.exclusiveMinimum !== undefined,
        maxExcluded: s.exclusiveMaximum !== undefined,
      });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return arrayArbitrary(s, overrides, path);
    case "object":
      return objectArbitrary(s, overrides, path);
    default:
      // `{}`: any JSON value.
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringArbitrary(s: JsonSchema): fc.Arbitrary<string> {
  const minLength = s.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(s.maxLength ?? STRING_LENGTH_CAP, STRING_LENGTH_CAP));
  if (s.format === "date-time") {
    // Any instant JavaScript can write with a four-digit year, the ends of that range often.
    return fc.oneof(
      fc.constantFrom(...DATE_TIME_EDGES),
      fc
        .date({ min: new Date(DATE_TIME_EDGES[0]), max: new Date("9999-12-31T23:59:59.999Z"), noInvalidDate: true })
        .map((d) => d.toISOString()),
    );
  }
  if (s.pattern) {
    return fc
      .stringMatching(new RegExp(s.pattern), { size: "small" })
      .filter((v) => v.length >= minLength && v.length <= (s.maxLength ?? Number.POSITIVE_INFINITY));
  }
  return fc.oneof(
    fc.string({ minLength, maxLength, unit: "grapheme-ascii" }),
    fc.string({ minLength, maxLength, unit: "grapheme" }),
  );
}

function arrayArbitrary(s: JsonSchema, overrides: Overrides, path: string): fc.Arbitrary<unknown[]> {
  if (s.prefixItems) {
    return fc.tuple(...s.prefixItems.map((item, i) => fromJsonSchema(item, overrides, join(path, String(i)))));
  }
  const item = s.items ? fromJsonSchema(s.items, overrides, join(path, "*")) : fc.jsonValue({ maxDepth: 1 });
  const minLength = s.minItems ?? 0;
  return fc.array(item, {
    minLength,
    maxLength: Math.max(minLength, Math.min(s.maxItems ?? COLLECTION_CAP, COLLECTION_CAP)),
  });
}

function objectArbitrary(s: JsonSchema, overrides: Overrides, path: string): fc.Arbitrary<Record<string, unknown>> {
  const properties = s.properties ?? {};
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, value] of Object.entries(properties)) {
    model[key] = fromJsonSchema(value, overrides, join(path, key));
  }
  const required = (s.required ?? []).filter((k) => k in properties);
  const known = fc.record(model, { requiredKeys: required });
  if (s.additionalProperties === false || s.additionalProperties === undefined) {
    return known;
  }
  // A lenient object (webhook metadata): a few extra keys of any JSON.
  const extra =
    s.additionalProperties === true
      ? fc.jsonValue({ maxDepth: 1 })
      : fromJsonSchema(s.additionalProperties, overrides, join(path, "*"));
  return fc
    .tuple(known, fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), extra, { maxKeys: 2 }))
    .map(([k, e]) =>
      Object.fromEntries([...Object.entries(e).filter(([key]) => !(key in properties)), ...Object.entries(k)]),
    );
}
