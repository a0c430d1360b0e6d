import type { GeneratorEnv } from "../env";
import { createLocalImageProvider } from "./local-image";
import { createLocalVideoProvider } from "./local-video";
import type { Provider, Providers } from "./types";

/**
 * The providers IMAGE_PROVIDER and VIDEO_PROVIDER name, with their clients
 * (keys are checked by env.ts). A remote provider's module, and its SDK, is
 * loaded only when chosen: the local providers' generator does not carry
 * @google/genai and openai (~30 MB of RSS, measured by the bench's footprint
 * section).
 */
export async function createProviders(env: GeneratorEnv): Promise<Providers> {
  let google: Promise<import("@google/genai").GoogleGenAI> | undefined;
  const googleClient = () => {
    google ??= import("./google").then(({ createGoogleClient }) =>
      createGoogleClient({ apiKey: env.gemini.apiKey ?? "", baseUrl: env.gemini.baseUrl }),
    );
    return google;
  };
  const { image, video } = env.providers;
  const images: Record<typeof image.name, () => Promise<Provider<"image">>> = {
    local: async () => createLocalImageProvider(env.localProviderDelayMs, env.localProviderTransientFailureRate),
    gemini: async () => {
      const { GeminiImageProvider } = await import("./gemini-image");
      return new GeminiImageProvider(await googleClient(), image.model);
    },
    openai: async () => {
      const { createOpenAIClient, OpenAIImageProvider } = await import("./openai-image");
      return new OpenAIImageProvider(
        createOpenAIClient({ apiKey: env.openai.apiKey ?? "", baseUrl: env.openai.baseUrl }),
        image.model,
      );
    },
  };
  const videos: Record<typeof video.name, () => Promise<Provider<"video">>> = {
    local: async () => createLocalVideoProvider(env.localProviderDelayMs, env.localProviderTransientFailureRate),
    veo: async () => {
      const { VeoProvider } = await import("./veo");
      return new VeoProvider(await googleClient(), video.model);
    },
  };
  return { image: await images[image.name](), video: await videos[video.name]() };
}
