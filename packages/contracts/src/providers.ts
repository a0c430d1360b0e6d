import { z } from "zod";
import { CATALOG_PROVIDERS, type ModelView } from "./catalog";

/**
 * The default model of each kind, as `GET /api/providers` and both health
 * endpoints report it (the shape from before the catalog, when one provider
 * per kind ran): its provider, label and model id. Every active model, with
 * what it can serve, is `GET /api/models`.
 */
export const activeProvidersSchema = z.object({
  image: z.object({ name: z.enum(CATALOG_PROVIDERS), label: z.string(), model: z.string() }),
  video: z.object({ name: z.enum(CATALOG_PROVIDERS), label: z.string(), model: z.string() }),
});
export type ActiveProviders = z.infer<typeof activeProvidersSchema>;

/** The defaults of an active catalog in that shape; null when a kind has no default (a catalog not yet known). */
export function describeDefaults(models: readonly ModelView[]): ActiveProviders | null {
  const of = (kind: "image" | "video") => {
    const m = models.find((x) => x.kind === kind && x.default);
    return m ? { name: m.provider, label: m.label, model: m.id } : null;
  };
  const image = of("image");
  const video = of("video");
  return image && video ? { image, video } : null;
}
