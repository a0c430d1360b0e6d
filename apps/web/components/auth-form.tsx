"use client";

import Link from "next/link";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { ApiError, signIn, signUp } from "@/lib/api-client";
import { Alert, describedBy, Field, inputClass, primaryButtonClass, Spinner } from "./form-controls";

const PASSWORD_MIN_LENGTH = 8;

type Mode = "sign-in" | "sign-up";

const COPY: Record<
  Mode,
  { title: string; submit: string; busy: string; other: string; otherHref: string; otherText: string }
> = {
  "sign-in": {
    title: "Sign in to Sorami",
    submit: "Sign in",
    busy: "Signing in…",
    other: "No account yet?",
    otherHref: "/sign-up",
    otherText: "Create one",
  },
  "sign-up": {
    title: "Create your Sorami account",
    submit: "Create account",
    busy: "Creating account…",
    other: "Already have an account?",
    otherHref: "/sign-in",
    otherText: "Sign in",
  },
};

export function AuthForm({ mode }: { mode: Mode }) {
  const copy = COPY[mode];
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const formRef = useRef<HTMLFormElement>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) {
      return;
    }
    const data = new FormData(event.currentTarget);
    const email = String(data.get("email") ?? "").trim();
    const password = String(data.get("password") ?? "");
    setBusy(true);
    setError(null);
    try {
      if (mode === "sign-up") {
        await signUp({ name: String(data.get("name") ?? "").trim(), email, password });
      } else {
        await signIn({ email, password });
      }
      // A full load, so server components see the new session cookie.
      window.location.href = "/generate-images";
    } catch (e) {
      const err = e instanceof ApiError ? e : null;
      setError({ message: err?.message ?? "Something went wrong. Try again.", field: err?.field });
      setBusy(false);
    }
  }

  // After the error is rendered, so the field's description already includes it when focus lands.
  useEffect(() => {
    if (error?.field) {
      formRef.current?.querySelector<HTMLElement>(`[name="${error.field}"]`)?.focus();
    }
  }, [error]);

  const fieldError = (name: string) => (error?.field === name ? error.message : null);

  return (
    <div className="mx-auto w-full max-w-sm">
      <h1 className="text-2xl font-semibold tracking-tight text-gray-900">{copy.title}</h1>
      <form ref={formRef} onSubmit={onSubmit} className="mt-6 space-y-4" aria-busy={busy}>
        {mode === "sign-up" ? (
          <Field id="name" label="Name" error={fieldError("name")}>
            <input
              id="name"
              name="name"
              type="text"
              autoComplete="name"
              required
              maxLength={100}
              data-testid="name"
              className={inputClass}
              aria-invalid={fieldError("name") ? true : undefined}
              aria-describedby={describedBy("name", { error: fieldError("name") })}
            />
          </Field>
        ) : null}
        <Field id="email" label="Email" error={fieldError("email")}>
          <input
            id="email"
            name="email"
            type="email"
            autoComplete="email"
            inputMode="email"
            required
            data-testid="email"
            className={inputClass}
            aria-invalid={fieldError("email") ? true : undefined}
            aria-describedby={describedBy("email", { error: fieldError("email") })}
          />
        </Field>
        <Field
          id="password"
          label="Password"
          hint={mode === "sign-up" ? `At least ${PASSWORD_MIN_LENGTH} characters.` : undefined}
          error={fieldError("password")}
        >
          <input
            id="password"
            name="password"
            type="password"
            autoComplete={mode === "sign-up" ? "new-password" : "current-password"}
            required
            minLength={mode === "sign-up" ? PASSWORD_MIN_LENGTH : undefined}
            data-testid="password"
            className={inputClass}
            aria-invalid={fieldError("password") ? true : undefined}
            aria-describedby={describedBy("password", { hint: mode === "sign-up", error: fieldError("password") })}
          />
        </Field>
        {error && !error.field ? <Alert>{error.message}</Alert> : null}
        <button type="submit" disabled={busy} data-testid="submit" className={`${primaryButtonClass} w-full`}>
          {busy ? <Spinner /> : null}
          {busy ? copy.busy : copy.submit}
        </button>
      </form>
      <p className="mt-6 text-sm text-gray-600">
        {copy.other}{" "}
        <Link href={copy.otherHref} className="font-medium text-indigo-700 underline-offset-2 hover:underline">
          {copy.otherText}
        </Link>
      </p>
    </div>
  );
}
