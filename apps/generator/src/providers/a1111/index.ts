import type { CatalogEntry, ImageCatalogEntry } from "@sorami/contracts";
import { type EngineInstance, parseInstances } from "../engines/instances";
import type { EntryFactory } from "../factories";
import { loadA1111Catalog } from "./catalog";
import { A1111Pool } from "./pool";
import { A1111_POLL_INTERVAL_MS, A1111Provider } from "./provider";

export { A1111CatalogError } from "./catalog";

/**
 * A1111_URLS (comma-separated base URLs of A1111/Forge servers started with
 * --api) and A1111_API_AUTH (`user:password`, the server's --api-auth), which
 * applies to every URL without its own `user:password@`. Takes the raw env
 * record the env module hands over.
 */
export function a1111InstancesFromEnv(env: Record<string, string | undefined>): EngineInstance[] {
  return parseInstances({
    variable: "A1111_URLS",
    urls: env.A1111_URLS,
    ...(env.A1111_API_AUTH ? { defaultBasicAuth: { variable: "A1111_API_AUTH", value: env.A1111_API_AUTH } } : {}),
  });
}

export type A1111Setup = {
  entries: ImageCatalogEntry[];
  providers: Map<string, A1111Provider>;
  /** Instances that could not be asked for their checkpoints at start (their models are missing until the next start). */
  warnings: string[];
};

/**
 * Everything A1111/Forge brings: one catalog entry and one AsyncProvider per
 * checkpoint — those the catalog file lists with provider "a1111", or when
 * it lists none, those the server reports at /sdapi/v1/sd-models.
 */
export async function createA1111(options: {
  instances: EngineInstance[];
  listed: CatalogEntry[];
  pollMs?: number;
}): Promise<A1111Setup> {
  const pool = new A1111Pool(options.instances);
  const { entries, warnings } = await loadA1111Catalog(pool, options.listed);
  const providers = new Map(
    entries.map((entry) => [entry.id, new A1111Provider(entry, pool, options.pollMs ?? A1111_POLL_INTERVAL_MS)]),
  );
  return { entries, providers, warnings };
}

/** The wiring's view of an A1111 setup, like the hosted providers' factories: catalog entry → its AsyncProvider. */
export function a1111EntryFactory(setup: A1111Setup): EntryFactory {
  return async (entry) => {
    const provider = setup.providers.get(entry.id);
    if (!provider) {
      throw new Error(`model ${entry.id}: no A1111 checkpoint model of that id was loaded at start`);
    }
    return { mode: "async", provider };
  };
}
