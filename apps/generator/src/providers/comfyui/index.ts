import type { CatalogEntry } from "@sorami/contracts";
import { type EngineInstance, parseInstances } from "../engines/instances";
import type { EntryFactory } from "../factories";
import type { AsyncProvider } from "../types";
import { loadComfyWorkflows } from "./loader";
import { ComfyPool } from "./pool";
import { ComfyUIProvider } from "./provider";
import { COMFY_TIMINGS, type ComfyTimings } from "./watch";

export { WorkflowConfigError } from "./loader";

/** The env variable giving the extra header of the n-th URL of COMFYUI_URLS (1-based). */
export const comfyAuthHeaderVariable = (position: number) => `COMFYUI_AUTH_HEADER_${position}`;

/**
 * COMFYUI_URLS (comma-separated base URLs) with their credentials:
 * `https://user:pass@host` for a proxy's Basic auth, and
 * `COMFYUI_AUTH_HEADER_<n>=Name: value` for any other header the n-th URL
 * needs (a proxy's bearer token, ComfyUI-Login's `Authorization: Bearer …`).
 * Takes the raw env record the env module hands over.
 */
export function comfyInstancesFromEnv(env: Record<string, string | undefined>): EngineInstance[] {
  return parseInstances({
    variable: "COMFYUI_URLS",
    urls: env.COMFYUI_URLS,
    headerFor: (position) => {
      const variable = comfyAuthHeaderVariable(position);
      const value = env[variable];
      return value ? { variable, value } : undefined;
    },
  });
}

/** A provider of either kind, looked up by its catalog entry's id (the entry says which kind). */
export type AnyAsyncProvider = AsyncProvider<"image"> | AsyncProvider<"video">;
export type ComfyUISetup = { entries: CatalogEntry[]; providers: Map<string, AnyAsyncProvider> };

/**
 * Everything ComfyUI brings: one catalog entry and one AsyncProvider per
 * workflow descriptor in `workflowsDir`, all sharing the instance pool.
 * Throws WorkflowConfigError (every problem, by file and field) when a
 * descriptor is wrong, so start-up refuses.
 */
export async function createComfyUI(options: {
  instances: EngineInstance[];
  workflowsDir: string;
  timings?: ComfyTimings;
}): Promise<ComfyUISetup> {
  const models = await loadComfyWorkflows(options.workflowsDir);
  const pool = new ComfyPool(
    options.instances,
    (instance) => `its URL and ${comfyAuthHeaderVariable(options.instances.indexOf(instance) + 1)}`,
  );
  const timings = options.timings ?? COMFY_TIMINGS;
  const providers = new Map<string, AnyAsyncProvider>();
  for (const { entry, template } of models) {
    providers.set(
      entry.id,
      entry.kind === "image"
        ? new ComfyUIProvider<"image">(entry, template, pool, timings)
        : new ComfyUIProvider<"video">(entry, template, pool, timings),
    );
  }
  return { entries: models.map((m) => m.entry), providers };
}

/**
 * The wiring's view of a ComfyUI setup, like the hosted providers' factories:
 * the catalog entry of a workflow descriptor → its AsyncProvider. ComfyUI
 * models are declared by descriptors, never in MODELS_FILE; an entry there
 * with provider "comfyui" is refused with that advice.
 */
export function comfyuiEntryFactory(setup: ComfyUISetup): EntryFactory {
  return async (entry) => {
    const provider = setup.providers.get(entry.id);
    if (!provider) {
      throw new Error(
        `model ${entry.id}: ComfyUI models come from workflow descriptors in COMFYUI_WORKFLOWS_DIR, not from the catalog file`,
      );
    }
    return { mode: "async", provider };
  };
}
