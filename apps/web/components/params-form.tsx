"use client";

import { codePointLength, findForbiddenCharacter, PROMPT_MAX_LENGTH } from "@sorami/contracts";
import { type FormEvent, type ReactNode, type RefObject, useEffect, useRef, useState } from "react";
import type { ApiError } from "@/lib/api-client";
import { Alert, describedBy, inputClass, primaryButtonClass, Spinner } from "./form-controls";

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
  /** Several values at once (a model change fits the others to it); their errors are cleared. */
  setMany: (values: Partial<V>) => void;
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

  function setMany(next: Partial<V>) {
    setValues((v) => ({ ...v, ...next }));
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !(k in next))) as Errors<V>);
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

  return {
    values,
    errors,
    set,
    setMany,
    setError,
    control,
    formError,
    formRef,
    onSubmit,
    submitting: props.submitting,
  };
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
