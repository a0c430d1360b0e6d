import { type EngineInstance, instanceNamed } from "../engines/instances";
import { excerpt } from "../retry";
import { ProviderError } from "../types";
import { ComfyClient } from "./client";

export type HealthyInstance = { instance: EngineInstance; client: ComfyClient; queueRemaining: number };

/**
 * The ComfyUI instances of COMFYUI_URLS, shared by every ComfyUI model.
 * Each submission probes them all (`/system_stats` for health, `/prompt` for
 * the queue length), skips the ones that fail, and goes to the shortest
 * queue; ties rotate, so idle GPUs share the work. Submissions this process
 * has picked but not yet queued count as queued, so jobs submitted together
 * spread instead of all seeing the same empty queue.
 */
export class ComfyPool {
  private readonly clients = new Map<string, ComfyClient>();
  private readonly reserved = new Map<string, number>();
  /** Prompts moved away from an instance that went down: removed from its queue when it answers again. */
  private readonly movedAway = new Map<string, Set<string>>();
  private turn = 0;

  constructor(
    readonly instances: readonly EngineInstance[],
    authHint: (instance: EngineInstance) => string = () => "its URL and COMFYUI_AUTH_HEADER_<n>",
  ) {
    if (instances.length === 0) {
      throw new Error("ComfyPool needs at least one instance");
    }
    for (const instance of instances) {
      this.clients.set(instance.name, new ComfyClient(instance, authHint(instance)));
    }
  }

  /** The client of a configured instance, by the name a handle stored; undefined when no longer configured. */
  client(name: string | undefined): ComfyClient | undefined {
    const instance = instanceNamed(this.instances, name);
    return instance ? this.clients.get(instance.name) : undefined;
  }

  /**
   * The instances answering now, with their queue lengths. None → a
   * transient error naming each instance's problem (the job is retried
   * later, when one may be back).
   */
  async healthy(signal?: AbortSignal): Promise<HealthyInstance[]> {
    const probes = await Promise.all(
      this.instances.map(async (instance) => {
        const client = this.clients.get(instance.name) as ComfyClient;
        try {
          const [, queueRemaining] = await Promise.all([client.healthy(signal), client.queueRemaining(signal)]);
          return { instance, client, queueRemaining } satisfies HealthyInstance;
        } catch (error) {
          if (signal?.aborted) {
            throw error;
          }
          if (error instanceof ProviderError && error.kind === "invalid_request") {
            throw error;
          }
          return `${instance.name}: ${excerpt((error as Error).message, 160)}`;
        }
      }),
    );
    const up = probes.filter((p): p is HealthyInstance => typeof p !== "string");
    if (up.length === 0) {
      throw new ProviderError("transient", `No ComfyUI instance is reachable (${probes.join("; ")})`);
    }
    await this.cleanUpMoved(up);
    return up;
  }

  /**
   * Reserves the least loaded of `healthy` for one submission; call
   * `release` once ComfyUI has queued it (or it failed).
   */
  reserve(healthy: HealthyInstance[]): { chosen: HealthyInstance; release: () => void } {
    const load = (h: HealthyInstance) => h.queueRemaining + (this.reserved.get(h.instance.name) ?? 0);
    const least = Math.min(...healthy.map(load));
    const tied = healthy.filter((h) => load(h) === least);
    const chosen = tied[this.turn++ % tied.length] as HealthyInstance;
    const name = chosen.instance.name;
    this.reserved.set(name, (this.reserved.get(name) ?? 0) + 1);
    let released = false;
    return {
      chosen,
      release: () => {
        if (!released) {
          released = true;
          this.reserved.set(name, Math.max(0, (this.reserved.get(name) ?? 1) - 1));
        }
      },
    };
  }

  /** Remembers a prompt moved off a dead instance, to delete it there if the instance comes back with its queue. */
  noteMovedAway(instance: string, promptId: string): void {
    const set = this.movedAway.get(instance) ?? new Set<string>();
    set.add(promptId);
    this.movedAway.set(instance, set);
  }

  /** Best effort: a prompt moved elsewhere must not also run here when this instance returns. */
  private async cleanUpMoved(up: HealthyInstance[]): Promise<void> {
    await Promise.all(
      up.map(async ({ instance, client }) => {
        const ids = this.movedAway.get(instance.name);
        if (!ids || ids.size === 0) {
          return;
        }
        try {
          await client.deleteQueued([...ids]);
          this.movedAway.delete(instance.name);
        } catch {
          // Tried again at the next submission.
        }
      }),
    );
  }
}
