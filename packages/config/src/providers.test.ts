import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseEnv } from "./index";
import { providerEnvShape, resolveProviders } from "./providers";

const schema = z.object(providerEnvShape);
const resolve = (env: Record<string, string>) => resolveProviders(parseEnv(schema, env));

describe("provider selection", () => {
  it("runs the local providers by default, with nothing allowed past the address check", () => {
    expect(resolve({})).toEqual({
      image: { name: "local", model: "local-image-v1" },
      video: { name: "local", model: "local-video-v1" },
      inputImageAllowedHosts: [],
    });
  });

  it("selects Gemini, Veo and OpenAI with their default models, or the operator's", () => {
    expect(resolve({ IMAGE_PROVIDER: "gemini", VIDEO_PROVIDER: "veo" })).toMatchObject({
      image: { name: "gemini", model: "gemini-2.5-flash-image" },
      video: { name: "veo", model: "veo-3.1-generate-preview" },
    });
    expect(resolve({ IMAGE_PROVIDER: "openai", OPENAI_IMAGE_MODEL: "gpt-image-1-mini" }).image).toEqual({
      name: "openai",
      model: "gpt-image-1-mini",
    });
  });

  it("refuses an unknown provider, naming the choices", () => {
    expect(() => resolve({ IMAGE_PROVIDER: "dalle" })).toThrow(/IMAGE_PROVIDER.*local.*gemini.*openai/s);
    expect(() => resolve({ VIDEO_PROVIDER: "sora" })).toThrow(/VIDEO_PROVIDER/);
  });

  it("reads INPUT_IMAGE_ALLOWED_HOSTS as host or host:port entries", () => {
    expect(
      resolve({ INPUT_IMAGE_ALLOWED_HOSTS: " Images.Intranet , 10.0.0.5:8080,[fd00::1]:80" }).inputImageAllowedHosts,
    ).toEqual(["images.intranet", "10.0.0.5:8080", "[fd00::1]:80"]);
    expect(() => resolve({ INPUT_IMAGE_ALLOWED_HOSTS: "http://x.example/" })).toThrow(/INPUT_IMAGE_ALLOWED_HOSTS/);
  });
});
