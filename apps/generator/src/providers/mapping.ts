import { type MappingTargetInput, parseSize, sniffImageType, targetOf } from "@sorami/contracts";
import { ProviderError } from "./types";

/**
 * Applies a catalog entry's mapping (the language is documented in
 * packages/contracts/src/catalog-mapping.ts): Sorami's parameters become the
 * model's input, and the model's answer gives up its file references.
 */

const MIME = { PNG: "image/png", JPEG: "image/jpeg", WEBP: "image/webp" } as const;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** "1280x720" → "16:9". */
export function aspectRatioOf(size: string): string {
  const { width, height } = parseSize(size);
  const d = gcd(width, height) || 1;
  return `${width / d}:${height / d}`;
}

function transform(source: string, value: unknown, target: ReturnType<typeof targetOf>): Record<string, unknown> {
  const mapped = target.map && typeof value === "string" && value in target.map ? target.map[value] : value;
  const to = target.to;
  const one = (v: unknown) => ({ [to as string]: v });
  switch (target.as) {
    case "string":
      return one(String(mapped));
    case "number":
      return one(Number(mapped));
    case "wh-object":
      return one(parseSize(String(mapped)));
    case "width-height": {
      const { width, height } = parseSize(String(mapped));
      const [w, h] = to as readonly [string, string];
      return { [w]: width, [h]: height };
    }
    case "aspect-ratio":
      return one(aspectRatioOf(String(mapped)));
    case "data-uri":
    case "base64": {
      const bytes = value as Buffer;
      const type = sniffImageType(bytes);
      if (!type) {
        throw new ProviderError("invalid_request", `The ${source} is not a PNG, JPEG or WEBP image`);
      }
      const b64 = bytes.toString("base64");
      return one(target.as === "base64" ? b64 : `data:${MIME[type]};base64,${b64}`);
    }
    default:
      return one(mapped);
  }
}

/**
 * The model's input: the entry's constants, then each mapped parameter the
 * request carries (absent ones are left to the model's default). The input
 * image comes from the job's context, already fetched and checked.
 */
export function buildInput(
  mapping: Readonly<Record<string, MappingTargetInput>>,
  fixed: Record<string, unknown>,
  params: Record<string, unknown>,
  inputImage?: Buffer,
): Record<string, unknown> {
  const input: Record<string, unknown> = { ...fixed };
  for (const [source, raw] of Object.entries(mapping)) {
    const value = source === "input_image" ? inputImage : params[source];
    if (value === undefined || value === null || value === "") {
      continue;
    }
    Object.assign(input, transform(source, value, targetOf(raw)));
  }
  return input;
}

/**
 * Every value a path reaches in an answer (`images[].url`, `output[]`,
 * `video.url`). Arrays met at the end are flattened; missing steps yield
 * nothing, so an answer without files is told apart by the caller.
 */
export function valuesAt(answer: unknown, path: string): unknown[] {
  let current: unknown[] = [answer];
  for (const step of path.split(".")) {
    const every = step.endsWith("[]");
    const name = every ? step.slice(0, -2) : step;
    const next: unknown[] = [];
    for (const value of current) {
      const child = value && typeof value === "object" ? (value as Record<string, unknown>)[name] : undefined;
      if (child === undefined || child === null) {
        continue;
      }
      if (every && Array.isArray(child)) {
        next.push(...child);
      } else {
        next.push(child);
      }
    }
    current = next;
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

/** The file references (http(s) URLs or data: URIs) a path reaches; anything else is not a file. */
export function fileRefsAt(answer: unknown, path: string): string[] {
  return valuesAt(answer, path).filter((v): v is string => typeof v === "string" && /^(https?:\/\/|data:)/i.test(v));
}
