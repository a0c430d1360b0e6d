"use client";

import {
  catalogDurations,
  INPUT_IMAGE_MAX_BYTES,
  type ModelView,
  modelDefaults,
  SEED_MAX,
  VIDEO_DEFAULTS,
  type VideoParams,
} from "@sorami/contracts";
import { type ChangeEvent, useRef } from "react";
import { Field, secondaryButtonClass } from "./form-controls";
import { aspectRatioLabel, countLabel, formatBytes, PERSON_GENERATION_LABEL, range } from "./labels";
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
import {
  type GenerateFormProps,
  type ParamsForm,
  ParamsFormShell,
  promptError,
  urlError,
  useParamsForm,
} from "./params-form";

type VideoModel = Extract<ModelView, { kind: "video" }>;

const ACCEPTED_TYPES = ["image/png", "image/jpeg", "image/webp"];

/** A picked file: read into a data URL, or refused with the reason. */
type PickedImage =
  | { name: string; dataUrl: string; error?: undefined }
  | { name: string; dataUrl?: undefined; error: string };

type Values = Required<Omit<VideoParams, "input_image_base64" | "seed">> & {
  input_image_base64: PickedImage | null;
  /** The text typed (blank: the model's own). */
  seed: string;
};

const FIELDS = [
  "model",
  "prompt",
  "negative_prompt",
  "input_image_base64",
  "input_image_url",
  "aspect_ratio",
  "duration_seconds",
  "number_of_videos",
  "person_generation",
  "seed",
] as const;

const INITIAL: Omit<Values, "model"> = {
  prompt: "",
  negative_prompt: "",
  input_image_base64: null,
  input_image_url: "",
  aspect_ratio: VIDEO_DEFAULTS.aspect_ratio,
  duration_seconds: VIDEO_DEFAULTS.duration_seconds,
  number_of_videos: VIDEO_DEFAULTS.number_of_videos,
  person_generation: VIDEO_DEFAULTS.person_generation,
  seed: "",
};

type Fitted = Pick<Values, "model" | "aspect_ratio" | "duration_seconds" | "number_of_videos">;

/** The choices a model allows, kept where they fit it, else its defaults (Kling: 5 s, MiniMax: 6 s). */
function fitTo(model: VideoModel, v: Omit<Fitted, "model">): Fitted {
  const caps = model.capabilities;
  const d = modelDefaults(model, false) as Omit<Fitted, "model">;
  const n = caps.number_of_videos;
  return {
    model: model.id,
    aspect_ratio: caps.aspect_ratios.includes(v.aspect_ratio) ? v.aspect_ratio : d.aspect_ratio,
    duration_seconds: catalogDurations(model).includes(v.duration_seconds) ? v.duration_seconds : d.duration_seconds,
    number_of_videos:
      v.number_of_videos >= n.min && v.number_of_videos <= n.max ? v.number_of_videos : d.number_of_videos,
  };
}

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
function InputImage({ form, required }: { form: ParamsForm<Values>; required: boolean }) {
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
        optional={!required}
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
  return <WithModels kind="video">{(models) => <CatalogVideoForm {...props} models={models} />}</WithModels>;
}

/** The form offers what the chosen model can serve; who may appear depends on the model and the input (Veo). */
function CatalogVideoForm({ models, ...props }: GenerateFormProps<VideoParams> & { models: VideoModel[] }) {
  const first = models.find((m) => m.default) ?? (models[0] as VideoModel);
  const chosen = (v: Pick<Values, "model">) => models.find((m) => m.id === v.model) ?? first;
  const hasImage = (v: Values) => Boolean(v.input_image_base64?.dataUrl || v.input_image_url.trim());
  const modesFor = (v: Values) => {
    const people = chosen(v).capabilities.person_generation;
    return hasImage(v) ? people.image : people.text;
  };
  /** A mode the model does not allow for this input shows (and is sent) as its first allowed one. */
  const personFor = (v: Values) => (modesFor(v).includes(v.person_generation) ? v.person_generation : modesFor(v)[0]);
  const form = useParamsForm<Values, VideoParams>({
    initial: { ...INITIAL, ...fitTo(first, INITIAL) },
    fields: FIELDS,
    validate: (v) => {
      const caps = chosen(v).capabilities;
      return {
        prompt: promptError(v.prompt, "video"),
        input_image_base64:
          v.input_image_base64?.error ??
          (caps.input_image === "required" && !hasImage(v) ? "This model starts from an image: add one." : undefined),
        input_image_url:
          v.input_image_base64?.dataUrl && v.input_image_url.trim()
            ? "Give an uploaded image or an address, not both."
            : urlError(v.input_image_url),
        seed: caps.seed ? numberError(v.seed, { min: 0, max: SEED_MAX }, true) : undefined,
      };
    },
    // Only what the chosen model takes is sent.
    toParams: (v) => {
      const caps = chosen(v).capabilities;
      const image = caps.input_image !== "none";
      return {
        prompt: v.prompt,
        model: v.model,
        aspect_ratio: v.aspect_ratio,
        duration_seconds: v.duration_seconds,
        number_of_videos: v.number_of_videos,
        person_generation: personFor(v) ?? v.person_generation,
        ...(caps.negative_prompt && v.negative_prompt ? { negative_prompt: v.negative_prompt } : {}),
        ...(image ? { input_image_base64: v.input_image_base64?.dataUrl, input_image_url: v.input_image_url } : {}),
        ...(caps.seed ? { seed: numberOrUndefined(v.seed) } : {}),
      };
    },
    // A 413 names no field, but only the upload can make a submission that large.
    fieldOf: (error, v) => (error.status === 413 && v.input_image_base64 ? "input_image_base64" : undefined),
    props,
  });
  const model = chosen(form.values);
  const caps = model.capabilities;

  return (
    <ParamsFormShell form={form} label="Video settings">
      <ModelPicker form={form} models={models} onChoose={(m) => form.setMany(fitTo(m as VideoModel, form.values))} />
      <PromptField form={form} example="A paper boat drifting across a calm lake at sunrise, slow dolly shot" />
      {caps.negative_prompt ? (
        <TextField
          form={form}
          name="negative_prompt"
          label="Negative prompt"
          optional
          rows={2}
          hint="What the video should avoid."
          placeholder="Blur, text, watermarks"
        />
      ) : null}
      {caps.input_image !== "none" ? <InputImage form={form} required={caps.input_image === "required"} /> : null}
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <SelectField
          form={form}
          name="aspect_ratio"
          label="Aspect ratio"
          options={caps.aspect_ratios}
          optionLabel={aspectRatioLabel}
        />
        <SelectField
          form={form}
          name="duration_seconds"
          label="Duration"
          testId="duration"
          options={catalogDurations(model)}
          optionLabel={(s) => countLabel(s, "second", "seconds")}
        />
        <SelectField
          form={form}
          name="number_of_videos"
          label="Number of videos"
          options={range(caps.number_of_videos.min, caps.number_of_videos.max)}
        />
        <SelectField
          form={form}
          name="person_generation"
          label="People in it"
          options={modesFor(form.values)}
          optionLabel={(m) => PERSON_GENERATION_LABEL[m]}
        />
        {caps.seed ? (
          <NumberField
            form={form}
            name="seed"
            label="Seed"
            min={0}
            max={SEED_MAX}
            step={1}
            hint="The same seed and settings give the same video."
            placeholder="Random"
          />
        ) : null}
      </div>
    </ParamsFormShell>
  );
}
