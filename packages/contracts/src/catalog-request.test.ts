import { describe, expect, it } from "vitest";
import { modelViewOf } from "./catalog";
import { BUILT_IN_MODELS } from "./catalog-builtins";
import { chooseModel, modelDefaults, parseForModel } from "./catalog-request";
import { AppError } from "./errors";
import { imageParamsSchema } from "./images";
import { videoParamsSchema } from "./video";

/** Every built-in model active, the local ones the defaults. */
const MODELS = BUILT_IN_MODELS.map((e) => modelViewOf(e, e.provider === "local"));
const model = (id: string) => MODELS.find((m) => m.id === id) as (typeof MODELS)[number];

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("not refused");
}

describe("choosing the model", () => {
  it("takes the kind's default when none is named, and the one named otherwise", () => {
    expect(chooseModel(MODELS, "image", undefined).id).toBe("local-image-v1");
    expect(chooseModel(MODELS, "video", "fal-ai/kling-video/v2/master/text-to-video").provider).toBe("fal");
  });

  it("refuses an unknown model, or one of the other kind, with a 422 naming model and the active ones", () => {
    const unknown = refusal(() => chooseModel(MODELS, "image", "dall-e-2"));
    expect([unknown.status, unknown.field]).toEqual([422, "model"]);
    expect(unknown.message).toContain("model dall-e-2 is not an active image model; active: local-image-v1, gemini");
    const otherKind = refusal(() => chooseModel(MODELS, "image", "veo-3.1-generate-preview"));
    expect(otherKind.message).toContain("model veo-3.1-generate-preview is a video model");
  });
});

describe("defaults from the chosen model", () => {
  it("keeps document 004's defaults where the model allows them, else its first choice", () => {
    expect(modelDefaults(model("local-video-v1"), false)).toMatchObject({ duration_seconds: 8, aspect_ratio: "16:9" });
    expect(modelDefaults(model("fal-ai/kling-video/v2/master/text-to-video"), false).duration_seconds).toBe(5);
    expect(modelDefaults(model("replicate:minimax/video-01"), false).duration_seconds).toBe(6);
    expect(modelDefaults(model("veo-3.1-generate-preview"), true).person_generation).toBe("ALLOW_ADULT");
    expect(modelDefaults(model("gpt-image-1"), false)).toMatchObject({ size: "1024x1024", num_images: 1 });
  });
});

describe("a submission checked against its model", () => {
  it("fills what it leaves out from the model, and records the model", () => {
    const kling = parseForModel(MODELS, "video", videoParamsSchema, {
      prompt: "waves",
      model: "fal-ai/kling-video/v2/master/text-to-video",
    });
    expect(kling.params).toMatchObject({ model: kling.model.id, duration_seconds: 5, person_generation: "ALLOW_ALL" });
    expect(parseForModel(MODELS, "image", imageParamsSchema, { prompt: "a cat" }).params.model).toBe("local-image-v1");
  });

  it("refuses what the model cannot serve with a 422 naming the field and the allowed values", () => {
    const e = refusal(() =>
      parseForModel(MODELS, "video", videoParamsSchema, {
        prompt: "waves",
        model: "fal-ai/kling-video/v2/master/text-to-video",
        duration_seconds: 8,
      }),
    );
    expect([e.status, e.field, e.message]).toEqual([
      422,
      "duration_seconds",
      "duration_seconds must be one of 5, 10 for fal-ai/kling-video/v2/master/text-to-video",
    ]);
    const seed = refusal(() => parseForModel(MODELS, "image", imageParamsSchema, { prompt: "x", seed: 7 }));
    expect([seed.status, seed.field]).toEqual([422, "seed"]);
    const steps = refusal(() =>
      parseForModel(MODELS, "image", imageParamsSchema, { prompt: "x", model: "fal-ai/flux/schnell", steps: 13 }),
    );
    expect([steps.field, steps.message]).toEqual(["steps", "steps must be 1-12 for fal-ai/flux/schnell"]);
  });

  it("refuses a malformed model or knob with a 400 from the schema, before looking it up", () => {
    for (const model of [42, "", "a b", "x".repeat(201)]) {
      const e = refusal(() => parseForModel(MODELS, "image", imageParamsSchema, { prompt: "x", model }));
      expect([e.status, e.field]).toEqual([400, "model"]);
    }
    const e = refusal(() =>
      parseForModel(MODELS, "image", imageParamsSchema, { prompt: "x", model: "fal-ai/flux/dev", guidance: 31 }),
    );
    expect([e.status, e.field]).toEqual([400, "guidance"]);
  });
});
