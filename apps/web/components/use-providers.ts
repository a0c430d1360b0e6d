"use client";

import type { ActiveProviders } from "@sorami/contracts";
import { useEffect, useState } from "react";
import { getProviders } from "@/lib/api-client";

/** One request per page load: the providers only change when the service restarts. */
let cached: Promise<ActiveProviders> | null = null;

function loadProviders(): Promise<ActiveProviders> {
  cached ??= getProviders().catch((error: unknown) => {
    cached = null; // the next form to mount asks again
    throw error;
  });
  return cached;
}

/** The active providers, so a form offers only what they can serve. */
export function useProviders(): { providers: ActiveProviders | null; error: string | null } {
  const [providers, setProviders] = useState<ActiveProviders | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    loadProviders().then(
      (p) => live && setProviders(p),
      () => live && setError("Could not load the model's options. Reload the page to try again."),
    );
    return () => {
      live = false;
    };
  }, []);
  return { providers, error };
}
