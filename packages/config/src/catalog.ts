import { type CatalogEntry, type CatalogProvider, PROVIDER_DEFAULT_MODELS, requirementOf } from "@sorami/contracts";
import type { CatalogFile, OpenAICompatibleServer } from "./catalog-file";

/**
 * The active catalog: built-in entries and the catalog file's, merged with
 * its price and fallback overrides, less what is disabled, filtered to the
 * models whose provider is configured, with a default per kind. Pure (the
 * env modules gather its inputs), and every refusal says what to change.
 */

export type CatalogDefaults = {
  /** DEFAULT_IMAGE_MODEL / DEFAULT_VIDEO_MODEL: a catalog id. */
  image?: string;
  video?: string;
};

export type ResolveCatalogInput = {
  builtIns: readonly CatalogEntry[];
  file?: Pick<CatalogFile, "file" | "entries" | "prices" | "fallbacks" | "disabled">;
  /**
   * What is configured: provider names whose key is set (`gemini`, `fal`…)
   * and `openai-compatible:<server>` for each usable server (see
   * requirementOf). `local` is always configured.
   */
  configured: Iterable<string>;
  defaults: CatalogDefaults;
};

export type ResolvedCatalog = {
  /** The active entries, built-ins first, in declaration order. */
  entries: CatalogEntry[];
  defaults: { image: string; video: string };
  /** Models left out and why, for the start-up log. */
  inactive: { id: string; reason: string }[];
};

export class CatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CatalogError";
  }
}

const KINDS = ["image", "video"] as const;
const DEFAULT_VARIABLE = { image: "DEFAULT_IMAGE_MODEL", video: "DEFAULT_VIDEO_MODEL" } as const;

export function resolveCatalog(input: ResolveCatalogInput): ResolvedCatalog {
  const fileName = input.file?.file ?? "MODELS_FILE";
  const byId = new Map<string, CatalogEntry>();
  for (const entry of input.builtIns) {
    byId.set(entry.id, entry);
  }
  for (const entry of input.file?.entries ?? []) {
    if (byId.has(entry.id)) {
      throw new CatalogError(
        `${fileName}: model ${entry.id} is already a built-in model; change its price or fallbacks under prices: or fallbacks:, or give the new model another id`,
      );
    }
    byId.set(entry.id, entry);
  }
  const known = (id: string, where: string) => {
    if (!byId.has(id)) {
      throw new CatalogError(`${fileName}: ${where} names ${id}, which is not a model of the catalog`);
    }
  };
  for (const [id, price] of Object.entries(input.file?.prices ?? {})) {
    known(id, `prices.${id}`);
    byId.set(id, { ...(byId.get(id) as CatalogEntry), price });
  }
  for (const [id, fallbacks] of Object.entries(input.file?.fallbacks ?? {})) {
    known(id, `fallbacks.${id}`);
    byId.set(id, { ...(byId.get(id) as CatalogEntry), fallbacks });
  }
  const disabled = new Set(input.file?.disabled ?? []);
  for (const id of disabled) {
    known(id, "disabled");
  }

  for (const entry of byId.values()) {
    for (const fallback of entry.fallbacks) {
      const target = byId.get(fallback);
      if (!target) {
        throw new CatalogError(`model ${entry.id} falls back to ${fallback}, which is not a model of the catalog`);
      }
      if (fallback === entry.id) {
        throw new CatalogError(`model ${entry.id} names itself as its fallback`);
      }
      if (target.kind !== entry.kind) {
        throw new CatalogError(
          `model ${entry.id} (${entry.kind}) falls back to ${fallback}, a ${target.kind} model; fallbacks must be of the same kind`,
        );
      }
    }
  }

  const configured = new Set(input.configured);
  configured.add("local");
  const inactive: ResolvedCatalog["inactive"] = [];
  const active = new Map<string, CatalogEntry>();
  for (const entry of byId.values()) {
    const requirement = requirementOf(entry);
    if (disabled.has(entry.id)) {
      inactive.push({ id: entry.id, reason: `disabled in ${fileName}` });
    } else if (!configured.has(requirement)) {
      inactive.push({ id: entry.id, reason: `${requirement} is not configured` });
    } else {
      active.set(entry.id, entry);
    }
  }
  // A fallback that is not active is skipped, not an error: its key may come later.
  const entries = [...active.values()].map((e) => ({ ...e, fallbacks: e.fallbacks.filter((f) => active.has(f)) }));

  const defaults = { image: "", video: "" };
  for (const kind of KINDS) {
    const wanted = input.defaults[kind];
    if (wanted) {
      const entry = byId.get(wanted);
      if (!entry) {
        throw new CatalogError(`${DEFAULT_VARIABLE[kind]} names ${wanted}, which is not a model of the catalog`);
      }
      if (entry.kind !== kind) {
        throw new CatalogError(`${DEFAULT_VARIABLE[kind]} names ${wanted}, a ${entry.kind} model`);
      }
      if (!active.has(wanted)) {
        const why = inactive.find((i) => i.id === wanted)?.reason ?? "inactive";
        throw new CatalogError(`${DEFAULT_VARIABLE[kind]} names ${wanted}, which is not active (${why})`);
      }
      defaults[kind] = wanted;
      continue;
    }
    const first =
      entries.find((e) => e.kind === kind && e.provider === "local") ?? entries.find((e) => e.kind === kind);
    if (!first) {
      throw new CatalogError(`no ${kind} model is active: configure a provider or stop disabling the local one`);
    }
    defaults[kind] = first.id;
  }
  return { entries, defaults, inactive };
}

/**
 * The defaults the env names: DEFAULT_IMAGE_MODEL / DEFAULT_VIDEO_MODEL when
 * set, else the built-in model IMAGE_PROVIDER / VIDEO_PROVIDER stand for
 * (so a deployment configured before the catalog keeps its default).
 */
export function catalogDefaults(env: {
  DEFAULT_IMAGE_MODEL?: string;
  DEFAULT_VIDEO_MODEL?: string;
  IMAGE_PROVIDER?: keyof typeof PROVIDER_DEFAULT_MODELS.image;
  VIDEO_PROVIDER?: keyof typeof PROVIDER_DEFAULT_MODELS.video;
}): CatalogDefaults {
  return {
    image:
      env.DEFAULT_IMAGE_MODEL || (env.IMAGE_PROVIDER ? PROVIDER_DEFAULT_MODELS.image[env.IMAGE_PROVIDER] : undefined),
    video:
      env.DEFAULT_VIDEO_MODEL || (env.VIDEO_PROVIDER ? PROVIDER_DEFAULT_MODELS.video[env.VIDEO_PROVIDER] : undefined),
  };
}

/**
 * The requirements met (see requirementOf): each provider whose key is set,
 * and each OpenAI-compatible server that needs no key or whose key variable
 * (named by the file's api_key_env) is set in `env`.
 */
export function configuredRequirements(
  keys: Partial<Record<CatalogProvider, string | undefined>>,
  servers: readonly OpenAICompatibleServer[],
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const met = Object.entries(keys)
    .filter(([, key]) => Boolean(key))
    .map(([provider]) => provider);
  for (const server of servers) {
    if (!server.api_key_env || env[server.api_key_env]) {
      met.push(`openai-compatible:${server.name}`);
    }
  }
  return met;
}

export {
  CATALOG_FILE_MAX_BYTES,
  type CatalogFile,
  CatalogFileError,
  type CatalogFileResult,
  loadCatalogFile,
  type OpenAICompatibleServer,
  parseCatalogFile,
  serverSchema,
} from "./catalog-file";
