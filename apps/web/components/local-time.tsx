"use client";

import { useSyncExternalStore } from "react";
import { formatDateTime } from "./labels";

const subscribe = () => () => {};

/**
 * A date and time in the reader's own time zone. The server does not know
 * it, so the server's HTML (and the first render in the browser, which must
 * match it) says UTC, and the browser switches to local time right after.
 */
export function LocalTime({ iso }: { iso: string }) {
  const inBrowser = useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
  const text = inBrowser ? formatDateTime(iso) : `${iso.slice(0, 16).replace("T", " ")} UTC`;
  return <time dateTime={iso}>{text}</time>;
}
