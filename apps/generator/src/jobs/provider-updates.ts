import type { ProviderProgress } from "../providers/types";

/**
 * At most one provider update per job per this long reaches the job row and
 * the webhooks. Polls come every 0.5-5 s and each may carry news (a fal
 * queue position, a log line with a percentage); each update is a status
 * statement, a webhook delivery and a live event, and a second is as fast
 * as a person reads a changing line. The newest update waiting is the one
 * sent; those it replaced are dropped.
 */
export const PROVIDER_UPDATE_INTERVAL_MS = 1000;

export type UpdateSink = (progress: ProviderProgress) => Promise<void>;

/**
 * Coalesces a provider's reports into at most one `send` per interval, one
 * at a time, in order. `stop` drops what is still waiting and waits for the
 * send under way, so nothing is written after the run moves on.
 */
export function providerUpdates(
  send: UpdateSink,
  onError: (error: unknown) => void,
  intervalMs = PROVIDER_UPDATE_INTERVAL_MS,
): { report(progress: ProviderProgress): void; stop(): Promise<void> } {
  let pending: ProviderProgress | null = null;
  let lastSentAt = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;

  const flush = () => {
    timer = null;
    const next = pending;
    pending = null;
    if (!next || stopped) {
      return;
    }
    lastSentAt = Date.now();
    // A failed write (the database away for a moment) loses one update, never the run.
    chain = chain.then(() => send(next)).catch(onError);
  };

  return {
    report(progress) {
      if (stopped) {
        return;
      }
      pending = progress;
      if (timer) {
        return;
      }
      const wait = lastSentAt + intervalMs - Date.now();
      if (wait <= 0) {
        flush();
      } else {
        timer = setTimeout(flush, wait);
      }
    },
    async stop() {
      stopped = true;
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      pending = null;
      await chain;
    },
  };
}
