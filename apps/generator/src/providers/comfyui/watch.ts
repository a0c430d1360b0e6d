import { setTimeout as sleep } from "node:timers/promises";
import { InstanceDownError } from "../engines/errors";
import { liveReporter } from "../engines/preview";
import { ProviderError, type ProviderProgress, RemoteLostError } from "../types";
import type { ComfyClient, HistoryEntry } from "./client";
import type { ComfyPool } from "./pool";
import { type ComfyEvent, followComfySocket } from "./socket";

/**
 * How a wait follows its prompt. The websocket brings progress, previews and
 * a prompt's end at once; polling /history and /queue is the source of truth
 * (frames get lost across reconnects) and is what notices a ComfyUI that
 * forgot the prompt. Each poll is two small GETs per waiting job.
 */
export type ComfyTimings = {
  /** Between polls of /history and /queue (the websocket cuts a wait short when the prompt ends). */
  pollMs: number;
  /**
   * How long an instance may not answer before a wait gives up on it: its
   * queued prompt moves elsewhere (InstanceDownError), a running one ends
   * the run with a transient error and the job resumes on the handle later.
   * Long enough to ride out a network blip or a proxy restart.
   */
  instanceDownAfterMs: number;
};
export const COMFY_POLL_INTERVAL_MS = 2000;
export const INSTANCE_DOWN_AFTER_MS = 30_000;
export const COMFY_TIMINGS: ComfyTimings = {
  pollMs: COMFY_POLL_INTERVAL_MS,
  instanceDownAfterMs: INSTANCE_DOWN_AFTER_MS,
};

type Observation =
  | { kind: "done"; entry: HistoryEntry }
  | { kind: "running" }
  | { kind: "pending"; position: number }
  | { kind: "lost" };

/**
 * Where the prompt is. History is read before and after the queue: a prompt
 * moves from the queue to the history atomically, so one that is in neither
 * the queue nor the later history read is unknown to this ComfyUI.
 */
async function observe(client: ComfyClient, promptId: string, signal: AbortSignal): Promise<Observation> {
  const first = await client.history(promptId, signal);
  if (first) {
    return { kind: "done", entry: first };
  }
  const queue = await client.queue(signal);
  if (queue.running.some((i) => i.promptId === promptId)) {
    return { kind: "running" };
  }
  const index = queue.pending.findIndex((i) => i.promptId === promptId);
  if (index >= 0) {
    return { kind: "pending", position: index + 1 };
  }
  const second = await client.history(promptId, signal);
  return second ? { kind: "done", entry: second } : { kind: "lost" };
}

export type Watch = {
  pool: ComfyPool;
  client: ComfyClient;
  promptId: string;
  clientId?: string;
  /** Node id → class name, for messages ("KSampler: step 12 of 25"). */
  classOf: (node: string) => string | undefined;
  onProgress: (progress: ProviderProgress) => void;
  signal: AbortSignal;
  timings: ComfyTimings;
};

/** Follows a prompt until ComfyUI has finished it; returns its history entry. */
export async function watchPrompt(w: Watch): Promise<HistoryEntry> {
  const { client, promptId, signal } = w;
  const where = client.instance.name;
  let started = false;
  const live = liveReporter(w.onProgress);
  const { report, previews } = live;
  let wake: (() => void) | undefined;

  const onEvent = (e: ComfyEvent) => {
    if (e.promptId && e.promptId !== promptId) {
      return;
    }
    const name = (node: string | undefined) => (node ? (w.classOf(node) ?? `node ${node}`) : "ComfyUI");
    switch (e.type) {
      case "execution_start":
        started = true;
        report({ providerStatus: "running", message: `Running on ${where}` });
        return;
      case "executing":
        started = true;
        if (e.node === null) {
          wake?.();
        } else {
          report({ providerStatus: "running", message: `${name(e.node)} (node ${e.node})` });
        }
        return;
      case "progress":
        started = true;
        report({
          providerStatus: "running",
          percent: Math.max(0, Math.min(100, Math.round((100 * e.value) / e.max))),
          message: `${name(e.node)}: step ${e.value} of ${e.max}`,
        });
        return;
      case "preview":
        previews.offer(e.image);
        return;
      case "executed":
        return;
      default:
        // execution_success, execution_error, execution_interrupted: the history has the outcome.
        wake?.();
    }
  };
  const socket = w.clientId ? followComfySocket(client.instance, w.clientId, onEvent) : undefined;
  const nap = async () => {
    const woken = new Promise<void>((resolve) => {
      wake = resolve;
    });
    await Promise.race([sleep(w.timings.pollMs, undefined, { signal }), woken]);
  };

  try {
    let downSince: number | undefined;
    let lastWasPending = false;
    for (;;) {
      signal.throwIfAborted();
      let seen: Observation;
      try {
        seen = await observe(client, promptId, signal);
        downSince = undefined;
      } catch (error) {
        if (signal.aborted || !(error instanceof ProviderError) || !error.retryable) {
          throw error;
        }
        downSince ??= Date.now();
        if (Date.now() - downSince >= w.timings.instanceDownAfterMs) {
          const silent = `${Math.round((Date.now() - downSince) / 1000)} s`;
          if (lastWasPending && !started) {
            w.pool.noteMovedAway(where, promptId);
            throw new InstanceDownError(
              where,
              promptId,
              `ComfyUI at ${where} stopped answering (${silent}) while prompt ${promptId} was still queued there: it moves to another instance`,
            );
          }
          throw new ProviderError(
            "transient",
            `ComfyUI at ${where} has not answered for ${silent} while running prompt ${promptId}; the job resumes on it later (${error.message})`,
          );
        }
        await nap();
        continue;
      }
      if (seen.kind === "done") {
        return seen.entry;
      }
      if (seen.kind === "lost") {
        throw new RemoteLostError(
          `ComfyUI at ${where} no longer knows prompt ${promptId}: it restarted and forgot its queue and history`,
        );
      }
      lastWasPending = seen.kind === "pending";
      if (seen.kind === "pending") {
        report({
          providerStatus: "pending",
          queuePosition: seen.position,
          message: `In queue on ${where} — position ${seen.position}`,
        });
      } else if (!started) {
        started = true;
        report({ providerStatus: "running", message: `Running on ${where}` });
      }
      await nap();
    }
  } finally {
    live.close();
    socket?.close();
  }
}
