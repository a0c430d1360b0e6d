import { EMPTY_BODY_MAX_BYTES, IDEMPOTENCY_KEY_MAX_LENGTH, URL_MAX_LENGTH } from "@sorami/contracts";
import { pngDeclaring } from "@sorami/contracts/testing";
import type { Fixtures } from "../security/fixtures";
import type { Field, Probe } from "../security/routes";

/** The columns of the corpus table. */
export const CATEGORIES = [
  "json",
  "content-type",
  "shape",
  "missing",
  "extra",
  "type",
  "empty",
  "huge",
  "control",
  "mixed-script",
  "number",
  "enum",
  "oversized",
  "path-id",
  "query",
  "header",
  "signature",
] as const;
export type Category = (typeof CATEGORIES)[number];

/** One bad request. Everything unset is the probe's legitimate request. */
export type Case = {
  category: Category;
  name: string;
  path?: string;
  /** The exact body; otherwise `json` is encoded; otherwise the probe's sample. */
  raw?: string | Buffer;
  json?: unknown;
  /** null: no Content-Type header at all. */
  contentType?: string | null;
  headers?: Record<string, string>;
  /** Expected status; "4xx" when any refusal will do. */
  status: number | "4xx";
  /** The field the refusal must name. */
  field?: string;
};

/** Values of the wrong JSON type for a field of this kind. */
function wrongTypes(field: Field): unknown[] {
  const values: unknown[] = [true, [], {}, ["a"]];
  if (field.kind === "int" || field.kind === "number") {
    values.push("2", "abc");
  } else {
    values.push(42, -1.5);
  }
  if (!field.nullable) {
    values.push(null);
  }
  return values;
}

/** Text that is bad for every kind of string: NUL, an unpaired surrogate. */
const UNSTORABLE = ["a\u0000b", "\u0000", "a\ud800b", "\udfff"];

/** Storable, but not in a person's text (the pipeline cannot carry them): noncharacters of several planes, C1 controls. */
const UNCARRIABLE = ["\uffff", "\ufffe", "\ufdd0", "\u{1fffe}", "\u{10ffff}", "\u0085", "\u009f"];

function fieldCases(name: string, field: Field, sample: Record<string, unknown>): Case[] {
  const cases: Case[] = [];
  const set = (value: unknown) => ({ ...sample, [name]: value });
  const add = (category: Category, label: string, value: unknown, status: number | "4xx" = 400) =>
    cases.push({ category, name: `${name}: ${label}`, json: set(value), status, field: name });

  for (const value of wrongTypes(field)) {
    add("type", JSON.stringify(value), value);
  }
  if (field.required) {
    const { [name]: _, ...rest } = sample;
    cases.push({ category: "missing", name: `${name} missing`, json: rest, status: 400, field: name });
  }
  // Raw JSON, for numbers JSON.stringify cannot write.
  const rawWith = (literal: string) => {
    const text = JSON.stringify(set("__HOLE__"));
    return text.replace('"__HOLE__"', literal);
  };
  const addRaw = (category: Category, label: string, literal: string) =>
    cases.push({ category, name: `${name}: ${label}`, raw: rawWith(literal), status: 400, field: name });

  switch (field.kind) {
    case "text":
      if (field.required) {
        add("empty", '""', "");
        if (field.trimmed) {
          add("empty", "whitespace only", " \n\t ");
        }
      }
      add("huge", `${field.max + 1} characters`, "a".repeat(field.max + 1));
      add("huge", `${field.max} characters then an emoji`, `${"a".repeat(field.max)}🌅`);
      add("huge", `${field.max + 1} emoji`, "😀".repeat(field.max + 1));
      for (const c of ["\u0007", "\u001b[31m", "\u007f", "\u000b", "\u0008", ...UNCARRIABLE]) {
        add("control", JSON.stringify(c), `a${c}b`);
      }
      for (const s of UNSTORABLE) {
        add("control", JSON.stringify(s), s);
      }
      break;
    case "string":
      if (field.required) {
        add("empty", '""', "");
      }
      add("huge", `${field.max + 1} characters`, "a".repeat(field.max + 1));
      for (const s of UNSTORABLE) {
        add("control", JSON.stringify(s), s);
      }
      break;
    case "id":
      add("empty", '""', "");
      add("huge", "129 characters", "a".repeat(129));
      for (const s of ["a/b", "../etc", "a b", "a\nb", "a%00", "a.b", ...UNSTORABLE]) {
        add("control", JSON.stringify(s), s);
      }
      add("mixed-script", "Cyrillic letters", "аbс-123");
      add("mixed-script", "Arabic-Indic digits", "١٢٣");
      break;
    case "enum": {
      const first = field.values[0] ?? "x";
      add("enum", "unknown value", "no-such-value");
      if (first.toLowerCase() !== first) {
        add("enum", "lower case", first.toLowerCase());
      }
      if (first.toUpperCase() !== first) {
        add("enum", "upper case", first.toUpperCase());
      }
      add("enum", "trailing space", `${first} `);
      add("enum", "leading space", ` ${first}`);
      add("empty", '""', "");
      add("huge", "10000 characters", "x".repeat(10_000));
      add("control", "NUL inside", `${first}\u0000`);
      // Homoglyphs: Latin letters swapped for Cyrillic or full-width lookalikes.
      const cyrillic = first.replace(
        /[aceopxyACEHKMOPTXY]/g,
        (c) => "асеорхуАСЕНКМОРТХУ"["aceopxyACEHKMOPTXY".indexOf(c)] ?? c,
      );
      if (cyrillic !== first) {
        add("mixed-script", "Cyrillic homoglyphs", cyrillic);
      }
      add(
        "mixed-script",
        "full-width",
        first.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)),
      );
      add("mixed-script", "zero-width space", `${first.slice(0, 1)}\u200b${first.slice(1)}`);
      break;
    }
    case "int":
      for (const v of [field.min - 1, field.max + 1, -1, 1.5, field.min + 0.000001, 2 ** 53 + 2, -(2 ** 31), 1e21]) {
        if (v >= field.min && v <= field.max && Number.isInteger(v)) {
          continue;
        }
        add("number", String(v), v);
      }
      addRaw("number", "1e309 (Infinity)", "1e309");
      addRaw("number", "-1e309", "-1e309");
      addRaw("number", "123456789012345678901234567890", "123456789012345678901234567890");
      add("number", '"1"', String(field.min));
      add("number", '"0x10"', "0x10");
      break;
    case "number":
      for (const v of [field.min - 0.0001, field.max + 0.0001, -1, field.max + 1, 1e21]) {
        add("number", String(v), v);
      }
      addRaw("number", "1e309 (Infinity)", "1e309");
      add("number", '"50"', "50");
      break;
    case "url":
      for (const u of [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "ftp://example.test/x.png",
        "data:image/png;base64,AAAA",
        "not a url",
        "//example.test/x.png",
        "http://",
      ]) {
        add("type", u, u);
      }
      add("huge", `${URL_MAX_LENGTH + 1} characters`, `http://example.test/${"a".repeat(URL_MAX_LENGTH)}`);
      add("control", "NUL in the host", "http://exa\u0000mple.test/");
      add("control", "unpaired surrogate", "http://example.test/\ud800");
      break;
    case "image-base64":
      add("type", "not base64", "!!!not base64!!!");
      add("type", "base64 of text, not an image", Buffer.from("hello, not an image").toString("base64"), 422);
      add("type", "a GIF", Buffer.from("GIF89a\u0001\u0000\u0001\u0000").toString("base64"), 422);
      add(
        "type",
        "a data: URL that lies about its type",
        `data:image/png;base64,${Buffer.from("<svg/>").toString("base64")}`,
        422,
      );
      add("control", "NUL", "\u0000");
      add("type", "a PNG cut after its signature", Buffer.from("89504e470d0a1a0a00", "hex").toString("base64"), 422);
      add("huge", "a PNG declaring 16383×16383 pixels", pngDeclaring(16383, 16383).toString("base64"), 413);
      break;
  }
  return cases;
}

function bodyCases(body: NonNullable<Probe["body"]>, f: Fixtures): Case[] {
  const sample = body.sample(f);
  const text = JSON.stringify(sample);
  const cases: Case[] = [];
  const bad = (category: Category, name: string, raw: string | Buffer, status: number | "4xx" = 400, field?: string) =>
    cases.push({ category, name, raw, status, field });

  bad("json", "cut short", text.slice(0, -1));
  bad("json", "unquoted keys", text.replace(/"([a-z_]+)":/g, "$1:"));
  bad("json", "single quotes", text.replaceAll('"', "'"));
  bad("json", "trailing comma", `${text.slice(0, -1)},}`);
  bad("json", "two documents", `${text}${text}`);
  bad("json", "NaN literal", "NaN");
  bad("json", "comment", `/* hi */${text}`);
  bad(
    "json",
    "not UTF-8",
    Buffer.concat([Buffer.from(text.slice(0, -1)), Buffer.from(',"k":"\xff\xfe"}', "latin1")]),
    "4xx",
  );

  bad("shape", "empty body", "");
  bad("shape", "null", "null");
  bad("shape", "an array", `[${text}]`);
  bad("shape", "a string", '"hello"');
  bad("shape", "a number", "42");
  bad("shape", "true", "true");
  bad("shape", "65 levels deep", `${text.slice(0, -1)},"nest":${"[".repeat(65)}${"]".repeat(65)}}`);
  bad("shape", "a key with NUL", `${text.slice(0, -1)},"a\\u0000b":1}`);

  if (body.checksContentType !== false) {
    const types: (string | null)[] = [
      null,
      "text/plain",
      "multipart/form-data; boundary=x",
      "application/xml",
      "application/json-patch+json",
    ];
    if (!body.acceptsForm) {
      types.push("application/x-www-form-urlencoded");
    }
    for (const type of types) {
      cases.push({
        category: "content-type",
        name: type ?? "no Content-Type",
        raw: text,
        contentType: type,
        status: 415,
      });
    }
  }
  if (body.strict !== false) {
    cases.push({
      category: "extra",
      name: "unknown field",
      json: { ...sample, unexpected: 1 },
      status: 400,
      field: "unexpected",
    });
    // Refused as unknown fields (web, naming them) or as prototype poisoning by Fastify's JSON parser (generator).
    bad("extra", "__proto__", `${text.slice(0, -1)},"__proto__":{"role":"admin"}}`, 400);
    cases.push({
      category: "extra",
      name: "constructor",
      json: { ...sample, constructor: { prototype: {} } },
      status: 400,
    });
  }
  const padding = "p".repeat(body.maxBytes);
  cases.push({ category: "oversized", name: `over ${body.maxBytes} bytes`, json: { ...sample, padding }, status: 413 });
  cases.push({
    category: "oversized",
    name: "a 2 MiB string field",
    json: { ...sample, padding: "p".repeat(2 * 1024 * 1024) },
    status: "4xx",
  });

  for (const [name, field] of Object.entries(body.fields)) {
    cases.push(...fieldCases(name, field, sample));
  }
  return cases;
}

function pathCases(probe: Probe & { pathId: NonNullable<Probe["pathId"]> }, f: Fixtures): Case[] {
  const ids = [
    "not-a-uuid",
    "00000000-0000-0000-0000-000000000000",
    "..%2F..%2Fsecrets.json",
    "a".repeat(300),
    "%00",
    "%",
    "%zz",
    "%c0%ae",
    "%E6%97",
    "%FF%FE",
    "%E6%97%A5%E6%9C%AC%E8%AA%9E",
    "'%20OR%20'1'='1",
    "%3Cscript%3E",
    "-1",
    "1.5",
    "msg_%00",
    `${f.videoJob}x`,
  ];
  const cases: Case[] = ids.map((id) => ({
    category: "path-id",
    name: id.slice(0, 40),
    path: probe.pathId.build(id),
    status: "4xx",
  }));
  return cases;
}

function queryCases(probe: Probe, query: Record<string, Field>, f: Fixtures): Case[] {
  const base = probe.url(f);
  const cases: Case[] = [];
  for (const [name, field] of Object.entries(query)) {
    const values =
      field.kind === "int"
        ? ["-1", "0", "1.5", String(field.max + 1), "1e309", "abc", "", "5abc", "%00", "Infinity", "NaN", "1,5"]
        : field.kind === "text"
          ? // Free text (a search): any words are fine; too long, or what the pipeline cannot carry, is not.
            ["a".repeat(field.max + 1), "%00", "a%07b", "%1B%5B31m", "%EF%BF%BF", "%C2%85"]
          : field.kind === "id"
            ? ["a%2Fb", "..%2Fx", "a%20b", "%00", "a".repeat(129), "%D0%B0bc"]
            : field.kind === "datetime"
              ? [
                  "garbage",
                  "0000-01-01T00:00:00.000Z",
                  "2026-13-01T00:00:00Z",
                  "2026-01-01",
                  "2026-01-01T00:00:00",
                  "%00",
                  "x".repeat(600),
                ]
              : [
                  "garbage",
                  "x".repeat(field.kind === "string" ? field.max + 1 : 600),
                  Buffer.from('["not a date","x"]').toString("base64url"),
                  Buffer.from("[1,2]").toString("base64url"),
                  Buffer.from('["2026-01-01T00:00:00.000Z","../../x"]').toString("base64url"),
                  Buffer.from("not json").toString("base64url"),
                  "%00",
                  "%F0%9F",
                ];
    for (const v of values) {
      cases.push({
        category: "query",
        name: `${name}=${v.slice(0, 24)}`,
        path: `${base}?${name}=${v}`,
        status: 400,
        field: name,
      });
    }
  }
  return cases;
}

/** Every bad request the corpus sends to one probe. */
export function casesFor(probe: Probe, f: Fixtures, options: { signed: boolean; submit: boolean }): Case[] {
  const cases: Case[] = [];
  if (probe.body) {
    cases.push(...bodyCases(probe.body, f));
  } else {
    cases.push({
      category: "oversized",
      name: `a body over ${EMPTY_BODY_MAX_BYTES} bytes where none is read`,
      raw: JSON.stringify({ padding: "p".repeat(64 * 1024 + 1) }),
      status: 413,
    });
  }
  if (probe.pathId) {
    cases.push(...pathCases({ ...probe, pathId: probe.pathId }, f));
  }
  if (probe.query) {
    cases.push(...queryCases(probe, probe.query, f));
  }
  if (options.submit) {
    const key = (label: string, value: string) =>
      cases.push({
        category: "header",
        name: `Idempotency-Key ${label}`,
        headers: { "idempotency-key": value },
        status: 400,
        field: "Idempotency-Key",
      });
    key("empty", "");
    key(`of ${IDEMPOTENCY_KEY_MAX_LENGTH + 1} characters`, "k".repeat(IDEMPOTENCY_KEY_MAX_LENGTH + 1));
    key("with a space", "a b");
    key("with Latin-1", "cl\u00e9");
  }
  if (options.signed) {
    const sig = (name: string, headers: Record<string, string>) =>
      cases.push({ category: "signature", name, headers, status: 401 });
    sig("unsigned", { "webhook-signature": "", "webhook-id": "", "webhook-timestamp": "" });
    sig("timestamp not a number", { "webhook-timestamp": "soon" });
    sig("timestamp in milliseconds", { "webhook-timestamp": String(Date.now()) });
    sig("empty v1 signature", { "webhook-signature": "v1," });
    sig("unknown scheme", { "webhook-signature": "v2,abc" });
    sig("another message id", { "webhook-id": "msg_other" });
  }
  return cases;
}
