"use client";

import {
  IMAGE_DEFAULTS,
  IMAGE_STYLES,
  type ImageParams,
  type ModelView,
  modelDefaults,
  SEED_MAX,
} from "@sorami/contracts";
import { optionLabel, range, sizeLabel } from "./labels";
import {
  ModelPicker,
  NumberField,
  numberError,
  numberOrUndefined,
  PromptField,
  SelectField,
  TextField,
  UrlField,
  WithModels,
} from "./param-fields";
import { type GenerateFormProps, ParamsFormShell, promptError, urlError, useParamsForm } from "./params-form";

type ImageModel = Extract<ModelView, { kind: "image" }>;

/** The form's values: number knobs are the text typed (blank: the model's own default). */
type Values = {
  prompt: string;
  model: string;
  input_image_url: string;
  num_images: number;
  size: ImageParams["size"];
  format: ImageParams["format"];
  style: ImageParams["style"];
  quality: ImageParams["quality"];
  negative_prompt: string;
  seed: string;
  steps: string;
  guidance: string;
};

const FIELDS = [
  "model",
  "prompt",
  "negative_prompt",
  "input_image_url",
  "num_images",
  "size",
  "format",
  "style",
  "quality",
  "seed",
  "steps",
  "guidance",
] as const;

/** The choices a model allows, kept where they fit it, else its defaults (document 004's where it allows them). */
function fitTo(model: ImageModel, v: Pick<Values, "size" | "format" | "quality" | "num_images">) {
  const caps = model.capabilities;
  const d = modelDefaults(model, false) as Pick<Values, "size" | "format" | "quality" | "num_images">;
  return {
    model: model.id,
    size: caps.sizes.includes(v.size) ? v.size : d.size,
    format: caps.formats.includes(v.format) ? v.format : d.format,
    quality: caps.qualities.includes(v.quality) ? v.quality : d.quality,
    num_images:
      v.num_images >= caps.num_images.min && v.num_images <= caps.num_images.max ? v.num_images : d.num_images,
  };
}

export function ImageForm(props: GenerateFormProps<ImageParams>) {
  return <WithModels kind="image">{(models) => <CatalogImageForm {...props} models={models} />}</WithModels>;
}

/** The form offers what the chosen model can serve, and only the knobs it has. */
function CatalogImageForm({ models, ...props }: GenerateFormProps<ImageParams> & { models: ImageModel[] }) {
  const first = models.find((m) => m.default) ?? (models[0] as ImageModel);
  const form = useParamsForm<Values, ImageParams>({
    initial: {
      prompt: "",
      input_image_url: "",
      negative_prompt: "",
      seed: "",
      steps: "",
      guidance: "",
      style: IMAGE_DEFAULTS.style,
      ...fitTo(first, IMAGE_DEFAULTS),
    },
    fields: FIELDS,
    validate: (v) => {
      const caps = chosen(v).capabilities;
      return {
        prompt: promptError(v.prompt, "image"),
        input_image_url:
          caps.input_image === "required" && !v.input_image_url.trim()
            ? "This model starts from an image: give its address."
            : urlError(v.input_image_url),
        seed: caps.seed ? numberError(v.seed, { min: 0, max: SEED_MAX }, true) : undefined,
        steps: caps.steps ? numberError(v.steps, caps.steps, true) : undefined,
        guidance: caps.guidance ? numberError(v.guidance, caps.guidance, false) : undefined,
      };
    },
    // Only what the chosen model takes is sent: a knob typed for another model stays in the form, unsent.
    toParams: (v) => {
      const caps = chosen(v).capabilities;
      return {
        prompt: v.prompt,
        model: v.model,
        num_images: v.num_images,
        size: v.size,
        format: v.format,
        style: v.style,
        quality: v.quality,
        ...(caps.input_image !== "none" && v.input_image_url ? { input_image_url: v.input_image_url } : {}),
        ...(caps.negative_prompt && v.negative_prompt ? { negative_prompt: v.negative_prompt } : {}),
        ...(caps.seed ? { seed: numberOrUndefined(v.seed) } : {}),
        ...(caps.steps ? { steps: numberOrUndefined(v.steps) } : {}),
        ...(caps.guidance ? { guidance: numberOrUndefined(v.guidance) } : {}),
      };
    },
    props,
  });
  function chosen(v: Pick<Values, "model">): ImageModel {
    return models.find((m) => m.id === v.model) ?? first;
  }
  const model = chosen(form.values);
  const caps = model.capabilities;

  return (
    <ParamsFormShell form={form} label="Image settings">
      <ModelPicker form={form} models={models} onChoose={(m) => form.setMany(fitTo(m as ImageModel, form.values))} />
      <PromptField form={form} example="A lighthouse on a cliff at dawn, soft fog, long exposure" />
      {caps.negative_prompt ? (
        <TextField
          form={form}
          name="negative_prompt"
          label="Negative prompt"
          optional
          rows={2}
          hint="What the image should avoid."
          placeholder="Blur, text, watermarks"
        />
      ) : null}
      {caps.input_image !== "none" ? (
        <UrlField
          form={form}
          name="input_image_url"
          label="Input image URL"
          required={caps.input_image === "required"}
          hint={
            caps.input_image === "required"
              ? "The image this model starts from."
              : "An image to start from. Leave empty to start from the prompt alone."
          }
        />
      ) : null}
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <SelectField
          form={form}
          name="num_images"
          label="Number of images"
          options={range(caps.num_images.min, caps.num_images.max)}
        />
        <SelectField form={form} name="size" label="Size" options={caps.sizes} optionLabel={sizeLabel} />
        <SelectField form={form} name="format" label="Format" options={caps.formats} />
        <SelectField form={form} name="style" label="Style" options={IMAGE_STYLES} optionLabel={optionLabel} />
        <SelectField form={form} name="quality" label="Quality" options={caps.qualities} optionLabel={optionLabel} />
        {caps.seed ? (
          <NumberField
            form={form}
            name="seed"
            label="Seed"
            min={0}
            max={SEED_MAX}
            step={1}
            hint="The same seed and settings give the same picture."
            placeholder="Random"
          />
        ) : null}
        {caps.steps ? (
          <NumberField
            form={form}
            name="steps"
            label="Steps"
            min={caps.steps.min}
            max={caps.steps.max}
            step={1}
            hint={`${caps.steps.min}–${caps.steps.max}; more is slower and finer.`}
            placeholder={String(caps.steps.default)}
          />
        ) : null}
        {caps.guidance ? (
          <NumberField
            form={form}
            name="guidance"
            label="Guidance"
            min={caps.guidance.min}
            max={caps.guidance.max}
            step={0.1}
            hint={`${caps.guidance.min}–${caps.guidance.max}; higher follows the prompt more closely.`}
            placeholder={String(caps.guidance.default)}
          />
        ) : null}
      </div>
    </ParamsFormShell>
  );
}
