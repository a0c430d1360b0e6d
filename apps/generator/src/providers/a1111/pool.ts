import path from "node:path";
import { type EngineInstance, instanceNamed } from "../engines/instances";
import { excerpt } from "../retry";
import { ProviderError } from "../types";
import { A1111Client, type RenderAnswer, type SdModel } from "./client";

/** How long an instance's checkpoint list is trusted before it is asked again (operators add checkpoints rarely). */
export const SD_MODELS_CACHE_MS = 60_000;
/** A finished render nobody collected (the pipeline died between submit and wait) is dropped after this. */
export const UNCLAIMED_RESULT_MS = 10 * 60_000;

/**
 * One render of one job. A1111 answers a render only to the request that
 * asked for it, so the request lives in this process: `submit` starts it and
 * returns, `wait` awaits it. Requests to one instance go one at a time (A1111
 * runs one anyway), so the progress it reports is the running job's and the
 * others can be told their place in line.
 */
export type Run = {
  taskId: string;
  instance: EngineInstance;
  client: A1111Client;
  state: "waiting" | "running" | "done";
  /** Set once cancel or an abort stopped it (A1111 is interrupted once; both wait for it). */
  stopping?: Promise<void>;
  result: Promise<RenderAnswer>;
  abort: (reason?: unknown) => void;
  /** 1 for the next to run on its instance. */
  position: () => number;
  /** A wait collected it: no need to drop it later. */
  claim: () => void;
};

/** A first-come, first-served line for one instance. */
class Lane {
  running = false;
  readonly waiting: { run: string; go: () => void }[] = [];

  load(): number {
    return this.waiting.length + (this.running ? 1 : 0);
  }

  enter(run: string, signal: AbortSignal): Promise<void> {
    if (!this.running) {
      this.running = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const entry = { run, go: resolve };
      this.waiting.push(entry);
      signal.addEventListener(
        "abort",
        () => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) {
            this.waiting.splice(i, 1);
            reject(signal.reason);
          }
        },
        { once: true },
      );
    });
  }

  leave(): void {
    const next = this.waiting.shift();
    if (next) {
      next.go();
    } else {
      this.running = false;
    }
  }
}

const matches = (m: SdModel, checkpoint: string) =>
  [m.title, m.model_name, m.hash, m.sha256, path.basename(m.filename.replaceAll("\\", "/"))].includes(checkpoint) ||
  m.title.replace(/ \[[0-9a-f]+\]$/, "") === checkpoint;

/**
 * The A1111/Forge instances of A1111_URLS, shared by every A1111 model: each
 * render goes to a healthy instance that has the model's checkpoint, the one
 * with the fewest renders in line (this process's, plus one when the server
 * is busy with someone else's); ties rotate.
 */
export class A1111Pool {
  private readonly clients = new Map<string, A1111Client>();
  private readonly lanes = new Map<string, Lane>();
  private readonly models = new Map<string, { at: number; list: SdModel[] }>();
  readonly runs = new Map<string, Run>();
  private turn = 0;

  constructor(
    readonly instances: readonly EngineInstance[],
    authHint = "A1111_API_AUTH or the user:password in A1111_URLS",
  ) {
    if (instances.length === 0) {
      throw new Error("A1111Pool needs at least one instance");
    }
    for (const instance of instances) {
      this.clients.set(instance.name, new A1111Client(instance, authHint));
      this.lanes.set(instance.name, new Lane());
    }
  }

  client(name: string | undefined): A1111Client | undefined {
    const instance = instanceNamed(this.instances, name);
    return instance ? this.clients.get(instance.name) : undefined;
  }

  /** An instance's checkpoints, cached for SD_MODELS_CACHE_MS. */
  async checkpoints(client: A1111Client, signal?: AbortSignal): Promise<SdModel[]> {
    const cached = this.models.get(client.instance.name);
    if (cached && Date.now() - cached.at < SD_MODELS_CACHE_MS) {
      return cached.list;
    }
    const list = await client.sdModels(signal);
    this.models.set(client.instance.name, { at: Date.now(), list });
    return list;
  }

  /** The least busy healthy instance that has `checkpoint`, and the checkpoint's title there. */
  async pick(checkpoint: string, signal: AbortSignal): Promise<{ client: A1111Client; title: string }> {
    const problems: string[] = [];
    const candidates: { client: A1111Client; title: string; load: number }[] = [];
    await Promise.all(
      this.instances.map(async (instance) => {
        const client = this.clients.get(instance.name) as A1111Client;
        try {
          const [progress, models] = await Promise.all([client.progress(signal), this.checkpoints(client, signal)]);
          const model = models.find((m) => matches(m, checkpoint));
          if (!model) {
            problems.push(`${instance.name} has no checkpoint "${checkpoint}"`);
            return;
          }
          const lane = this.lanes.get(instance.name) as Lane;
          const busyElsewhere = lane.load() === 0 && progress.state.job_count > 0 ? 1 : 0;
          candidates.push({ client, title: model.title, load: lane.load() + busyElsewhere });
        } catch (error) {
          if (signal.aborted || (error instanceof ProviderError && error.kind === "invalid_request")) {
            throw error;
          }
          problems.push(`${instance.name}: ${excerpt((error as Error).message, 160)}`);
        }
      }),
    );
    if (candidates.length === 0) {
      const missing = problems.every((p) => p.includes("has no checkpoint"));
      throw new ProviderError(
        missing ? "invalid_request" : "transient",
        `No A1111 instance can render this model (${problems.join("; ")})`,
      );
    }
    // Stable order, so "ties rotate" means the same thing on every call.
    candidates.sort((a, b) => this.instances.indexOf(a.client.instance) - this.instances.indexOf(b.client.instance));
    const least = Math.min(...candidates.map((c) => c.load));
    const tied = candidates.filter((c) => c.load === least);
    const chosen = tied[this.turn++ % tied.length] as (typeof tied)[number];
    return { client: chosen.client, title: chosen.title };
  }

  /** Starts a render in this process: it waits its turn on the instance, then holds the request open. */
  start(
    client: A1111Client,
    taskId: string,
    mode: "txt2img" | "img2img",
    body: Record<string, unknown>,
    signal: AbortSignal,
  ): Run {
    const lane = this.lanes.get(client.instance.name) as Lane;
    const controller = new AbortController();
    const linked = AbortSignal.any([signal, controller.signal]);
    let claimed = false;
    const render = async (self: Run): Promise<RenderAnswer> => {
      try {
        await lane.enter(taskId, linked);
        self.state = "running";
        try {
          return await client.render(mode, { ...body, force_task_id: taskId }, linked);
        } finally {
          lane.leave();
        }
      } finally {
        self.state = "done";
        setTimeout(() => {
          if (!claimed && this.runs.get(taskId) === self) {
            this.runs.delete(taskId);
          }
        }, UNCLAIMED_RESULT_MS).unref();
      }
    };
    const run: Run = {
      taskId,
      instance: client.instance,
      client,
      state: "waiting",
      result: Promise.resolve({ images: [], info: {} }),
      abort: (reason) => controller.abort(reason),
      position: () => (run.state === "waiting" ? lane.waiting.findIndex((w) => w.run === taskId) + 1 : 0),
      claim: () => {
        claimed = true;
      },
    };
    run.result = render(run);
    // Rejections are read by `wait`; this keeps one nobody waits for from crashing the process.
    run.result.catch(() => {});
    this.runs.set(taskId, run);
    return run;
  }
}
