"use client";

import {
  type ActiveProviders,
  IMAGE_DEFAULTS,
  IMAGE_PROVIDER_LIMITS,
  IMAGE_STYLES,
  type ImageParams,
} from "@sorami/contracts";
import { optionLabel, range, sizeLabel } from "./labels";
import {
  type GenerateFormProps,
  ParamsFormShell,
  PromptField,
  ProviderNote,
  ProvidersPending,
  promptError,
  SelectField,
  UrlField,
  urlError,
  useParamsForm,
} from "./params-form";
import { useProviders } from "./use-providers";

type Values = Omit<ImageParams, "input_image_url"> & { input_image_url: string };

const FIELDS = ["prompt", "input_image_url", "num_images", "size", "format", "style", "quality"] as const;

/** The default when the provider serves it, else the provider's first choice. */
const pick = <T,>(preferred: T, allowed: readonly T[]): T =>
  allowed.includes(preferred) ? preferred : (allowed[0] ?? preferred);

export function ImageForm(props: GenerateFormProps<ImageParams>) {
  const { providers, error } = useProviders();
  return providers ? <ProviderImageForm {...props} provider={providers.image} /> : <ProvidersPending error={error} />;
}

/** The form offers only what the provider in use can serve. */
function ProviderImageForm({
  provider,
  ...props
}: GenerateFormProps<ImageParams> & { provider: ActiveProviders["image"] }) {
  const limits = IMAGE_PROVIDER_LIMITS[provider.name];
  const form = useParamsForm<Values, ImageParams>({
    initial: {
      prompt: "",
      input_image_url: "",
      ...IMAGE_DEFAULTS,
      size: pick(IMAGE_DEFAULTS.size, limits.sizes),
      format: pick(IMAGE_DEFAULTS.format, limits.formats),
      quality: pick(IMAGE_DEFAULTS.quality, limits.qualities),
    },
    fields: FIELDS,
    validate: (v) => ({ prompt: promptError(v.prompt, "image"), input_image_url: urlError(v.input_image_url) }),
    toParams: (v) => v,
    props,
  });

  return (
    <ParamsFormShell form={form} label="Image settings">
      <ProviderNote provider={provider} />
      <PromptField form={form} example="A lighthouse on a cliff at dawn, soft fog, long exposure" />
      {limits.input_image ? (
        <UrlField
          form={form}
          name="input_image_url"
          label="Input image URL"
          hint="An image to start from. Leave empty to start from the prompt alone."
        />
      ) : null}
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <SelectField
          form={form}
          name="num_images"
          label="Number of images"
          options={range(limits.num_images.min, limits.num_images.max)}
        />
        <SelectField form={form} name="size" label="Size" options={limits.sizes} optionLabel={sizeLabel} />
        <SelectField form={form} name="format" label="Format" options={limits.formats} />
        <SelectField form={form} name="style" label="Style" options={IMAGE_STYLES} optionLabel={optionLabel} />
        <SelectField form={form} name="quality" label="Quality" options={limits.qualities} optionLabel={optionLabel} />
      </div>
    </ParamsFormShell>
  );
}
