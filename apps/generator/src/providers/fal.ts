import { ApiError, createFalClient, type FalClient, type QueueStatus } from "@fal-ai/client";
import { type CatalogEntry, type FalOptions, falOptionsSchema, type JobKind, type ParamsOf } from "@sorami/contracts";
import { checkCapabilities, errorForStatus, filesFrom, mappingParams } from "./hosted";
import { buildInput, fileRefsAt, valuesAt } from "./mapping";
import { type DownloadPolicy, hostOf } from "./outputs";
import { changesOnly, lastLogLine, percentFromLogs } from "./progress";
import { createRateGate, type RateGate } from "./rate-gate";
import { type PollSchedule, pollUntil, RemoteWorkFailed } from "./remote";
import { DEFAULT_RETRY, excerpt, type RetryPolicy, withRetries } from "./retry";
import {
  type AsyncProvider,
  type AsyncProviderContext,
  type ProviderContext,
  ProviderError,
  type RemoteHandle,
  RemoteLostError,
} from "./types";

/**
 * fal's queue API through the official @fal-ai/client: submit → request_id
 * (stored by the pipeline before waiting), status IN_QUEUE (queue_position)
 * / IN_PROGRESS (logs) / COMPLETED, then the result, whose file URLs are
 * fetched at once. The client builds https://queue.fal.run/… URLs itself;
 * FAL_BASE_URL (a proxy, the test stand-in) is honoured by rewriting them
 * in its request middleware. Status and result use the app without its path
 * (fal-ai/flux for fal-ai/flux/schnell), as fal's API reference says.
 */
export const FAL_QUEUE_URL = "https://queue.fal.run";

/** fal's own examples poll every 0.5 s; a FLUX image takes 1-10 s, a video minutes. */
export const FAL_POLL: PollSchedule = { initialMs: 500, factor: 1.5, maxMs: 5000, maxConsecutiveErrors: 10 };

export type FalConfig = { key: string; baseUrl?: string };

export type FalClientWithGate = { client: FalClient; gate: RateGate; baseUrl: string };

export function createFal(config: FalConfig): FalClientWithGate {
  const baseUrl = (config.baseUrl ?? FAL_QUEUE_URL).replace(/\/+$/, "");
  const gate = createRateGate();
  const client = createFalClient({
    credentials: config.key,
    fetch: gate.fetch,
    requestMiddleware: async (request) =>
      request.url.startsWith(FAL_QUEUE_URL)
        ? { ...request, url: baseUrl + request.url.slice(FAL_QUEUE_URL.length) }
        : request,
  });
  return { client, gate, baseUrl };
}

const FAL_VENDOR = { name: "fal", keyVariable: "FAL_KEY" };

type FalDetail = { loc?: unknown[]; msg?: string; type?: string };

/** fal's error body: `{detail: "…"}` or FastAPI's `{detail: [{loc, msg, type}]}`. */
function details(body: unknown): FalDetail[] {
  const detail = (body as { detail?: unknown } | undefined)?.detail;
  if (typeof detail === "string") {
    return [{ msg: detail }];
  }
  return Array.isArray(detail) ? (detail as FalDetail[]) : [];
}

function said(error: ApiError<unknown>): string {
  const parts = details(error.body).map((d) => {
    const field = Array.isArray(d.loc) ? d.loc.filter((l) => l !== "body").join(".") : "";
    return field ? `${field}: ${d.msg ?? ""}` : (d.msg ?? "");
  });
  return excerpt(parts.filter(Boolean).join("; ") || error.message);
}

/** Turns what @fal-ai/client throws into the pipeline's terms, with fal's own words. */
export function falError(error: unknown, gate?: RateGate): ProviderError {
  if (error instanceof ProviderError) {
    return error;
  }
  if (error instanceof ApiError) {
    const status = error.status;
    const message = said(error);
    if (details(error.body).some((d) => d.type === "content_policy_violation")) {
      return new ProviderError("content_blocked", `fal's content checker refused the request: ${message}`);
    }
    return errorForStatus(FAL_VENDOR, status, message, gate?.retryAfterMs() || undefined);
  }
  const text = error instanceof Error ? error.message : String(error);
  return new ProviderError("transient", `fal could not be reached: ${excerpt(text)}`);
}

/** What fal's status says, in Sorami's progress terms (nothing invented: no percent without a log that has one). */
function progressOf(status: QueueStatus) {
  if (status.status === "IN_QUEUE") {
    const position = status.queue_position;
    return {
      providerStatus: status.status,
      queuePosition: position,
      message: position === undefined ? "In queue" : `In queue — position ${position}`,
    };
  }
  const lines = ("logs" in status && Array.isArray(status.logs) ? status.logs : []).map((l) => l.message);
  const percent = percentFromLogs(lines);
  return {
    providerStatus: status.status,
    ...(percent === undefined ? {} : { percent }),
    ...(lastLogLine(lines) ? { message: lastLogLine(lines) } : {}),
  };
}

export class FalProvider<K extends JobKind> implements AsyncProvider<K> {
  readonly name = "fal";
  private readonly options: FalOptions;
  private readonly app: string;
  private readonly policy: DownloadPolicy;

  constructor(
    private readonly fal: FalClientWithGate,
    private readonly entry: CatalogEntry,
    private readonly poll: PollSchedule = FAL_POLL,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.options = falOptionsSchema.parse(entry.options);
    this.app = this.options.app ?? entry.id;
    this.policy = { allowHosts: [hostOf(fal.baseUrl)], vendor: "fal" };
  }

  private classify = (error: unknown) => falError(error, this.fal.gate);

  async submit(params: ParamsOf<K>, ctx: ProviderContext): Promise<RemoteHandle> {
    checkCapabilities(this.entry, params, ctx.inputImage);
    const input = buildInput(this.options.input, this.options.fixed, mappingParams(params), ctx.inputImage);
    const queued = await withRetries(
      () => this.fal.client.queue.submit(this.app, { input, abortSignal: ctx.signal }),
      this.classify,
      ctx.signal,
      this.retry,
    );
    return { id: queued.request_id, state: { app: this.app } };
  }

  async wait(handle: RemoteHandle, params: ParamsOf<K>, ctx: AsyncProviderContext) {
    const app = typeof handle.state?.app === "string" ? handle.state.app : this.app;
    const requestId = handle.id;
    const report = changesOnly(ctx.onProgress);
    const { polls } = await pollUntil(
      async () => {
        const status = await this.fal.client.queue.status(app, { requestId, logs: true, abortSignal: ctx.signal });
        report(progressOf(status));
        return status.status === "COMPLETED" ? status : undefined;
      },
      (error) => {
        if (error instanceof ApiError && error.status === 404) {
          return new RemoteLostError(`fal no longer knows request ${requestId}`);
        }
        return this.classify(error);
      },
      this.poll,
      ctx.signal,
    );
    const result = await withRetries(
      () => this.fal.client.queue.result(app, { requestId, abortSignal: ctx.signal }),
      (error) => {
        const classified = this.classify(error);
        // The status said COMPLETED, so an error answer is how the request ended (fal charges no failed
        // run): the same handle would only give it again, a new submission may not.
        return error instanceof ApiError && error.status !== 429
          ? new RemoteWorkFailed(classified.kind, classified.message)
          : classified;
      },
      ctx.signal,
      this.retry,
    );
    const data: unknown = result.data;
    const blocked = this.options.blocked ? valuesAt(data, this.options.blocked) : [];
    let refs = fileRefsAt(data, this.options.output);
    if (blocked.length === refs.length && blocked.length > 0) {
      // has_nsfw_concepts[i] flags images[i], which fal blacks out: keep only the clean ones.
      refs = refs.filter((_, i) => blocked[i] !== true);
      if (refs.length === 0) {
        throw new RemoteWorkFailed("content_blocked", "fal's safety checker flagged every image of this request");
      }
    }
    const files = await filesFrom(this.entry, refs, params, this.policy, ctx.signal);
    return {
      files,
      metadata: {
        provider: this.name,
        model_name: this.entry.id,
        request_id: requestId,
        polls,
        ...(blocked.some((b) => b === true) ? { blocked_outputs: blocked.filter((b) => b === true).length } : {}),
      },
    };
  }

  async cancel(handle: RemoteHandle): Promise<void> {
    const app = typeof handle.state?.app === "string" ? handle.state.app : this.app;
    try {
      await this.fal.client.queue.cancel(app, { requestId: handle.id });
    } catch (error) {
      // 400 ALREADY_COMPLETED and 404 NOT_FOUND: nothing left to stop.
      if (error instanceof ApiError && (error.status === 400 || error.status === 404)) {
        return;
      }
      throw this.classify(error);
    }
  }
}
