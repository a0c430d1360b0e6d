import type { ActiveCatalog } from "@sorami/config";
import {
  BUILT_IN_MODELS,
  type CatalogEntry,
  type JobKind,
  LOCAL_IMAGE_MODEL,
  LOCAL_VIDEO_MODEL,
  type ModelView,
  modelViewOf,
} from "@sorami/contracts";
import type { GeneratorEnv } from "../env";
import {
  type BuiltProvider,
  bflFactory,
  falFactory,
  googleFactories,
  localFactory,
  openAICompatibleFactory,
  openAIFactory,
  type ProviderFactories,
  replicateFactory,
} from "./factories";
import { ProviderError } from "./types";

/**
 * The active catalog and one provider per entry: every provider whose key
 * is configured at once. A provider is built the first time a job needs its
 * model (its module and SDK load then), and shared by every later job of
 * that model. The pipeline asks the registry, never a provider by name.
 */
export type ModelRegistry = {
  /** The active entries, built-ins first. */
  readonly entries: readonly CatalogEntry[];
  readonly defaults: Readonly<Record<JobKind, string>>;
  /** The active entry with this id, or undefined. */
  entry(id: string): CatalogEntry | undefined;
  /** The job's model: its own, else (a job from before the catalog) its kind's default. */
  entryFor(kind: JobKind, model: string | null | undefined): CatalogEntry;
  /** What the web app and `GET /api/models` show. */
  views(): ModelView[];
  /** The entry's provider, built on first use. */
  provider(entry: CatalogEntry): Promise<BuiltProvider>;
};

/** A job whose model this generator does not run (its configuration changed since): it fails, saying so. */
export class ModelNotActive extends ProviderError {
  constructor(id: string) {
    super(
      "invalid_request",
      `model ${id} is not active in this generator; the operator should check its configuration`,
    );
    this.name = "ModelNotActive";
  }
}

export function createModelRegistry(
  catalog: { entries: readonly CatalogEntry[]; defaults: Readonly<Record<JobKind, string>> },
  factories: ProviderFactories,
): ModelRegistry {
  const byId = new Map(catalog.entries.map((e) => [e.id, e]));
  for (const entry of catalog.entries) {
    if (!factories[entry.provider]) {
      throw new Error(`model ${entry.id} is active but this generator has no ${entry.provider} provider`);
    }
  }
  const built = new Map<string, Promise<BuiltProvider>>();
  const entry = (id: string) => byId.get(id);
  const views = catalog.entries.map((e) => modelViewOf(e, catalog.defaults[e.kind] === e.id));
  return {
    entries: catalog.entries,
    defaults: catalog.defaults,
    entry,
    entryFor(kind, model) {
      const id = model ?? catalog.defaults[kind];
      const found = byId.get(id);
      if (!found || found.kind !== kind) {
        throw new ModelNotActive(id);
      }
      return found;
    },
    views: () => views,
    provider(e) {
      let made = built.get(e.id);
      if (!made) {
        const factory = factories[e.provider];
        if (!factory) {
          throw new ModelNotActive(e.id);
        }
        made = factory(e);
        // A failed build (a module that would not load) is tried again by the next job.
        made.catch(() => built.delete(e.id));
        built.set(e.id, made);
      }
      return made;
    },
  };
}

/**
 * The factories of the providers this generator can run, given its
 * configuration: local always; each remote one when its key is set (an
 * entry of a provider without its key is not active, so never asks).
 */
export function builtInFactories(
  env: GeneratorEnv,
  catalog: Pick<ActiveCatalog, "servers">,
  engines: ProviderFactories = {},
): ProviderFactories {
  const factories: ProviderFactories = {
    ...engines,
    local: localFactory({
      delayMs: env.localProviderDelayMs,
      transientFailureRate: env.localProviderTransientFailureRate,
    }),
  };
  const { keys, baseUrls, vendorModels } = env.providerConfig;
  if (keys.gemini) {
    Object.assign(
      factories,
      googleFactories(
        { apiKey: keys.gemini, baseUrl: baseUrls.gemini },
        {
          gemini: vendorModels.gemini,
          veo: vendorModels.veo,
        },
      ),
    );
  }
  if (keys.openai) {
    factories.openai = openAIFactory({ apiKey: keys.openai, baseUrl: baseUrls.openai, model: vendorModels.openai });
  }
  if (keys.fal) {
    factories.fal = falFactory({ key: keys.fal, baseUrl: baseUrls.fal });
  }
  if (keys.replicate) {
    factories.replicate = replicateFactory({ token: keys.replicate, baseUrl: baseUrls.replicate });
  }
  if (keys.bfl) {
    factories.bfl = bflFactory({ key: keys.bfl, baseUrl: baseUrls.bfl });
  }
  factories["openai-compatible"] = openAICompatibleFactory(
    catalog.servers.map((s) => ({
      name: s.name,
      baseUrl: s.base_url,
      apiKey: s.api_key_env ? env.secret(s.api_key_env) : undefined,
      keyVariable: s.api_key_env,
    })),
  );
  return factories;
}

/** A generator with no key set: the local models alone, the defaults (tests and tools). */
export function localModelRegistry(delayMs = 0): ModelRegistry {
  const entries = BUILT_IN_MODELS.filter((e) => e.provider === "local");
  return createModelRegistry(
    { entries, defaults: { image: LOCAL_IMAGE_MODEL, video: LOCAL_VIDEO_MODEL } },
    { local: localFactory({ delayMs, transientFailureRate: 0 }) },
  );
}
