"use client";

import {
  IMAGE_DEFAULTS,
  IMAGE_FORMATS,
  IMAGE_QUALITIES,
  IMAGE_SIZES,
  IMAGE_STYLES,
  type ImageParams,
  NUM_IMAGES_MAX,
  NUM_IMAGES_MIN,
} from "@sorami/contracts";
import { optionLabel, range, sizeLabel } from "./labels";
import {
  type GenerateFormProps,
  ParamsFormShell,
  PromptField,
  promptError,
  SelectField,
  UrlField,
  urlError,
  useParamsForm,
} from "./params-form";

type Values = Omit<ImageParams, "input_image_url"> & { input_image_url: string };

const FIELDS = ["prompt", "input_image_url", "num_images", "size", "format", "style", "quality"] as const;
const NUM_CHOICES = range(NUM_IMAGES_MIN, NUM_IMAGES_MAX);

export function ImageForm(props: GenerateFormProps<ImageParams>) {
  const form = useParamsForm<Values, ImageParams>({
    initial: { prompt: "", input_image_url: "", ...IMAGE_DEFAULTS },
    fields: FIELDS,
    validate: (v) => ({ prompt: promptError(v.prompt, "image"), input_image_url: urlError(v.input_image_url) }),
    toParams: (v) => v,
    props,
  });

  return (
    <ParamsFormShell form={form} label="Image settings">
      <PromptField form={form} example="A lighthouse on a cliff at dawn, soft fog, long exposure" />
      <UrlField
        form={form}
        name="input_image_url"
        label="Input image URL"
        hint="An image to start from. Leave empty to start from the prompt alone."
      />
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <SelectField form={form} name="num_images" label="Number of images" options={NUM_CHOICES} />
        <SelectField form={form} name="size" label="Size" options={IMAGE_SIZES} optionLabel={sizeLabel} />
        <SelectField form={form} name="format" label="Format" options={IMAGE_FORMATS} />
        <SelectField form={form} name="style" label="Style" options={IMAGE_STYLES} optionLabel={optionLabel} />
        <SelectField form={form} name="quality" label="Quality" options={IMAGE_QUALITIES} optionLabel={optionLabel} />
      </div>
    </ParamsFormShell>
  );
}
