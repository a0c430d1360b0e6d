import {
  IMAGE_PROVIDER_LIMITS,
  IMAGE_PROVIDER_NAMES,
  type ImageProviderName,
  VIDEO_PROVIDER_LIMITS,
  VIDEO_PROVIDER_NAMES,
  type VideoProviderName,
} from "@sorami/contracts";
import { z } from "zod";
import { commaList } from "./comma-list";

/** "host", "host:port", "[v6]" or "[v6]:port". */
const ALLOW_ENTRY = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

/**
 * Which providers run, read the same way by both services: the web app
 * checks submissions against the active providers' limits and shows them;
 * the generator runs them. API keys and base URLs are the generator's alone.
 */
export const providerEnvShape = {
  IMAGE_PROVIDER: z.enum(IMAGE_PROVIDER_NAMES).default("local"),
  VIDEO_PROVIDER: z.enum(VIDEO_PROVIDER_NAMES).default("local"),
  /** Another model of the same family (same limits), e.g. when Google renames a preview. */
  GEMINI_IMAGE_MODEL: z.string().min(1).default(IMAGE_PROVIDER_LIMITS.gemini.model),
  VEO_MODEL: z.string().min(1).default(VIDEO_PROVIDER_LIMITS.veo.model),
  OPENAI_IMAGE_MODEL: z.string().min(1).default(IMAGE_PROVIDER_LIMITS.openai.model),
  /**
   * Hosts whose input image URLs may be on a private address (an intranet
   * image server), comma-separated `host` or `host:port`. Empty by default:
   * only public addresses are fetched.
   */
  INPUT_IMAGE_ALLOWED_HOSTS: commaList({ lowercase: true }).pipe(
    z.array(z.string().regex(ALLOW_ENTRY, "each entry must be host or host:port")),
  ),
};

export type ActiveProviderConfig = {
  image: { name: ImageProviderName; model: string };
  video: { name: VideoProviderName; model: string };
  inputImageAllowedHosts: string[];
};

export function resolveProviders(parsed: {
  IMAGE_PROVIDER: ImageProviderName;
  VIDEO_PROVIDER: VideoProviderName;
  GEMINI_IMAGE_MODEL: string;
  VEO_MODEL: string;
  OPENAI_IMAGE_MODEL: string;
  INPUT_IMAGE_ALLOWED_HOSTS: string[];
}): ActiveProviderConfig {
  const imageModel: Record<ImageProviderName, string> = {
    local: IMAGE_PROVIDER_LIMITS.local.model,
    gemini: parsed.GEMINI_IMAGE_MODEL,
    openai: parsed.OPENAI_IMAGE_MODEL,
  };
  const videoModel: Record<VideoProviderName, string> = {
    local: VIDEO_PROVIDER_LIMITS.local.model,
    veo: parsed.VEO_MODEL,
  };
  return {
    image: { name: parsed.IMAGE_PROVIDER, model: imageModel[parsed.IMAGE_PROVIDER] },
    video: { name: parsed.VIDEO_PROVIDER, model: videoModel[parsed.VIDEO_PROVIDER] },
    inputImageAllowedHosts: parsed.INPUT_IMAGE_ALLOWED_HOSTS,
  };
}
