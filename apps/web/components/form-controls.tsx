import type { ReactNode } from "react";

export const inputClass =
  "block w-full rounded-md border border-gray-300 bg-white px-3 py-2 text-base text-gray-900 shadow-sm " +
  "placeholder:text-gray-400 focus:border-indigo-600 aria-[invalid=true]:border-red-600 " +
  "disabled:bg-gray-100 disabled:text-gray-500 sm:text-sm";

export const primaryButtonClass =
  "inline-flex items-center justify-center gap-2 rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold " +
  "text-white shadow-sm hover:bg-indigo-700 disabled:cursor-not-allowed disabled:opacity-60";

export const secondaryButtonClass =
  "inline-flex items-center justify-center gap-2 rounded-md border border-gray-300 bg-white px-3 py-2 text-sm " +
  "font-medium text-gray-800 shadow-sm hover:bg-gray-50 disabled:cursor-not-allowed disabled:opacity-60";

/** The ids a control must point at with aria-describedby, given which texts are shown. */
export function describedBy(
  id: string,
  parts: { hint?: boolean; error?: string | null; extra?: string },
): string | undefined {
  const ids = [parts.hint ? `${id}-hint` : null, parts.extra ?? null, parts.error ? `${id}-error` : null].filter(
    Boolean,
  );
  return ids.length > 0 ? ids.join(" ") : undefined;
}

/** Label above, control, then hint and error below; the control wires itself with describedBy(). */
export function Field(props: {
  id: string;
  label: string;
  hint?: ReactNode;
  error?: string | null;
  optional?: boolean;
  children: ReactNode;
  aside?: ReactNode;
}) {
  return (
    <div className="space-y-1">
      <div className="flex items-baseline justify-between gap-2">
        <label htmlFor={props.id} className="block text-sm font-medium text-gray-800">
          {props.label}
          {props.optional ? <span className="font-normal text-gray-500"> (optional)</span> : null}
        </label>
        {props.aside}
      </div>
      {props.children}
      {props.hint ? (
        <p id={`${props.id}-hint`} className="text-xs text-gray-600">
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p id={`${props.id}-error`} className="text-sm text-red-700">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

export function Spinner() {
  return (
    <span
      aria-hidden="true"
      className="inline-block size-4 motion-safe:animate-spin rounded-full border-2 border-current border-r-transparent"
    />
  );
}

export function Alert({ children, id }: { children: ReactNode; id?: string }) {
  return (
    <div id={id} role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
      {children}
    </div>
  );
}
