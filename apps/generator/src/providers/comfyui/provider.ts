import { createHash, randomUUID } from "node:crypto";
import {
  type CatalogEntry,
  IMAGE_TYPE_EXT,
  type ImageParams,
  type JobKind,
  sniffImageType,
  type VideoParams,
} from "@sorami/contracts";
import { knobsOf, randomSeed } from "../engines/params";
import { checkCapabilities } from "../hosted";
import { DEFAULT_RETRY, type RetryPolicy, withRetries } from "../retry";
import {
  type AsyncProvider,
  type AsyncProviderContext,
  type ParamsOf,
  type ProviderContext,
  ProviderError,
  type RemoteHandle,
  RemoteLostError,
} from "../types";
import type { ComfyClient, HistoryEntry } from "./client";
import type { ComfyTemplate } from "./loader";
import { failureOf, imageFiles, outputRefs, videoFiles } from "./outputs";
import type { ComfyPool, HealthyInstance } from "./pool";
import { fillImageWorkflow, fillVideoWorkflow } from "./template";
import { COMFY_TIMINGS, type ComfyTimings, watchPrompt } from "./watch";

/** Input images go into this subfolder of ComfyUI's input folder, one file per job (overwritten on a re-run). */
export const UPLOAD_SUBFOLDER = "sorami";

/**
 * The prompt_id of a job's work: derived from the job id, so a run that
 * starts again after a crash between ComfyUI queuing the prompt and Sorami
 * storing the handle finds it (current ComfyUI takes a caller's prompt_id;
 * an older one answers with its own, which is then the handle).
 */
export function promptIdFor(jobId: string): string {
  const h = createHash("sha256").update(`sorami-comfyui:${jobId}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The value a graph (a queue item's or a history entry's) gave the seed input, when the workflow maps one. */
function seedIn(template: ComfyTemplate, graph: unknown): number | undefined {
  const target = template.inputs.seed?.[0];
  const value = target
    ? (graph as Record<string, { inputs?: Record<string, unknown> }> | undefined)?.[target.node]?.inputs?.[target.input]
    : undefined;
  return typeof value === "number" ? value : undefined;
}

/**
 * One ComfyUI workflow as a model. `submit` queues the filled workflow on
 * the least busy healthy instance and returns its prompt_id (the pipeline
 * stores it before waiting); `wait` follows it (websocket + polling),
 * reports progress and live previews, and downloads the outputs at once;
 * `cancel` deletes a queued prompt or interrupts a running one.
 */
export class ComfyUIProvider<K extends JobKind> implements AsyncProvider<K> {
  readonly name = "comfyui";
  readonly model: string;

  constructor(
    readonly entry: Extract<CatalogEntry, { kind: K }>,
    private readonly template: ComfyTemplate,
    private readonly pool: ComfyPool,
    private readonly timings: ComfyTimings = COMFY_TIMINGS,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.model = entry.id;
  }

  async submit(params: ParamsOf<K>, ctx: ProviderContext): Promise<RemoteHandle> {
    checkCapabilities(this.entry, params, ctx.inputImage);
    const promptId = promptIdFor(ctx.jobId);
    const healthy = await this.pool.healthy(ctx.signal);
    const adopted = await this.adopt(healthy, promptId, ctx.signal);
    if (adopted) {
      return adopted;
    }
    const { chosen, release } = this.pool.reserve(healthy);
    try {
      const { client } = chosen;
      const inputImageName = await this.uploadInput(client, ctx);
      const seed = knobsOf(params).seed ?? randomSeed();
      const job = { seed, ...(inputImageName ? { inputImageName } : {}) };
      const entry: CatalogEntry = this.entry;
      const filled =
        entry.kind === "image"
          ? fillImageWorkflow(this.template, entry.capabilities, params as ImageParams, job)
          : fillVideoWorkflow(this.template, entry.capabilities, params as VideoParams, job);
      const clientId = `sorami-${randomUUID()}`;
      const id = await client.postPrompt(
        { prompt: filled.graph, client_id: clientId, prompt_id: promptId, extra_data: { sorami_job_id: ctx.jobId } },
        this.template.workflowFile,
        ctx.signal,
      );
      return {
        id,
        instance: chosen.instance.name,
        state: { client_id: clientId, workflow: this.template.workflowFile, seed },
      };
    } finally {
      release();
    }
  }

  /**
   * A prompt this job already queued (the run before crashed before storing
   * its handle) is taken over instead of queued twice; a failed one is
   * forgotten first, so the new prompt's history is not mistaken for it.
   */
  private async adopt(healthy: HealthyInstance[], promptId: string, signal: AbortSignal): Promise<RemoteHandle | null> {
    for (const { instance, client } of healthy) {
      const queue = await client.queue(signal);
      const queued = [...queue.running, ...queue.pending].find((i) => i.promptId === promptId);
      const entry = queued ? null : await client.history(promptId, signal);
      if (!queued && !entry) {
        continue;
      }
      if (entry && failureOf(entry, this.template.workflowFile)) {
        await client.deleteHistory([promptId], signal);
        continue;
      }
      const item = entry?.prompt ?? [];
      const clientId = queued?.clientId ?? (item[3] as { client_id?: string } | undefined)?.client_id;
      const seed = seedIn(this.template, entry ? item[2] : undefined);
      return {
        id: promptId,
        instance: instance.name,
        state: {
          ...(clientId ? { client_id: clientId } : {}),
          workflow: this.template.workflowFile,
          ...(seed !== undefined ? { seed } : {}),
          adopted: true,
        },
      };
    }
    return null;
  }

  private async uploadInput(client: ComfyClient, ctx: ProviderContext): Promise<string | undefined> {
    if (!this.template.inputs.input_image) {
      return undefined;
    }
    if (!ctx.inputImage) {
      throw new ProviderError("invalid_request", `${this.entry.label} needs an input image`);
    }
    const type = sniffImageType(ctx.inputImage);
    if (!type) {
      throw new ProviderError("invalid_request", "The input image is not a PNG, JPEG or WEBP image");
    }
    const image = ctx.inputImage;
    return withRetries(
      () => client.upload(image, `${ctx.jobId}.${IMAGE_TYPE_EXT[type]}`, UPLOAD_SUBFOLDER, ctx.signal),
      (e) => (e instanceof ProviderError ? e : new ProviderError("transient", String(e))),
      ctx.signal,
      this.retry,
    );
  }

  async wait(handle: RemoteHandle, params: ParamsOf<K>, ctx: AsyncProviderContext) {
    const client = this.clientFor(handle);
    const clientId = typeof handle.state?.client_id === "string" ? handle.state.client_id : undefined;
    const entry: HistoryEntry = await watchPrompt({
      pool: this.pool,
      client,
      promptId: handle.id,
      ...(clientId ? { clientId } : {}),
      classOf: (node) => this.template.graph[node]?.class_type,
      onProgress: ctx.onProgress,
      signal: ctx.signal,
      timings: this.timings,
    });
    const failure = failureOf(entry, this.template.workflowFile);
    if (failure) {
      throw failure;
    }
    const refs = outputRefs(entry, this.template);
    const download = () =>
      this.entry.kind === "image"
        ? imageFiles(client, refs, params as ImageParams, ctx.signal)
        : videoFiles(client, refs, params as VideoParams, ctx.signal);
    const classify = (e: unknown) => (e instanceof ProviderError ? e : new ProviderError("transient", String(e)));
    const files = await withRetries(download, classify, ctx.signal, this.retry);
    return {
      files,
      metadata: {
        provider: this.name,
        model_name: this.model,
        instance: client.instance.name,
        prompt_id: handle.id,
        workflow: this.template.workflowFile,
        ...(typeof handle.state?.seed === "number" ? { seed: handle.state.seed } : {}),
      },
    };
  }

  async cancel(handle: RemoteHandle): Promise<void> {
    const client = this.pool.client(handle.instance);
    if (!client) {
      return;
    }
    const queue = await client.queue();
    if (queue.pending.some((i) => i.promptId === handle.id)) {
      await client.deleteQueued([handle.id]);
    } else if (queue.running.some((i) => i.promptId === handle.id)) {
      // Checked first: a ComfyUI too old to read prompt_id interrupts whatever runs.
      await client.interrupt(handle.id);
    }
  }

  private clientFor(handle: RemoteHandle): ComfyClient {
    const client = this.pool.client(handle.instance);
    if (!client) {
      throw new RemoteLostError(
        `ComfyUI instance ${handle.instance ?? "(none)"} is no longer in COMFYUI_URLS: its prompt cannot be followed`,
      );
    }
    return client;
  }
}
