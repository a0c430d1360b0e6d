import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { type ImageCatalogEntry, type ImageParams, sniffImageType } from "@sorami/contracts";
import { knobsOf, knobValue } from "../engines/params";
import { liveReporter, type PreviewThrottle } from "../engines/preview";
import { checkCapabilities } from "../hosted";
import { toImageFiles } from "../outputs";
import { RemoteWorkFailed } from "../remote";
import {
  type AsyncProvider,
  type AsyncProviderContext,
  type ProviderContext,
  ProviderError,
  type ProviderProgress,
  type RemoteHandle,
  RemoteLostError,
} from "../types";
import { type A1111Options, a1111OptionsSchema } from "./catalog";
import type { A1111Pool, Run } from "./pool";

/** Between polls of /sdapi/v1/progress while a render runs: A1111's own UI polls about this often. */
export const A1111_POLL_INTERVAL_MS = 1000;
/** img2img's departure from the input image when the model's options name none (A1111's own default). */
export const A1111_DEFAULT_DENOISING = 0.75;
/** "Crop and resize": the input image covers the requested size, as Sorami's other providers do. */
const RESIZE_MODE_CROP = 1;

/**
 * One A1111/Forge checkpoint as a model. A1111's API is synchronous: a render
 * is one HTTP request answered with the images. It fits AsyncProvider this
 * way: `submit` picks an instance and starts the request in this process,
 * with a Sorami task id sent as `force_task_id` (the handle); `wait` polls
 * `/sdapi/v1/progress` for progress, ETA and the live preview while the
 * request is open, then decodes its images. A handle that outlives its
 * process (the generator restarted) cannot be collected — A1111 gives the
 * images only to the request that asked — so `wait` interrupts the orphan if
 * it is still rendering, and reports RemoteLostError: the job renders once
 * more. For an engine Sorami's operator owns, "never pay twice" means never
 * keeping a GPU busy on work nobody can collect, and never rendering a job
 * twice while its first render can still be collected.
 */
export class A1111Provider implements AsyncProvider<"image"> {
  readonly name = "a1111";
  readonly model: string;
  private readonly options: A1111Options;

  constructor(
    readonly entry: ImageCatalogEntry,
    private readonly pool: A1111Pool,
    private readonly pollMs: number = A1111_POLL_INTERVAL_MS,
  ) {
    this.model = entry.id;
    this.options = a1111OptionsSchema.parse(entry.options);
  }

  async submit(params: ImageParams, ctx: ProviderContext): Promise<RemoteHandle> {
    const image = ctx.inputImage;
    checkCapabilities(this.entry, params, image);
    if (image && !sniffImageType(image)) {
      throw new ProviderError("invalid_request", "The input image is not a PNG, JPEG or WEBP image");
    }
    const { client, title } = await this.pool.pick(this.options.checkpoint, ctx.signal);
    const knobs = knobsOf(params);
    const { capabilities } = this.entry;
    const [width, height] = params.size.split("x").map(Number);
    const body: Record<string, unknown> = {
      prompt: `${params.prompt}, ${params.style.replaceAll("-", " ")} style`,
      negative_prompt: knobs.negative_prompt ?? "",
      seed: knobs.seed ?? -1,
      steps: knobValue(capabilities.steps, knobs.steps) ?? 20,
      cfg_scale: knobValue(capabilities.guidance, knobs.guidance) ?? 7,
      width,
      height,
      batch_size: params.num_images,
      n_iter: 1,
      ...(this.options.sampler_name ? { sampler_name: this.options.sampler_name } : {}),
      ...(this.options.scheduler ? { scheduler: this.options.scheduler } : {}),
      override_settings: { sd_model_checkpoint: title },
      override_settings_restore_afterwards: true,
      send_images: true,
      save_images: false,
    };
    const mode = image ? "img2img" : "txt2img";
    if (image) {
      body.init_images = [image.toString("base64")];
      body.denoising_strength = this.options.denoising_strength ?? A1111_DEFAULT_DENOISING;
      body.resize_mode = RESIZE_MODE_CROP;
    }
    const taskId = `sorami-${ctx.jobId}-${randomBytes(4).toString("hex")}`;
    this.pool.start(client, taskId, mode, body, ctx.signal);
    return { id: taskId, instance: client.instance.name, state: { checkpoint: title, mode } };
  }

  async wait(handle: RemoteHandle, params: ImageParams, ctx: AsyncProviderContext) {
    const run = this.pool.runs.get(handle.id);
    if (!run) {
      await this.stopOrphan(handle);
      throw new RemoteLostError(
        `A1111 task ${handle.id} was started by a generator process that is gone; A1111 returns images only to the request that asked, so it renders again`,
      );
    }
    run.claim();
    const onAbort = () => void this.stop(run);
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    try {
      const answer = await this.follow(run, ctx);
      ctx.signal.throwIfAborted();
      const first = Number(answer.info.index_of_first_image ?? Math.max(0, answer.images.length - params.num_images));
      const images = answer.images.slice(first).slice(0, params.num_images);
      if (images.length === 0) {
        throw new RemoteWorkFailed("no_output", `A1111 at ${run.instance.name} finished without an image`);
      }
      const decoded = images.map((b64) => {
        const bytes = Buffer.from(b64.replace(/^data:image\/\w+;base64,/, ""), "base64");
        const type = sniffImageType(bytes);
        if (!type) {
          throw new RemoteWorkFailed(
            "no_output",
            `A1111 at ${run.instance.name} returned something that is not an image`,
          );
        }
        return { bytes, type };
      });
      const files = await toImageFiles(decoded, params);
      return {
        files,
        metadata: {
          provider: this.name,
          model_name: this.model,
          instance: run.instance.name,
          task_id: run.taskId,
          checkpoint: handle.state?.checkpoint,
          ...(typeof answer.info.seed === "number" ? { seed: answer.info.seed } : {}),
          ...(typeof answer.info.sampler_name === "string" ? { sampler: answer.info.sampler_name } : {}),
        },
      };
    } finally {
      ctx.signal.removeEventListener("abort", onAbort);
      this.pool.runs.delete(handle.id);
    }
  }

  /** Reports the line, then A1111's progress and previews, until the render answers. */
  private async follow(run: Run, ctx: AsyncProviderContext) {
    let settled = false;
    let interrupted = false;
    const live = liveReporter(ctx.onProgress);
    const { report, previews } = live;
    const done = run.result.finally(() => {
      settled = true;
      live.close();
    });
    done.catch(() => {});
    const poll = async () => {
      while (!settled) {
        if (run.state === "waiting") {
          const position = run.position();
          report({
            providerStatus: "queued",
            queuePosition: position,
            message: `Waiting for ${run.instance.name} — position ${position}`,
          });
        } else if (run.state === "running") {
          await this.reportProgress(
            run,
            previews,
            report,
            () => {
              interrupted = true;
            },
            ctx.signal,
          ).catch(() => {});
        }
        await Promise.race([
          sleep(this.pollMs, undefined, { signal: ctx.signal }).catch(() => {}),
          done.catch(() => {}),
        ]);
      }
    };
    const polling = poll();
    try {
      const answer = await run.result;
      if (interrupted && !ctx.signal.aborted) {
        throw new RemoteWorkFailed("transient", `A1111 at ${run.instance.name} was interrupted by someone else`);
      }
      return answer;
    } catch (error) {
      if (ctx.signal.aborted || error instanceof RemoteWorkFailed) {
        throw ctx.signal.aborted ? (ctx.signal.reason ?? error) : error;
      }
      // The request ended: whatever went wrong, this task id is spent.
      const e = error instanceof ProviderError ? error : new ProviderError("transient", String(error));
      throw new RemoteWorkFailed(e.kind, e.message);
    } finally {
      settled = true;
      live.close();
      await polling;
    }
  }

  /**
   * A1111's progress is global: it is this render's only once A1111 works on
   * it. With the web UI mounted, `/internal/progress` says so for the task id;
   * without it, the render holding this instance's line is taken to be the
   * one running (true unless someone else uses the same A1111).
   */
  private async reportProgress(
    run: Run,
    previews: PreviewThrottle,
    report: (p: ProviderProgress) => void,
    onInterrupted: () => void,
    signal: AbortSignal,
  ) {
    const { client } = run;
    const task = await client.task(run.taskId, signal).catch(() => null);
    if (task && !task.active) {
      report({ providerStatus: "queued", message: `Waiting for ${client.instance.name} to finish other work` });
      return;
    }
    const p = await client.progress(signal, previews.wants());
    if (p.state.interrupted) {
      onInterrupted();
    }
    if (p.state.job_count <= 0) {
      report({ providerStatus: "starting", message: `Starting on ${client.instance.name}` });
      return;
    }
    const eta = p.eta_relative > 0 ? ` — about ${Math.ceil(p.eta_relative)} s left` : "";
    report({
      providerStatus: p.state.job || "running",
      percent: Math.max(0, Math.min(100, Math.round(p.progress * 100))),
      message: `Step ${p.state.sampling_step} of ${p.state.sampling_steps}${eta}`,
    });
    if (p.current_image) {
      previews.offer(Buffer.from(p.current_image.replace(/^data:image\/\w+;base64,/, ""), "base64"));
    }
  }

  /** Ends a run of this process: a waiting one never reaches A1111; a running one is interrupted there, once. */
  private stop(run: Run): Promise<void> {
    run.stopping ??= (async () => {
      const wasRunning = run.state === "running";
      run.abort(new ProviderError("timeout", "The A1111 render was stopped"));
      if (wasRunning) {
        await run.client.interrupt().catch(() => {});
      }
    })();
    return run.stopping;
  }

  /** A render no process can collect any more: interrupt it if A1111 says it is the one running. */
  private async stopOrphan(handle: RemoteHandle): Promise<void> {
    const client = this.pool.client(handle.instance);
    const task = await client?.task(handle.id).catch(() => null);
    if (client && task?.active) {
      await client.interrupt().catch(() => {});
    }
  }

  async cancel(handle: RemoteHandle): Promise<void> {
    const run = this.pool.runs.get(handle.id);
    if (run) {
      await this.stop(run);
      return;
    }
    await this.stopOrphan(handle);
  }
}
