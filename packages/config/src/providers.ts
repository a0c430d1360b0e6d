import {
  BUILT_IN_MODELS,
  type CatalogEntry,
  type CatalogProvider,
  IMAGE_PROVIDER_NAMES,
  type PROVIDER_DEFAULT_MODELS,
  VIDEO_PROVIDER_NAMES,
} from "@sorami/contracts";
import { z } from "zod";
import {
  catalogDefaults,
  configuredRequirements,
  loadCatalogFile,
  type OpenAICompatibleServer,
  type ResolvedCatalog,
  resolveCatalog,
} from "./catalog";
import { commaList } from "./comma-list";

/** "host", "host:port", "[v6]" or "[v6]:port". */
const ALLOW_ENTRY = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

/**
 * Hosts whose input image URLs may be on a private address (an intranet
 * image server), comma-separated `host` or `host:port`. Empty by default:
 * only public addresses are fetched. Both services read it: the web app
 * refuses a literal private address at submit, the generator fetches.
 */
export const inputImageEnvShape = {
  INPUT_IMAGE_ALLOWED_HOSTS: commaList({ lowercase: true }).pipe(
    z.array(z.string().regex(ALLOW_ENTRY, "each entry must be host or host:port")),
  ),
};

/**
 * What decides the active catalog, read by the generator only (it holds the
 * keys; the web app asks it for the catalog): the catalog file, the default
 * per kind, and the pre-catalog variables, which keep working.
 */
export const catalogEnvShape = {
  /** A YAML or JSON file declaring more models, servers, prices, fallbacks, disabled models. */
  MODELS_FILE: z.string().min(1).optional(),
  /** The default model of each kind (a catalog id); wins over IMAGE_PROVIDER / VIDEO_PROVIDER. */
  DEFAULT_IMAGE_MODEL: z.string().min(1).optional(),
  DEFAULT_VIDEO_MODEL: z.string().min(1).optional(),
  /** Before the catalog: the one provider per kind. Now they name the default (gemini → gemini-2.5-flash-image). */
  IMAGE_PROVIDER: z.enum(IMAGE_PROVIDER_NAMES).optional(),
  VIDEO_PROVIDER: z.enum(VIDEO_PROVIDER_NAMES).optional(),
  /** Another vendor model of the same family for a built-in entry (same capabilities), e.g. when Google renames a preview. */
  GEMINI_IMAGE_MODEL: z.string().min(1).optional(),
  VEO_MODEL: z.string().min(1).optional(),
  OPENAI_IMAGE_MODEL: z.string().min(1).optional(),
};

export type CatalogEnv = {
  MODELS_FILE?: string;
  DEFAULT_IMAGE_MODEL?: string;
  DEFAULT_VIDEO_MODEL?: string;
  IMAGE_PROVIDER?: keyof typeof PROVIDER_DEFAULT_MODELS.image;
  VIDEO_PROVIDER?: keyof typeof PROVIDER_DEFAULT_MODELS.video;
};

export type ActiveCatalog = ResolvedCatalog & {
  /** The catalog file's OpenAI-compatible servers (their keys are in the variables they name). */
  servers: OpenAICompatibleServer[];
};

/**
 * The active catalog at start: built-in entries plus MODELS_FILE, each
 * active when its provider's key is set (`keys`: provider → key) or, for an
 * OpenAI-compatible model, when its server needs no key or the variable its
 * `api_key_env` names is set in `environment`. Throws
 * CatalogFileError / CatalogError with a message naming the file, line,
 * entry and field, or the variable, to change.
 */
export async function loadActiveCatalog(input: {
  env: CatalogEnv;
  keys: Partial<Record<CatalogProvider, string | undefined>>;
  /** The process environment, where an OpenAI-compatible server's key variable is looked up. */
  environment: Readonly<Record<string, string | undefined>>;
  /**
   * Entries an engine brings at start (a ComfyUI workflow descriptor, an
   * A1111 checkpoint), beside the built-in ones; active when their provider
   * is in `keys` like any other. A function is given the catalog file's own
   * entries (an engine whose models the file may list, as A1111's, finds
   * them there).
   */
  engineEntries?: readonly CatalogEntry[] | ((listed: readonly CatalogEntry[]) => Promise<readonly CatalogEntry[]>);
}): Promise<ActiveCatalog> {
  let file: Awaited<ReturnType<typeof loadCatalogFile>> | undefined;
  if (input.env.MODELS_FILE) {
    file = await loadCatalogFile(input.env.MODELS_FILE);
    if (!file.ok) {
      throw file.error;
    }
  }
  const servers = file?.ok ? file.value.servers : [];
  const configured = configuredRequirements(input.keys, servers, input.environment);
  const engines =
    typeof input.engineEntries === "function"
      ? await input.engineEntries(file?.ok ? file.value.entries : [])
      : (input.engineEntries ?? []);
  const resolved = resolveCatalog({
    builtIns: [...BUILT_IN_MODELS, ...engines],
    file: file?.ok ? file.value : undefined,
    configured,
    defaults: catalogDefaults(input.env),
  });
  return { ...resolved, servers };
}
