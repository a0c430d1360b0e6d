"use client";

import type { AdminEvent } from "@sorami/contracts";
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "@/lib/api-client";
import { useLiveEvents } from "../live-events";

/** Several admin events in a burst (a job's stages) cause one read. */
const LIVE_READ_DELAY_MS = 500;
/** While the stream is down, the page reads again this often. */
const POLL_MS = 10_000;

/**
 * Data an admin page reads from the API, read again when it may have
 * changed: after an admin event it cares about (`relevant`), when the stream
 * (re)opens, every POLL_MS while it is down, and when `reload` is called
 * (after the page's own actions).
 */
export function useAdminData<T>(load: () => Promise<T>, relevant: (event: AdminEvent) => boolean = () => true) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const live = useLiveEvents();
  const relevantRef = useRef(relevant);
  relevantRef.current = relevant;
  const [reads, setReads] = useState(0);
  const reload = useCallback(() => setReads((n) => n + 1), []);

  // A new read each time `reads` is bumped, and whenever `load` changes (a new search or filter):
  // every caller memoizes it, so it changes only when what it reads does.
  useEffect(() => {
    let current = true;
    load()
      .then((value) => {
        if (current && reads >= 0) {
          setData(value);
          setError(null);
        }
      })
      .catch((e: unknown) => {
        if (current) {
          setError(e instanceof ApiError ? e.message : "Could not load this page's data.");
        }
      });
    return () => {
      current = false;
    };
  }, [load, reads]);

  useEffect(() => {
    let timer: number | undefined;
    const unsubscribe = live.subscribe((event) => {
      const wanted = event.type === "snapshot" || (event.type === "admin" && relevantRef.current(event.data));
      if (wanted && timer === undefined) {
        timer = window.setTimeout(() => {
          timer = undefined;
          reload();
        }, LIVE_READ_DELAY_MS);
      }
    });
    return () => {
      unsubscribe();
      window.clearTimeout(timer);
    };
  }, [live.subscribe, reload]);

  const streamOpen = live.status === "open";
  useEffect(() => {
    if (streamOpen) {
      return;
    }
    const timer = window.setInterval(reload, POLL_MS);
    return () => window.clearInterval(timer);
  }, [streamOpen, reload]);

  return { data, error, reload, live: streamOpen };
}

/** Runs an admin action, then reads again; its failure is shown. */
export function useAdminAction(after: () => void) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const run = useCallback(
    async (label: string, action: () => Promise<unknown>, doneText?: string) => {
      setBusy(label);
      setError(null);
      setDone(null);
      try {
        await action();
        setDone(doneText ?? null);
        after();
      } catch (e) {
        setError(e instanceof ApiError ? e.message : "The action failed.");
      } finally {
        setBusy(null);
      }
    },
    [after],
  );
  return { busy, error, done, run };
}
