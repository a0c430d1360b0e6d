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
  PROMPT_MAX_LENGTH,
} from "@sorami/contracts";
import { type FormEvent, useEffect, useRef, useState } from "react";
import type { ApiError } from "@/lib/api-client";
import { Alert, describedBy, Field, inputClass, primaryButtonClass, Spinner } from "./form-controls";
import { optionLabel, sizeLabel } from "./labels";

type Values = Omit<ImageParams, "input_image_url"> & { input_image_url: string };
type FieldName = keyof Values;
type Errors = Partial<Record<FieldName, string>>;

const FIELD_NAMES: readonly FieldName[] = [
  "prompt",
  "input_image_url",
  "num_images",
  "size",
  "format",
  "style",
  "quality",
];
const NUM_CHOICES = Array.from({ length: NUM_IMAGES_MAX - NUM_IMAGES_MIN + 1 }, (_, i) => NUM_IMAGES_MIN + i);

const INITIAL: Values = { prompt: "", input_image_url: "", ...IMAGE_DEFAULTS };

function validate(v: Values): Errors {
  const errors: Errors = {};
  if (!v.prompt.trim()) errors.prompt = "Describe the image you want.";
  else if (v.prompt.length > PROMPT_MAX_LENGTH)
    errors.prompt = `Keep the prompt within ${PROMPT_MAX_LENGTH} characters.`;
  const url = v.input_image_url.trim();
  if (url) {
    let ok = false;
    try {
      const u = new URL(url);
      ok = u.protocol === "http:" || u.protocol === "https:";
    } catch {
      ok = false;
    }
    if (!ok) errors.input_image_url = "Enter a full web address starting with http:// or https://.";
  }
  return errors;
}

function toParams(v: Values): ImageParams {
  const url = v.input_image_url.trim();
  return { ...v, prompt: v.prompt.trim(), input_image_url: url || undefined };
}

function isFieldName(name: string | undefined): name is FieldName {
  return FIELD_NAMES.includes(name as FieldName);
}

export function GenerateForm(props: {
  onGenerate: (params: ImageParams) => Promise<ApiError | null>;
  submitting: boolean;
}) {
  const [values, setValues] = useState<Values>(INITIAL);
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [focusRequest, setFocusRequest] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);

  // Once errors are on screen, send focus to the first field that has one.
  useEffect(() => {
    if (focusRequest === 0) return;
    const first = FIELD_NAMES.find((name) => errors[name]);
    if (first) formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
  }, [focusRequest, errors]);

  function set<K extends FieldName>(name: K, value: Values[K]) {
    setValues((v) => ({ ...v, [name]: value }));
    setErrors((e) => (e[name] ? { ...e, [name]: undefined } : e));
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (props.submitting) return;
    const found = validate(values);
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length > 0) {
      setFocusRequest((n) => n + 1);
      return;
    }
    const error = await props.onGenerate(toParams(values));
    if (!error) return;
    if (isFieldName(error.field)) {
      setErrors({ [error.field]: error.message });
      setFocusRequest((n) => n + 1);
    } else {
      setFormError(error.message);
    }
  }

  const a11y = (name: FieldName, extra?: { hint?: boolean; extra?: string }) => ({
    id: name,
    name,
    "data-testid": name.replaceAll("_", "-"),
    "aria-invalid": errors[name] ? true : undefined,
    "aria-describedby": describedBy(name, { ...extra, error: errors[name] }),
    className: inputClass,
  });

  const promptLength = values.prompt.length;
  const nearLimit = promptLength > PROMPT_MAX_LENGTH * 0.9;

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="space-y-5" aria-label="Image settings">
      <Field
        id="prompt"
        label="Prompt"
        error={errors.prompt}
        aside={
          <span id="prompt-count" className={`text-xs tabular-nums ${nearLimit ? "text-red-700" : "text-gray-500"}`}>
            {promptLength.toLocaleString()} / {PROMPT_MAX_LENGTH.toLocaleString()}
            <span className="sr-only"> characters</span>
          </span>
        }
      >
        <textarea
          {...a11y("prompt", { extra: "prompt-count" })}
          rows={5}
          maxLength={PROMPT_MAX_LENGTH}
          required
          value={values.prompt}
          onChange={(e) => set("prompt", e.target.value)}
          placeholder="A lighthouse on a cliff at dawn, soft fog, long exposure"
          className={`${inputClass} resize-y`}
        />
      </Field>

      <Field
        id="input_image_url"
        label="Input image URL"
        optional
        hint="An image to start from. Leave empty to start from the prompt alone."
        error={errors.input_image_url}
      >
        <input
          {...a11y("input_image_url", { hint: true })}
          type="url"
          inputMode="url"
          autoComplete="url"
          placeholder="https://example.com/photo.jpg"
          value={values.input_image_url}
          onChange={(e) => set("input_image_url", e.target.value)}
        />
      </Field>

      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <Field id="num_images" label="Number of images" error={errors.num_images}>
          <select
            {...a11y("num_images")}
            value={values.num_images}
            onChange={(e) => set("num_images", Number(e.target.value))}
          >
            {NUM_CHOICES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </Field>
        <Field id="size" label="Size" error={errors.size}>
          <select {...a11y("size")} value={values.size} onChange={(e) => set("size", e.target.value as Values["size"])}>
            {IMAGE_SIZES.map((s) => (
              <option key={s} value={s}>
                {sizeLabel(s)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="format" label="Format" error={errors.format}>
          <select
            {...a11y("format")}
            value={values.format}
            onChange={(e) => set("format", e.target.value as Values["format"])}
          >
            {IMAGE_FORMATS.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </Field>
        <Field id="style" label="Style" error={errors.style}>
          <select
            {...a11y("style")}
            value={values.style}
            onChange={(e) => set("style", e.target.value as Values["style"])}
          >
            {IMAGE_STYLES.map((s) => (
              <option key={s} value={s}>
                {optionLabel(s)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="quality" label="Quality" error={errors.quality}>
          <select
            {...a11y("quality")}
            value={values.quality}
            onChange={(e) => set("quality", e.target.value as Values["quality"])}
          >
            {IMAGE_QUALITIES.map((q) => (
              <option key={q} value={q}>
                {optionLabel(q)}
              </option>
            ))}
          </select>
        </Field>
      </div>

      {formError ? <Alert>{formError}</Alert> : null}

      <button
        type="submit"
        disabled={props.submitting}
        data-testid="generate-submit"
        className={`${primaryButtonClass} w-full`}
      >
        {props.submitting ? <Spinner /> : null}
        {props.submitting ? "Starting…" : "Generate"}
      </button>
    </form>
  );
}
