"use client";

import type { JobKind, ModelView } from "@sorami/contracts";
import { useEffect, useState } from "react";
import { listModels } from "@/lib/api-client";

/** One request per page load: the catalog changes only when the generator restarts with other keys or files. */
let cached: Promise<ModelView[]> | null = null;

function loadModels(): Promise<ModelView[]> {
  cached ??= listModels()
    .then((list) => list.models)
    .catch((error: unknown) => {
      cached = null; // the next component to mount asks again
      throw error;
    });
  return cached;
}

/** The active models (of one kind, when given), so forms offer only what they can serve. */
export function useModels(kind?: JobKind): { models: ModelView[] | null; error: string | null } {
  const [models, setModels] = useState<ModelView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    loadModels().then(
      (all) => live && setModels(kind ? all.filter((m) => m.kind === kind) : all),
      () => live && setError("Could not load the models. Reload the page to try again."),
    );
    return () => {
      live = false;
    };
  }, [kind]);
  return { models, error };
}
