import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  type CatalogEntry,
  catalogEntrySchema,
  entryOptionsProblems,
  httpUrlSchema,
  modelIdSchema,
  mostSpecificIssue,
  priceSchema,
  SERVER_NAME_PATTERN,
} from "@sorami/contracts";
import { isMap, isPair, isScalar, LineCounter, type Node, parseDocument } from "yaml";
import { z } from "zod";

/**
 * MODELS_FILE: the operator's catalog file, YAML or JSON (JSON is read by the
 * same YAML 1.2 parser, so both get line and column in errors). It declares
 * more models, OpenAI-compatible servers, price overrides, fallbacks and
 * disabled models; docs/providers-draft.md describes it with an example.
 * `loadCatalogFile` returns the validated content or one error naming the
 * file, the line and column, the entry and the field.
 */

/** A catalog file larger than this is refused: a thousand models fit in a few hundred KiB. */
export const CATALOG_FILE_MAX_BYTES = 1024 * 1024;

/** An env variable's name (the key of an OpenAI-compatible server lives in the environment, never in the file). */
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

export const serverSchema = z.strictObject({
  name: z.string().regex(SERVER_NAME_PATTERN, { error: "must be lower-case letters, digits and -" }),
  base_url: httpUrlSchema,
  /** The NAME of the variable holding the key; absent for a server that takes none. */
  api_key_env: z.string().regex(ENV_NAME, { error: "must be an environment variable name (A-Z, 0-9, _)" }).optional(),
});
export type OpenAICompatibleServer = z.infer<typeof serverSchema>;

const fileSchema = z.strictObject({
  version: z.literal(1).optional(),
  servers: z.array(serverSchema).default([]),
  models: z.array(z.unknown()).default([]),
  prices: z.record(modelIdSchema, priceSchema).default({}),
  fallbacks: z.record(modelIdSchema, z.array(modelIdSchema).max(5)).default({}),
  disabled: z.array(modelIdSchema).default([]),
});

export type CatalogFile = {
  /** Where it was read from, for messages. */
  file: string;
  entries: CatalogEntry[];
  servers: OpenAICompatibleServer[];
  prices: Record<string, z.infer<typeof priceSchema>>;
  fallbacks: Record<string, string[]>;
  disabled: string[];
};

export class CatalogFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CatalogFileError";
  }
}

export type CatalogFileResult = { ok: true; value: CatalogFile } | { ok: false; error: CatalogFileError };

type Path = (string | number)[];

/** The deepest node the path reaches (a missing key points at its parent), and for an unknown key the key itself. */
function nodeAt(doc: ReturnType<typeof parseDocument>, at: Path, unknownKey?: string): Node | null {
  for (let n = at.length; n >= 0; n--) {
    const node = doc.getIn(at.slice(0, n), true) as Node | undefined;
    if (node && typeof node === "object" && "range" in node) {
      if (unknownKey && n === at.length && isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === unknownKey);
        if (pair && isScalar(pair.key)) {
          return pair.key;
        }
      }
      return node;
    }
  }
  return doc.contents as Node | null;
}

/** `models[2] "fal-ai/foo": options.input.size` — the entry by index and id, then the field inside it. */
function describePath(at: Path, models: unknown[]): string {
  const [top, index, ...rest] = at;
  if (top === "models" && typeof index === "number") {
    const id = (models[index] as { id?: unknown } | undefined)?.id;
    const entry = `models[${index}]${typeof id === "string" ? ` "${id}"` : ""}`;
    return rest.length ? `${entry}: ${formatPath(rest)}` : entry;
  }
  return formatPath(at);
}

function formatPath(at: Path): string {
  return at.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("") || "(the file)";
}

/** Parses and validates a catalog file's text; `file` only names it in messages. */
export function parseCatalogFile(file: string, text: string): CatalogFileResult {
  const name = path.basename(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const fail = (message: string) => ({ ok: false as const, error: new CatalogFileError(message) });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = syntax.linePos?.[0] ?? lineCounter.linePos(syntax.pos[0]);
    return fail(
      `${name}:${pos ? `${pos.line}:${pos.col}` : "?"}: not valid YAML or JSON: ${syntax.message.split("\n")[0]}`,
    );
  }
  const raw: unknown = doc.toJS();
  const models = Array.isArray((raw as { models?: unknown })?.models) ? (raw as { models: unknown[] }).models : [];
  const at = (where: Path, message: string, unknownKey?: string) => {
    const node = nodeAt(doc, where, unknownKey);
    const pos = node?.range ? lineCounter.linePos(node.range[0]) : undefined;
    const field = unknownKey ? [...where, unknownKey] : where;
    return fail(`${name}:${pos ? `${pos.line}:${pos.col}` : "?"}: ${describePath(field, models)}: ${message}`);
  };
  const issue = (prefix: Path, first: z.core.$ZodIssue) => {
    const i = mostSpecificIssue(first);
    const where = [...prefix, ...i.path.map((p) => (typeof p === "symbol" ? String(p) : p))];
    if (i.code === "unrecognized_keys") {
      return at(where, "is not a known field", i.keys[0]);
    }
    return at(where, i.message);
  };

  const top = fileSchema.safeParse(raw ?? {});
  if (!top.success) {
    return issue([], top.error.issues[0] as z.core.$ZodIssue);
  }
  const entries: CatalogEntry[] = [];
  const seen = new Map<string, number>();
  for (const [index, model] of top.data.models.entries()) {
    const parsed = catalogEntrySchema.safeParse(model);
    if (!parsed.success) {
      return issue(["models", index], parsed.error.issues[0] as z.core.$ZodIssue);
    }
    const entry = parsed.data;
    const problem = entryOptionsProblems(entry)[0];
    if (problem) {
      return at(["models", index, ...problem.path], problem.message);
    }
    const earlier = seen.get(entry.id);
    if (earlier !== undefined) {
      return at(["models", index, "id"], `${entry.id} is already declared by models[${earlier}]`);
    }
    seen.set(entry.id, index);
    if (entry.provider === "openai-compatible") {
      const server = (entry.options as { server: string }).server;
      if (!top.data.servers.some((s) => s.name === server)) {
        return at(["models", index, "options", "server"], `no server named ${server} is declared under servers`);
      }
    }
    entries.push(entry);
  }
  const names = top.data.servers.map((s) => s.name);
  const twice = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (twice >= 0) {
    return at(["servers", twice, "name"], `${names[twice]} is declared twice`);
  }
  return {
    ok: true,
    value: {
      file,
      entries,
      servers: top.data.servers,
      prices: top.data.prices,
      fallbacks: top.data.fallbacks,
      disabled: top.data.disabled,
    },
  };
}

/** Reads MODELS_FILE and validates it; a missing, unreadable or oversized file is an error naming it. */
export async function loadCatalogFile(file: string): Promise<CatalogFileResult> {
  let text: string;
  try {
    const bytes = await readFile(file);
    if (bytes.length > CATALOG_FILE_MAX_BYTES) {
      return {
        ok: false,
        error: new CatalogFileError(`${file}: larger than ${CATALOG_FILE_MAX_BYTES} bytes; is it the right file?`),
      };
    }
    text = bytes.toString("utf8");
  } catch (error) {
    return {
      ok: false,
      error: new CatalogFileError(`MODELS_FILE ${file} cannot be read: ${(error as Error).message}`),
    };
  }
  return parseCatalogFile(file, text);
}
