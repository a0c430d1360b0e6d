import { readSse, type SseMessage } from "@sorami/contracts";
import { fetchChecked } from "./client";

export type EventClient = {
  status: number;
  /** Every message received so far, in order. */
  messages: SseMessage[];
  /** The id of the last message that had one (what EventSource would send as Last-Event-ID). */
  lastId(): string | null;
  /** Resolves with the first message (past or future) that `match` accepts. */
  waitFor(match: (m: SseMessage) => boolean, what: string, timeoutMs?: number): Promise<SseMessage>;
  /** Resolves once the server ends the stream. */
  ended: Promise<void>;
  close(): void;
};

/** Reads a user's GET /api/events with fetch, as a script or another service would (or a browser, given its cookie). */
export async function openEvents(
  webUrl: string,
  credential: string | { cookie: string },
  lastEventId?: string | null,
): Promise<EventClient> {
  const controller = new AbortController();
  const auth = typeof credential === "string" ? { authorization: `Bearer ${credential}` } : credential;
  const res = await fetchChecked(`${webUrl}/api/events`, {
    headers: { ...auth, ...(lastEventId ? { "last-event-id": lastEventId } : {}) },
    signal: controller.signal,
  });
  const messages: SseMessage[] = [];
  const waiters = new Set<() => void>();
  let body: Promise<void> = Promise.resolve();
  if (res.ok && res.body) {
    const stream = res.body;
    body = (async () => {
      try {
        for await (const m of readSse(stream)) {
          messages.push(m);
          for (const w of waiters) {
            w();
          }
        }
      } catch {
        // aborted by close(), or the server went away
      }
      for (const w of waiters) {
        w();
      }
    })();
  }
  let done = false;
  const ended = body.then(() => {
    done = true;
  });
  return {
    status: res.status,
    messages,
    lastId: () => messages.findLast((m) => m.id !== null)?.id ?? null,
    ended,
    close: () => controller.abort(),
    waitFor: (match, what, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(match);
          if (found) {
            cleanup();
            resolve(found);
          } else if (done) {
            cleanup();
            reject(new Error(`the stream ended before ${what}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`Timed out waiting for ${what}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
  };
}

/** The data of a `job` event for this job in this status, if `m` is one. */
export function isJobEvent(m: SseMessage, jobId: string, status?: string): boolean {
  if (m.event !== "job") {
    return false;
  }
  const d = JSON.parse(m.data) as { job_id: string; status: string };
  return d.job_id === jobId && (status === undefined || d.status === status);
}
