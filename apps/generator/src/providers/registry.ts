import type { GoogleGenAI } from "@google/genai";
import type { GeneratorEnv } from "../env";
import { GeminiImageProvider } from "./gemini-image";
import { createGoogleClient } from "./google";
import { createLocalImageProvider } from "./local-image";
import { createLocalVideoProvider } from "./local-video";
import { createOpenAIClient, OpenAIImageProvider } from "./openai-image";
import type { Provider, Providers } from "./types";
import { VeoProvider } from "./veo";

/** The providers IMAGE_PROVIDER and VIDEO_PROVIDER name, with their clients (keys are checked by env.ts). */
export function createProviders(env: GeneratorEnv): Providers {
  let google: GoogleGenAI | undefined;
  const googleClient = () => {
    google ??= createGoogleClient({ apiKey: env.gemini.apiKey ?? "", baseUrl: env.gemini.baseUrl });
    return google;
  };
  const { image, video } = env.providers;
  const images: Record<typeof image.name, () => Provider<"image">> = {
    local: () => createLocalImageProvider(env.localProviderDelayMs, env.localProviderTransientFailureRate),
    gemini: () => new GeminiImageProvider(googleClient(), image.model),
    openai: () =>
      new OpenAIImageProvider(
        createOpenAIClient({ apiKey: env.openai.apiKey ?? "", baseUrl: env.openai.baseUrl }),
        image.model,
      ),
  };
  const videos: Record<typeof video.name, () => Provider<"video">> = {
    local: () => createLocalVideoProvider(env.localProviderDelayMs, env.localProviderTransientFailureRate),
    veo: () => new VeoProvider(googleClient(), video.model),
  };
  return { image: images[image.name](), video: videos[video.name]() };
}
