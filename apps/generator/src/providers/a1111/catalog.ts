import {
  type CatalogEntry,
  catalogEntrySchema,
  IMAGE_FORMATS,
  IMAGE_QUALITIES,
  IMAGE_SIZES,
  type ImageCapabilities,
  type ImageCatalogEntry,
  MODEL_ID_MAX_LENGTH,
  NUM_IMAGES_MAX,
  parseSize,
} from "@sorami/contracts";
import { z } from "zod";
import { fieldPath } from "../comfyui/descriptor";
import { excerpt } from "../retry";
import { ProviderError } from "../types";
import type { SdModel } from "./client";
import type { A1111Pool } from "./pool";

/**
 * What an A1111 catalog entry's `options` hold (validated here, the only
 * module that reads them): the checkpoint to render with, as the server
 * names it (title, name, hash or file name), and optional sampler settings.
 */
export const a1111OptionsSchema = z.strictObject({
  checkpoint: z.string().min(1).max(500),
  sampler_name: z.string().min(1).max(100).optional(),
  scheduler: z.string().min(1).max(100).optional(),
  /** How far img2img departs from the input image (A1111's default 0.75). */
  denoising_strength: z.number().min(0).max(1).optional(),
});
export type A1111Options = z.infer<typeof a1111OptionsSchema>;

/** Sizes offered for a checkpoint found on the server: up to 1536 a side (SD 1.5 and SDXL both manage; beyond is slow and poor). */
export const A1111_MAX_SIDE = 1536;

/**
 * Capabilities of a checkpoint discovered at /sdapi/v1/sd-models: what any
 * SD checkpoint can do through A1111. An operator who wants narrower ones
 * (SDXL sizes only, fewer steps) lists the checkpoint in the catalog file.
 */
export const A1111_DEFAULT_CAPABILITIES: ImageCapabilities = {
  sizes: IMAGE_SIZES.filter((s) => {
    const { width, height } = parseSize(s);
    return width >= 512 && height >= 512 && Math.max(width, height) <= A1111_MAX_SIDE;
  }),
  formats: [...IMAGE_FORMATS],
  qualities: [...IMAGE_QUALITIES],
  num_images: { min: 1, max: NUM_IMAGES_MAX },
  input_image: "optional",
  negative_prompt: true,
  seed: true,
  steps: { min: 1, max: 150, default: 20 },
  guidance: { min: 1, max: 30, default: 7 },
};

/** A checkpoint name as a catalog id: `a1111:` and the name with anything an id may not hold turned into `-`. */
export function a1111ModelId(modelName: string): string {
  const slug = modelName
    .replaceAll("\\", "/")
    .replace(/[^A-Za-z0-9._:/@+-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "");
  return `a1111:${slug}`.slice(0, MODEL_ID_MAX_LENGTH);
}

/** One entry per checkpoint the server reports, when the catalog file lists none. */
export function entriesFromSdModels(models: SdModel[]): ImageCatalogEntry[] {
  const seen = new Set<string>();
  const entries: ImageCatalogEntry[] = [];
  for (const m of models) {
    const id = a1111ModelId(m.model_name);
    if (seen.has(id)) {
      continue;
    }
    seen.add(id);
    entries.push(
      catalogEntrySchema.parse({
        id,
        kind: "image",
        provider: "a1111",
        label: `${m.model_name} (A1111)`.slice(0, 200),
        capabilities: A1111_DEFAULT_CAPABILITIES,
        options: { checkpoint: m.title },
      }) as ImageCatalogEntry,
    );
  }
  return entries;
}

/** A catalog-file entry for A1111 that cannot work, naming the entry and the field. */
export class A1111CatalogError extends Error {
  constructor(
    readonly entry: string,
    readonly field: string,
    message: string,
  ) {
    super(`A1111 model ${entry}: ${field}: ${message}`);
    this.name = "A1111CatalogError";
  }
}

/** The catalog file's A1111 entries, their options checked; images only (A1111 makes no videos). */
export function checkListedEntries(listed: CatalogEntry[]): ImageCatalogEntry[] {
  return listed.map((entry) => {
    if (entry.kind !== "image") {
      throw new A1111CatalogError(entry.id, "kind", "A1111 makes images only");
    }
    const options = a1111OptionsSchema.safeParse(entry.options);
    if (!options.success) {
      const issue = options.error.issues[0];
      throw new A1111CatalogError(entry.id, fieldPath(["options", ...(issue?.path ?? [])]), issue?.message ?? "");
    }
    return entry;
  });
}

/**
 * The A1111 models: the catalog file's A1111 entries when it lists any,
 * otherwise one per checkpoint the first reachable instance reports. An
 * instance that cannot be reached leaves a warning (the models appear at the
 * next start); one that refuses Sorami's credentials stops the start.
 */
export async function loadA1111Catalog(
  pool: A1111Pool,
  listed: CatalogEntry[],
): Promise<{ entries: ImageCatalogEntry[]; warnings: string[] }> {
  if (listed.length > 0) {
    return { entries: checkListedEntries(listed), warnings: [] };
  }
  const warnings: string[] = [];
  for (const instance of pool.instances) {
    const client = pool.client(instance.name);
    try {
      const models = await pool.checkpoints(client as NonNullable<typeof client>);
      return { entries: entriesFromSdModels(models), warnings };
    } catch (error) {
      // Wrong credentials are a configuration mistake: refuse to start. A server that is down is not.
      if (error instanceof ProviderError && error.kind === "invalid_request") {
        throw error;
      }
      warnings.push(`A1111 at ${instance.name}: ${excerpt((error as Error).message, 200)}`);
    }
  }
  return { entries: [], warnings };
}
