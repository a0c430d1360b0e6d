"use client";

import { codePointLength, type JobKind, KIND_INFO, type ModelView, PROMPT_MAX_LENGTH } from "@sorami/contracts";
import type { ReactNode } from "react";
import { Alert, Field, inputClass } from "./form-controls";
import { priceLabel, providerLabel } from "./labels";
import type { ParamsForm } from "./params-form";
import { useModels } from "./use-models";

/** The fields the generate forms are made of, each wired to a ParamsForm by the API's field name. */

export type StringFields<V> = { [N in keyof V & string]: V[N] extends string ? N : never }[keyof V & string];

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
  /** The model needs an input image (its capabilities say `required`). */
  required?: boolean;
}) {
  const { form, name } = props;
  return (
    <Field id={name} label={props.label} optional={!props.required} hint={props.hint} error={form.errors[name]}>
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

/** A whole or decimal number typed as text (blank: the model's own default), checked against the model's bounds. */
export function NumberField<V>(props: {
  form: ParamsForm<V>;
  name: StringFields<V>;
  label: string;
  hint: string;
  min: number;
  max: number;
  step: number;
  placeholder?: string;
}) {
  const { form, name } = props;
  return (
    <Field id={name} label={props.label} optional hint={props.hint} error={form.errors[name]}>
      <input
        {...form.control(name, { hint: true })}
        type="number"
        inputMode={props.step < 1 ? "decimal" : "numeric"}
        min={props.min}
        max={props.max}
        step={props.step}
        placeholder={props.placeholder}
        value={form.values[name] as string}
        onChange={(e) => form.set(name, e.target.value as V[typeof name])}
      />
    </Field>
  );
}

/** A number field's text as the API takes it: blank is absent. */
export function numberOrUndefined(text: string): number | undefined {
  return text.trim() === "" ? undefined : Number(text);
}

/** What is wrong with a number field's text, given its bounds; blank is fine (the field is optional). */
export function numberError(text: string, bounds: { min: number; max: number }, whole: boolean): string | undefined {
  if (text.trim() === "") {
    return undefined;
  }
  const n = Number(text);
  if (!Number.isFinite(n) || (whole && !Number.isInteger(n))) {
    return whole ? "Enter a whole number." : "Enter a number.";
  }
  if (n < bounds.min || n > bounds.max) {
    return `Enter a number from ${bounds.min} to ${bounds.max}.`;
  }
  return undefined;
}

/**
 * The model the job runs on: the active models of the form's kind, grouped
 * by provider, the operator's default preselected. The fields below follow
 * the chosen model's capabilities.
 */
export function ModelPicker<V extends { model: string }>({
  form,
  models,
  onChoose,
}: {
  form: ParamsForm<V>;
  models: readonly ModelView[];
  onChoose: (model: ModelView) => void;
}) {
  const groups = new Map<string, ModelView[]>();
  for (const m of models) {
    groups.set(m.provider, [...(groups.get(m.provider) ?? []), m]);
  }
  const chosen = models.find((m) => m.id === form.values.model);
  const hint = chosen ? [chosen.id, chosen.price ? priceLabel(chosen.price) : null].filter(Boolean).join(" · ") : "";
  return (
    <Field id="model" label="Model" hint={hint} error={form.errors.model}>
      <select
        {...form.control("model", { hint: Boolean(hint) })}
        value={form.values.model}
        onChange={(e) => {
          const next = models.find((m) => m.id === e.target.value);
          if (next) {
            onChoose(next);
          }
        }}
      >
        {[...groups].map(([provider, list]) => (
          <optgroup key={provider} label={providerLabel(provider)}>
            {list.map((m) => (
              <option key={m.id} value={m.id}>
                {m.default ? `${m.label} (default)` : m.label}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
    </Field>
  );
}

/** A form of one kind, drawn once the active models of that kind are known (until then, or without any, says so). */
export function WithModels<K extends JobKind>({
  kind,
  children,
}: {
  kind: K;
  children: (models: Extract<ModelView, { kind: K }>[]) => ReactNode;
}) {
  const { models, error } = useModels(kind);
  const ofKind = (models ?? []).filter((m): m is Extract<ModelView, { kind: K }> => m.kind === kind);
  if (ofKind.length > 0) {
    return children(ofKind);
  }
  const problem = models ? `No ${KIND_INFO[kind].noun} model is active.` : error;
  return problem ? <Alert>{problem}</Alert> : <p className="text-sm text-gray-500">Loading the models…</p>;
}
