import type { CatalogEntry } from "@sorami/contracts";
import { a1111EntryFactory, a1111InstancesFromEnv, createA1111 } from "../a1111";
import { comfyInstancesFromEnv, comfyuiEntryFactory, createComfyUI } from "../comfyui";
import type { ProviderFactories } from "../factories";

/**
 * The self-hosted engines as catalog providers: ComfyUI (one model per
 * workflow descriptor) and A1111/Forge (one per checkpoint: those the
 * catalog file lists with provider "a1111", or the server's own). `entries`
 * is handed to loadActiveCatalog, which calls it once with the file's
 * entries; it fills `factories` (an engine with no URL configured brings
 * nothing) and `warnings` (an A1111 server down at start).
 */
export function engineLoader(variables: Record<string, string | undefined>): {
  entries: (listed: readonly CatalogEntry[]) => Promise<CatalogEntry[]>;
  factories: ProviderFactories;
  warnings: string[];
} {
  const factories: ProviderFactories = {};
  const warnings: string[] = [];
  // A malformed URL or credential stops the start here, naming its variable.
  const config = {
    comfyui: { instances: comfyInstancesFromEnv(variables), workflowsDir: variables.COMFYUI_WORKFLOWS_DIR },
    a1111: { instances: a1111InstancesFromEnv(variables) },
  };
  return {
    factories,
    warnings,
    async entries(listed) {
      const extra: CatalogEntry[] = [];
      if (config.comfyui.instances.length > 0) {
        if (!config.comfyui.workflowsDir) {
          throw new Error("COMFYUI_WORKFLOWS_DIR is required with COMFYUI_URLS: the folder of workflow descriptors");
        }
        const setup = await createComfyUI({
          instances: config.comfyui.instances,
          workflowsDir: config.comfyui.workflowsDir,
        });
        factories.comfyui = comfyuiEntryFactory(setup);
        extra.push(...setup.entries);
      }
      if (config.a1111.instances.length > 0) {
        const fromFile = listed.filter((e) => e.provider === "a1111");
        const setup = await createA1111({ instances: config.a1111.instances, listed: fromFile });
        factories.a1111 = a1111EntryFactory(setup);
        warnings.push(...setup.warnings);
        // Listed ones are the file's entries already; discovered ones join the catalog here.
        if (fromFile.length === 0) {
          extra.push(...setup.entries);
        }
      }
      return extra;
    },
  };
}
