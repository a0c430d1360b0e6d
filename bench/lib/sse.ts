import { readSse } from "@sorami/contracts";

/** Wall clock with sub-millisecond resolution, comparable across processes of this machine. */
export const now = () => performance.timeOrigin + performance.now();

export type JobEventSeen = { jobId: string; status: string; progress: number; at: number };

export type LiveStream = {
  /** Resolves once the snapshot arrived: everything committed after this is delivered live. */
  ready: Promise<void>;
  close(): void;
};

/**
 * A user's GET /api/events read with fetch, calling `onJob` with the time
 * each `job` event arrives. Events are handled as they are parsed; nothing
 * is kept, so a stream can follow thousands of jobs.
 */
export function openLiveStream(webUrl: string, token: string, onJob: (e: JobEventSeen) => void): LiveStream {
  const controller = new AbortController();
  let markReady!: () => void;
  let fail!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    fail = reject;
  });
  void (async () => {
    try {
      const res = await fetch(`${webUrl}/api/events`, {
        headers: { authorization: `Bearer ${token}` },
        signal: controller.signal,
      });
      if (!res.ok || !res.body) {
        throw new Error(`GET /api/events answered ${res.status}`);
      }
      for await (const m of readSse(res.body)) {
        const at = now();
        if (m.event === "snapshot") {
          markReady();
        }
        if (m.event !== "job") {
          continue;
        }
        const d = JSON.parse(m.data) as { job_id: string; status: string; progress: number };
        onJob({ jobId: d.job_id, status: d.status, progress: d.progress, at });
      }
    } catch (error) {
      if (!controller.signal.aborted) {
        fail(error as Error);
      }
    }
  })();
  return { ready, close: () => controller.abort() };
}
