import type { CatalogEntry, JobKind } from "@sorami/contracts";
import type { BflConfig } from "./bfl";
import type { FalConfig } from "./fal";
import type { OpenAICompatibleServerConfig } from "./openai-compatible";
import type { ReplicateConfig } from "./replicate";
import type { AsyncProvider, Provider } from "./types";

/**
 * One factory per remote provider: given its configuration once, it builds
 * a provider for each catalog entry of that provider, all sharing one client
 * (a vendor's rate limit is per account). A provider's module and its SDK
 * load only when its first entry is built, so an idle generator without
 * FAL_KEY never carries @fal-ai/client (the bench's footprint section).
 *
 * - fal, Replicate, BFL: AsyncProvider (the pipeline stores the handle
 *   between submit and wait).
 * - OpenAI-compatible servers: Provider (one HTTP call, nothing to resume).
 */
export type BuiltProvider<K extends JobKind = JobKind> =
  | { mode: "async"; provider: AsyncProvider<K> }
  | { mode: "sync"; provider: Provider<K> };

export type EntryFactory = (entry: CatalogEntry) => Promise<BuiltProvider>;

/** Memoises the client: created on first use, shared afterwards. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make();
    return made;
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
