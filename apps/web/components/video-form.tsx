"use client";

import {
  type ActiveProviders,
  INPUT_IMAGE_MAX_BYTES,
  personGenerationModes,
  VIDEO_DEFAULTS,
  VIDEO_PROVIDER_LIMITS,
  type VideoParams,
  videoDurations,
} from "@sorami/contracts";
import { type ChangeEvent, useRef } from "react";
import { Field, secondaryButtonClass } from "./form-controls";
import { aspectRatioLabel, countLabel, formatBytes, PERSON_GENERATION_LABEL, range } from "./labels";
import {
  type GenerateFormProps,
  type ParamsForm,
  ParamsFormShell,
  PromptField,
  ProviderNote,
  ProvidersPending,
  promptError,
  SelectField,
  TextField,
  UrlField,
  urlError,
  useParamsForm,
} from "./params-form";
import { useProviders } from "./use-providers";

const ACCEPTED_TYPES = ["image/png", "image/jpeg", "image/webp"];

/** A picked file: read into a data URL, or refused with the reason. */
type PickedImage =
  | { name: string; dataUrl: string; error?: undefined }
  | { name: string; dataUrl?: undefined; error: string };

type Values = Required<Omit<VideoParams, "input_image_base64">> & { input_image_base64: PickedImage | null };

const FIELDS = [
  "prompt",
  "negative_prompt",
  "input_image_base64",
  "input_image_url",
  "aspect_ratio",
  "duration_seconds",
  "number_of_videos",
  "person_generation",
] as const;

const INITIAL: Values = {
  prompt: "",
  negative_prompt: "",
  input_image_base64: null,
  input_image_url: "",
  aspect_ratio: VIDEO_DEFAULTS.aspect_ratio,
  duration_seconds: VIDEO_DEFAULTS.duration_seconds,
  number_of_videos: VIDEO_DEFAULTS.number_of_videos,
  person_generation: VIDEO_DEFAULTS.person_generation,
};

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error("could not read the file"));
    reader.readAsDataURL(file);
  });
}

/** Checked here, before anything is sent: the server would refuse the same (413, 422). */
async function pick(file: File): Promise<PickedImage> {
  if (!ACCEPTED_TYPES.includes(file.type)) {
    return { name: file.name, error: "Choose a PNG, JPEG or WEBP image." };
  }
  if (file.size > INPUT_IMAGE_MAX_BYTES) {
    return {
      name: file.name,
      error: `That image is ${formatBytes(file.size)}; the limit is ${formatBytes(INPUT_IMAGE_MAX_BYTES)}.`,
    };
  }
  try {
    return { name: file.name, dataUrl: await readAsDataUrl(file) };
  } catch {
    return { name: file.name, error: "Could not read that file. Try another." };
  }
}

/** Upload an image to start from, or give its address. */
function InputImage({ form }: { form: ParamsForm<Values> }) {
  const picked = form.values.input_image_base64;
  const inputRef = useRef<HTMLInputElement>(null);

  async function onChange(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    const next = file ? await pick(file) : null;
    form.set("input_image_base64", next);
    if (next?.error) {
      form.setError("input_image_base64", next.error);
    }
  }

  function remove() {
    form.set("input_image_base64", null);
    if (inputRef.current) {
      inputRef.current.value = "";
      inputRef.current.focus();
    }
  }

  return (
    <>
      <Field
        id="input_image_base64"
        label="Input image"
        optional
        hint={`PNG, JPEG or WEBP, up to ${formatBytes(INPUT_IMAGE_MAX_BYTES)}. The video starts from it.`}
        error={form.errors.input_image_base64}
      >
        <input
          {...form.control("input_image_base64", { hint: true, testId: "input-image-file" })}
          ref={inputRef}
          type="file"
          accept={ACCEPTED_TYPES.join(",")}
          onChange={(e) => void onChange(e)}
          className="block w-full text-sm text-gray-700 file:mr-3 file:rounded-md file:border file:border-gray-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-gray-800 hover:file:bg-gray-50"
        />
        {picked ? (
          <div className="mt-2 flex items-center gap-3">
            {picked.dataUrl ? (
              // biome-ignore lint/performance/noImgElement: a local preview of a data URL
              <img src={picked.dataUrl} alt="" className="size-16 rounded border border-gray-200 object-cover" />
            ) : null}
            <span className="min-w-0 flex-1 truncate text-sm text-gray-700">{picked.name}</span>
            <button type="button" onClick={remove} className={secondaryButtonClass}>
              Remove<span className="sr-only"> {picked.name}</span>
            </button>
          </div>
        ) : null}
      </Field>
      <UrlField
        form={form}
        name="input_image_url"
        label="Or an input image URL"
        hint="An image on the web to start from, instead of an upload."
      />
    </>
  );
}

export function VideoForm(props: GenerateFormProps<VideoParams>) {
  const { providers, error } = useProviders();
  return providers ? <ProviderVideoForm {...props} provider={providers.video} /> : <ProvidersPending error={error} />;
}

/** The form offers only what the provider in use can serve; who may appear depends on the input (Veo). */
function ProviderVideoForm({
  provider,
  ...props
}: GenerateFormProps<VideoParams> & { provider: ActiveProviders["video"] }) {
  const limits = VIDEO_PROVIDER_LIMITS[provider.name];
  const hasImage = (v: Values) => Boolean(v.input_image_base64?.dataUrl || v.input_image_url.trim());
  const modesFor = (v: Values) => personGenerationModes(provider.name, hasImage(v));
  /** A mode the provider does not allow for this input shows (and is sent) as its first allowed one. */
  const personFor = (v: Values) => (modesFor(v).includes(v.person_generation) ? v.person_generation : modesFor(v)[0]);
  const form = useParamsForm<Values, VideoParams>({
    initial: INITIAL,
    fields: FIELDS,
    validate: (v) => ({
      prompt: promptError(v.prompt, "video"),
      input_image_base64: v.input_image_base64?.error,
      input_image_url:
        v.input_image_base64?.dataUrl && v.input_image_url.trim()
          ? "Give an uploaded image or an address, not both."
          : urlError(v.input_image_url),
    }),
    toParams: (v) => ({
      ...v,
      input_image_base64: v.input_image_base64?.dataUrl,
      person_generation: personFor(v) ?? v.person_generation,
    }),
    // A 413 names no field, but only the upload can make a submission that large.
    fieldOf: (error, v) => (error.status === 413 && v.input_image_base64 ? "input_image_base64" : undefined),
    props,
  });

  return (
    <ParamsFormShell form={form} label="Video settings">
      <ProviderNote provider={provider} />
      <PromptField form={form} example="A paper boat drifting across a calm lake at sunrise, slow dolly shot" />
      <TextField
        form={form}
        name="negative_prompt"
        label="Negative prompt"
        optional
        rows={2}
        hint="What the video should avoid."
        placeholder="Blur, text, watermarks"
      />
      <InputImage form={form} />
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <SelectField
          form={form}
          name="aspect_ratio"
          label="Aspect ratio"
          options={limits.aspect_ratios}
          optionLabel={aspectRatioLabel}
        />
        <SelectField
          form={form}
          name="duration_seconds"
          label="Duration"
          testId="duration"
          options={videoDurations(provider.name)}
          optionLabel={(s) => countLabel(s, "second", "seconds")}
        />
        <SelectField
          form={form}
          name="number_of_videos"
          label="Number of videos"
          options={range(limits.number_of_videos.min, limits.number_of_videos.max)}
        />
        <SelectField
          form={form}
          name="person_generation"
          label="People in it"
          options={modesFor(form.values)}
          optionLabel={(m) => PERSON_GENERATION_LABEL[m]}
        />
      </div>
    </ParamsFormShell>
  );
}
