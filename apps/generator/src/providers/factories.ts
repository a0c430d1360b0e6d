import type { CatalogEntry, CatalogProvider, JobKind } from "@sorami/contracts";
import type { BflConfig } from "./bfl";
import type { FalConfig } from "./fal";
import type { OpenAICompatibleServerConfig } from "./openai-compatible";
import type { ReplicateConfig } from "./replicate";
import type { AsyncProvider, Provider } from "./types";

/**
 * One factory per provider: given its configuration once, it builds a
 * provider for each catalog entry of that provider, all sharing one client
 * (a vendor's rate limit is per account). A provider's module and its SDK
 * load only when its first entry is built, so an idle generator without
 * FAL_KEY never carries @fal-ai/client (the bench's footprint section).
 * Adding a provider is adding a factory here (or beside it) and its name in
 * the registry's table: nothing else in the pipeline knows providers.
 *
 * - Veo, fal, Replicate, BFL: AsyncProvider (the pipeline stores the handle
 *   between submit and wait).
 * - local, Gemini, OpenAI, OpenAI-compatible servers: Provider (one call,
 *   nothing to resume).
 */
export type BuiltProvider<K extends JobKind = JobKind> =
  | { mode: "async"; provider: AsyncProvider<K> }
  | { mode: "sync"; provider: Provider<K> };

export type EntryFactory = (entry: CatalogEntry) => Promise<BuiltProvider>;

/** A factory per provider name; an active entry whose provider has none stops the generator's start. */
export type ProviderFactories = Partial<Record<CatalogProvider, EntryFactory>>;

/** Memoises the client: created on first use, shared afterwards. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make();
    return made;
  };
}

/** The offline models (sharp, ffmpeg): `delayMs` stands in for a model's latency. */
export function localFactory(options: { delayMs: number; transientFailureRate: number }): EntryFactory {
  return async (entry) => {
    if (entry.kind === "image") {
      const { createLocalImageProvider } = await import("./local-image");
      const provider = createLocalImageProvider(options.delayMs, options.transientFailureRate, entry.id);
      return { mode: "sync", provider: provider as Provider<JobKind> };
    }
    const { createLocalVideoProvider } = await import("./local-video");
    const provider = createLocalVideoProvider(options.delayMs, options.transientFailureRate, entry.id);
    return { mode: "sync", provider: provider as Provider<JobKind> };
  };
}

export type GoogleConfig = { apiKey: string; baseUrl?: string };

/**
 * Gemini images and Veo videos through one Gemini API client. `vendorModel`
 * (GEMINI_IMAGE_MODEL, VEO_MODEL) names another model of the same family
 * for the built-in entry, when the entry itself names none.
 */
export function googleFactories(
  config: GoogleConfig,
  vendorModel: { gemini?: string; veo?: string },
): { gemini: EntryFactory; veo: EntryFactory } {
  const client = once(async () => (await import("./google")).createGoogleClient(config));
  const named = (entry: CatalogEntry, model: string | undefined): CatalogEntry =>
    model && !(entry.options as { model?: unknown }).model ? { ...entry, options: { ...entry.options, model } } : entry;
  return {
    gemini: async (entry) => {
      const { GeminiImageProvider } = await import("./gemini-image");
      const provider = new GeminiImageProvider(await client(), named(entry, vendorModel.gemini));
      return { mode: "sync", provider: provider as Provider<JobKind> };
    },
    veo: async (entry) => {
      const { VeoProvider } = await import("./veo");
      const provider = new VeoProvider(await client(), named(entry, vendorModel.veo));
      return { mode: "async", provider: provider as AsyncProvider<JobKind> };
    },
  };
}

export type OpenAIConfig = { apiKey: string; baseUrl?: string; model?: string };

/** OpenAI's GPT image models; `model` (OPENAI_IMAGE_MODEL) as for Google's. */
export function openAIFactory(config: OpenAIConfig): EntryFactory {
  const client = once(async () => (await import("./openai-image")).createOpenAIClient(config));
  return async (entry) => {
    const { OpenAIImageProvider } = await import("./openai-image");
    const named =
      config.model && !(entry.options as { model?: unknown }).model
        ? { ...entry, options: { ...entry.options, model: config.model } }
        : entry;
    return { mode: "sync", provider: new OpenAIImageProvider(await client(), named) as Provider<JobKind> };
  };
}

export function falFactory(config: FalConfig): EntryFactory {
  const client = once(async () => (await import("./fal")).createFal(config));
  return async (entry) => {
    const { FalProvider } = await import("./fal");
    return { mode: "async", provider: new FalProvider(await client(), entry) };
  };
}

export function replicateFactory(config: ReplicateConfig): EntryFactory {
  const client = once(async () => (await import("./replicate")).createReplicate(config));
  return async (entry) => {
    const { ReplicateProvider } = await import("./replicate");
    return { mode: "async", provider: new ReplicateProvider(await client(), entry) };
  };
}

export function bflFactory(config: BflConfig): EntryFactory {
  return async (entry) => {
    const { BflProvider } = await import("./bfl");
    return { mode: "async", provider: new BflProvider(config, entry) };
  };
}

/** One client per declared server; an entry names its server in options.server. */
export function openAICompatibleFactory(servers: readonly OpenAICompatibleServerConfig[]): EntryFactory {
  const clients = new Map<string, () => Promise<import("openai").default>>();
  for (const server of servers) {
    clients.set(
      server.name,
      once(async () => (await import("./openai-compatible")).createCompatibleClient(server)),
    );
  }
  return async (entry) => {
    const name = (entry.options as { server?: string }).server ?? "";
    const server = servers.find((s) => s.name === name);
    const client = clients.get(name);
    if (!server || !client) {
      throw new Error(`model ${entry.id} names server ${name}, which is not configured`);
    }
    const { OpenAICompatibleProvider } = await import("./openai-compatible");
    return { mode: "sync", provider: new OpenAICompatibleProvider(await client(), server, entry) as Provider<JobKind> };
  };
}
