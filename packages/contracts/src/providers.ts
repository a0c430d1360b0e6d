import { z } from "zod";
import { IMAGE_PROVIDER_LIMITS, IMAGE_PROVIDER_NAMES, type ImageProviderName } from "./images";
import { VIDEO_PROVIDER_LIMITS, VIDEO_PROVIDER_NAMES, type VideoProviderName } from "./video";

/**
 * The providers a deployment runs (IMAGE_PROVIDER, VIDEO_PROVIDER), as
 * `GET /api/providers` and both health endpoints report them. What each can
 * serve is IMAGE_PROVIDER_LIMITS / VIDEO_PROVIDER_LIMITS under its name.
 */
export const activeProvidersSchema = z.object({
  image: z.object({ name: z.enum(IMAGE_PROVIDER_NAMES), label: z.string(), model: z.string() }),
  video: z.object({ name: z.enum(VIDEO_PROVIDER_NAMES), label: z.string(), model: z.string() }),
});
export type ActiveProviders = z.infer<typeof activeProvidersSchema>;

export function describeProviders(
  image: { name: ImageProviderName; model?: string },
  video: { name: VideoProviderName; model?: string },
): ActiveProviders {
  const i = IMAGE_PROVIDER_LIMITS[image.name];
  const v = VIDEO_PROVIDER_LIMITS[video.name];
  return {
    image: { name: image.name, label: i.label, model: image.model ?? i.model },
    video: { name: video.name, label: v.label, model: video.model ?? v.model },
  };
}
