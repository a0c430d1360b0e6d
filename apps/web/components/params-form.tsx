"use client";

import { codePointLength, findForbiddenCharacter, PROMPT_MAX_LENGTH } from "@sorami/contracts";
import { type FormEvent, type ReactNode, type RefObject, useEffect, useRef, useState } from "react";
import type { ApiError } from "@/lib/api-client";
import { Alert, describedBy, Field, inputClass, primaryButtonClass, Spinner } from "./form-controls";

/**
 * The machinery every generate form shares: values, client-side validation,
 * the server's answer mapped onto the field it names, and focus sent to the
 * first field in error. Field names are the API's, so `error.field` lands on
 * the right control.
 */

type Errors<V> = Partial<Record<keyof V & string, string>>;

/** Props every generate form takes. */
export type GenerateFormProps<P> = {
  onGenerate: (params: P) => Promise<ApiError | null>;
  submitting: boolean;
};

export type ParamsForm<V> = {
  values: V;
  errors: Errors<V>;
  set: <N extends keyof V & string>(name: N, value: V[N]) => void;
  setError: (name: keyof V & string, message: string | undefined) => void;
  /** id, name, data-testid and the aria wiring of a field's control. */
  control: (
    name: keyof V & string,
    options?: { hint?: boolean; extra?: string; testId?: string },
  ) => {
    id: string;
    name: string;
    "data-testid": string;
    "aria-invalid": true | undefined;
    "aria-describedby": string | undefined;
    className: string;
  };
  formError: string | null;
  formRef: RefObject<HTMLFormElement | null>;
  onSubmit: (event: FormEvent<HTMLFormElement>) => Promise<void>;
  submitting: boolean;
};

export function useParamsForm<V extends Record<string, unknown>, P>(options: {
  initial: V;
  /** In the order they appear, for sending focus to the first error. */
  fields: readonly (keyof V & string)[];
  validate: (values: V) => Errors<V>;
  /** From the values, every text trimmed, to what the API takes (blank texts are left out when sent). */
  toParams: (values: V) => P;
  /** The field a refusal is about when the server names none (e.g. 413 for an upload). */
  fieldOf?: (error: ApiError, values: V) => (keyof V & string) | undefined;
  props: GenerateFormProps<P>;
}): ParamsForm<V> {
  const { fields, props } = options;
  const [values, setValues] = useState<V>(options.initial);
  const [errors, setErrors] = useState<Errors<V>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [focusRequest, setFocusRequest] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);

  // Once errors are on screen, send focus to the first field that has one.
  useEffect(() => {
    if (focusRequest === 0) {
      return;
    }
    const first = fields.find((name) => errors[name]);
    if (first) {
      formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
    }
  }, [focusRequest, errors, fields]);

  const setError = (name: keyof V & string, message: string | undefined) =>
    setErrors((e) => (e[name] === message ? e : { ...e, [name]: message }));

  function set<N extends keyof V & string>(name: N, value: V[N]) {
    setValues((v) => ({ ...v, [name]: value }));
    setError(name, undefined);
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (props.submitting) {
      return;
    }
    const found = options.validate(values);
    setErrors(found);
    setFormError(null);
    if (Object.values(found).some(Boolean)) {
      setFocusRequest((n) => n + 1);
      return;
    }
    const trimmed = Object.fromEntries(
      Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v.trim() : v]),
    ) as V;
    const error = await props.onGenerate(options.toParams(trimmed));
    if (!error) {
      return;
    }
    const field = fields.find((name) => name === error.field) ?? options.fieldOf?.(error, values);
    if (field) {
      setErrors({ [field]: error.message } as Errors<V>);
      setFocusRequest((n) => n + 1);
    } else {
      setFormError(error.message);
    }
  }

  const control: ParamsForm<V>["control"] = (name, extra = {}) => ({
    id: name,
    name,
    "data-testid": extra.testId ?? name.replaceAll("_", "-"),
    "aria-invalid": errors[name] ? true : undefined,
    "aria-describedby": describedBy(name, { hint: extra.hint, extra: extra.extra, error: errors[name] }),
    className: inputClass,
  });

  return { values, errors, set, setError, control, formError, formRef, onSubmit, submitting: props.submitting };
}

/** The form element, then the fields, then any refusal without a field, then Generate. */
export function ParamsFormShell<V>({
  form,
  label,
  children,
}: {
  form: ParamsForm<V>;
  label: string;
  children: ReactNode;
}) {
  return (
    <form
      ref={form.formRef}
      onSubmit={(e) => void form.onSubmit(e)}
      noValidate
      className="space-y-5"
      aria-label={label}
    >
      {children}
      {form.formError ? <Alert>{form.formError}</Alert> : null}
      <button
        type="submit"
        disabled={form.submitting}
        data-testid="generate-submit"
        className={`${primaryButtonClass} w-full`}
      >
        {form.submitting ? <Spinner /> : null}
        {form.submitting ? "Starting…" : "Generate"}
      </button>
    </form>
  );
}

type StringFields<V> = { [N in keyof V & string]: V[N] extends string ? N : never }[keyof V & string];

/**
 * A multi-line text of at most PROMPT_MAX_LENGTH characters, with a live
 * count. Characters are code points, as the server counts them; no
 * `maxLength` on the box, which would count UTF-16 units and stop a text of
 * emoji at half the limit.
 */
export function TextField<V>(props: {
  form: ParamsForm<V>;
  name: StringFields<V>;
  label: string;
  placeholder: string;
  rows: number;
  optional?: boolean;
  hint?: string;
}) {
  const { form, name } = props;
  const value = form.values[name] as string;
  const count = codePointLength(value);
  const nearLimit = count > PROMPT_MAX_LENGTH * 0.9;
  const countId = `${name}-count`;
  return (
    <Field
      id={name}
      label={props.label}
      optional={props.optional}
      hint={props.hint}
      error={form.errors[name]}
      aside={
        <span id={countId} className={`text-xs tabular-nums ${nearLimit ? "text-red-700" : "text-gray-500"}`}>
          {count.toLocaleString()} / {PROMPT_MAX_LENGTH.toLocaleString()}
          <span className="sr-only"> characters</span>
        </span>
      }
    >
      <textarea
        {...form.control(name, { hint: Boolean(props.hint), extra: countId })}
        rows={props.rows}
        required={!props.optional}
        value={value}
        onChange={(e) => form.set(name, e.target.value as V[typeof name])}
        placeholder={props.placeholder}
        className={`${inputClass} resize-y`}
      />
    </Field>
  );
}

/** The prompt every kind starts from. */
export function PromptField<V extends { prompt: string }>({ form, example }: { form: ParamsForm<V>; example: string }) {
  return <TextField form={form} name={"prompt" as StringFields<V>} label="Prompt" rows={5} placeholder={example} />;
}

/** An optional http(s) address of an image to start from. */
export function UrlField<V>(props: {
  form: ParamsForm<V>;
  name: StringFields<V>;
  label: string;
  hint: string;
  disabled?: boolean;
}) {
  const { form, name } = props;
  return (
    <Field id={name} label={props.label} optional hint={props.hint} error={form.errors[name]}>
      <input
        {...form.control(name, { hint: true })}
        type="url"
        inputMode="url"
        autoComplete="url"
        placeholder="https://example.com/photo.jpg"
        disabled={props.disabled}
        value={form.values[name] as string}
        onChange={(e) => form.set(name, e.target.value as V[typeof name])}
      />
    </Field>
  );
}

/** A choice among fixed values; the value keeps its type (numbers stay numbers). */
export function SelectField<V, N extends keyof V & string>(props: {
  form: ParamsForm<V>;
  name: N;
  label: string;
  options: readonly V[N][];
  optionLabel?: (value: V[N]) => string;
  testId?: string;
}) {
  const { form, name } = props;
  return (
    <Field id={name} label={props.label} error={form.errors[name]}>
      <select
        {...form.control(name, { testId: props.testId })}
        value={String(form.values[name])}
        onChange={(e) => {
          const chosen = props.options.find((o) => String(o) === e.target.value);
          if (chosen !== undefined) {
            form.set(name, chosen);
          }
        }}
      >
        {props.options.map((o) => (
          <option key={String(o)} value={String(o)}>
            {props.optionLabel ? props.optionLabel(o) : String(o)}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** A prompt is required, bounded (in code points, as the server counts) and free of characters the server refuses. */
export function promptError(prompt: string, noun: string): string | undefined {
  if (!prompt.trim()) {
    return `Describe the ${noun} you want.`;
  }
  if (codePointLength(prompt.trim()) > PROMPT_MAX_LENGTH) {
    return `Keep the prompt within ${PROMPT_MAX_LENGTH} characters.`;
  }
  const forbidden = findForbiddenCharacter(prompt);
  if (forbidden) {
    return `The prompt ${forbidden.message}; remove it.`;
  }
  return undefined;
}

/** An address, when given, must be a full http(s) URL. */
export function urlError(url: string): string | undefined {
  const trimmed = url.trim();
  if (!trimmed) {
    return undefined;
  }
  try {
    const u = new URL(trimmed);
    if (u.protocol === "http:" || u.protocol === "https:") {
      return undefined;
    }
  } catch {
    // falls through
  }
  return "Enter a full web address starting with http:// or https://.";
}

/** Which model the form's settings are for (the active provider). */
export function ProviderNote({ provider }: { provider: { label: string; model: string } }) {
  return (
    <p className="text-sm text-gray-600" data-testid="provider-note">
      Model: <span className="font-medium text-gray-900">{provider.label}</span>{" "}
      <span className="text-gray-500">({provider.model})</span>
    </p>
  );
}

/** Shown until the active provider's options are known. */
export function ProvidersPending({ error }: { error: string | null }) {
  return error ? <Alert>{error}</Alert> : <p className="text-sm text-gray-500">Loading the model's options…</p>;
}
