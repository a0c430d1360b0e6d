import {
  type CatalogEntry,
  type JobKind,
  type ParamsOf,
  type ReplicateOptions,
  replicateOptionsSchema,
} from "@sorami/contracts";
import Replicate, { type Prediction } from "replicate";
import { checkCapabilities, errorForStatus, filesFrom, mappingParams } from "./hosted";
import { buildInput, fileRefsAt } from "./mapping";
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
 * Replicate's predictions API through the official `replicate` client:
 * create (by official model, `POST /v1/models/{owner}/{name}/predictions`,
 * or by version, `POST /v1/predictions`) → prediction id (stored by the
 * pipeline before waiting); get until `succeeded` / `failed` / `canceled`
 * (progress from tqdm bars in `logs`); cancel. The client's own retry of a
 * 429 ignores Retry-After, so its fetch is gated (rate-gate.ts) and
 * Sorami waits what Replicate asks (`retry_after`).
 */
export const REPLICATE_API_URL = "https://api.replicate.com/v1";

/** Replicate's docs suggest polling every second or so; FLUX schnell takes ~1 s, video models minutes. */
export const REPLICATE_POLL: PollSchedule = { initialMs: 1000, factor: 1.5, maxMs: 5000, maxConsecutiveErrors: 10 };

export type ReplicateConfig = { token: string; baseUrl?: string };
export type ReplicateClient = { client: Replicate; gate: RateGate; baseUrl: string };

export function createReplicate(config: ReplicateConfig): ReplicateClient {
  const baseUrl = (config.baseUrl ?? REPLICATE_API_URL).replace(/\/+$/, "");
  const gate = createRateGate();
  const client = new Replicate({ auth: config.token, baseUrl, fetch: gate.fetch, useFileOutput: false });
  return { client, gate, baseUrl };
}

const REPLICATE_VENDOR = { name: "Replicate", keyVariable: "REPLICATE_API_TOKEN" };

type ReplicateApiError = Error & { response: Response };

function isApiError(error: unknown): error is ReplicateApiError {
  return (
    error instanceof Error && error.name === "ApiError" && (error as ReplicateApiError).response instanceof Response
  );
}

/** The client puts Replicate's JSON answer at the end of its message; `detail` (and `title`) are its words. */
function bodyOf(error: ReplicateApiError): { detail?: unknown; title?: unknown; retry_after?: unknown } {
  const text = error.message;
  try {
    return JSON.parse(text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1));
  } catch {
    return {};
  }
}

/** A failed prediction's error that is the model's safety checker speaking. */
const SAFETY = /nsfw|sensitive|flagged|safety|content policy|moderat/i;

/** Turns what the `replicate` client throws into the pipeline's terms, with Replicate's own words. */
export function replicateError(error: unknown, gate?: RateGate): ProviderError {
  if (error instanceof ProviderError) {
    return error;
  }
  if (isApiError(error)) {
    const status = error.response.status;
    const body = bodyOf(error);
    const said = excerpt(String(body.detail ?? body.title ?? error.message));
    const seconds = typeof body.retry_after === "number" ? body.retry_after * 1000 : undefined;
    return errorForStatus(REPLICATE_VENDOR, status, said, gate?.retryAfterMs() || seconds);
  }
  const text = error instanceof Error ? error.message : String(error);
  return new ProviderError("transient", `Replicate could not be reached: ${excerpt(text)}`);
}

function progressOf(prediction: Prediction) {
  const lines = (prediction.logs ?? "").split("\n");
  const percent = percentFromLogs(lines);
  const message = lastLogLine(lines);
  return {
    providerStatus: prediction.status,
    ...(percent === undefined ? {} : { percent }),
    ...(message ? { message } : {}),
  };
}

export class ReplicateProvider<K extends JobKind> implements AsyncProvider<K> {
  readonly name = "replicate";
  private readonly options: ReplicateOptions;
  private readonly policy: DownloadPolicy;

  constructor(
    private readonly replicate: ReplicateClient,
    private readonly entry: CatalogEntry,
    private readonly poll: PollSchedule = REPLICATE_POLL,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.options = replicateOptionsSchema.parse(entry.options);
    this.policy = { allowHosts: [hostOf(replicate.baseUrl)], vendor: "Replicate" };
  }

  private classify = (error: unknown) => replicateError(error, this.replicate.gate);

  /** The official model the entry names (options.model, or its id after `replicate:`), unless it gives a version. */
  private target(): { model: string } | { version: string } {
    if (this.options.version) {
      return { version: this.options.version };
    }
    return { model: this.options.model ?? this.entry.id.replace(/^replicate:/, "") };
  }

  async submit(params: ParamsOf<K>, ctx: ProviderContext): Promise<RemoteHandle> {
    checkCapabilities(this.entry, params, ctx.inputImage);
    const input = buildInput(this.options.input, this.options.fixed, mappingParams(params), ctx.inputImage);
    const prediction = await withRetries(
      () => this.replicate.client.predictions.create({ ...this.target(), input, signal: ctx.signal }),
      this.classify,
      ctx.signal,
      this.retry,
    );
    return { id: prediction.id, state: this.target() };
  }

  async wait(handle: RemoteHandle, params: ParamsOf<K>, ctx: AsyncProviderContext) {
    const report = changesOnly(ctx.onProgress);
    const { value: prediction, polls } = await pollUntil(
      async () => {
        const p = await this.replicate.client.predictions.get(handle.id, { signal: ctx.signal });
        report(progressOf(p));
        return p.status === "starting" || p.status === "processing" ? undefined : p;
      },
      (error) =>
        isApiError(error) && error.response.status === 404
          ? new RemoteLostError(`Replicate no longer knows prediction ${handle.id}`)
          : this.classify(error),
      this.poll,
      ctx.signal,
    );
    if (prediction.status !== "succeeded") {
      const said = excerpt(String(prediction.error ?? "no reason given"));
      if (prediction.status === "failed" && SAFETY.test(said)) {
        throw new RemoteWorkFailed("content_blocked", `The model's safety checker refused this on Replicate: ${said}`);
      }
      throw new RemoteWorkFailed(
        "invalid_request",
        prediction.status === "failed"
          ? `The model failed on Replicate: ${said}`
          : `The prediction was ${prediction.status} at Replicate`,
      );
    }
    const refs = fileRefsAt(prediction, this.options.output);
    const files = await filesFrom(this.entry, refs, params, this.policy, ctx.signal);
    return {
      files,
      metadata: {
        provider: this.name,
        model_name: this.entry.id,
        prediction_id: prediction.id,
        polls,
        ...(prediction.metrics?.predict_time === undefined ? {} : { predict_time: prediction.metrics.predict_time }),
      },
    };
  }

  async cancel(handle: RemoteHandle): Promise<void> {
    try {
      await this.replicate.client.predictions.cancel(handle.id);
    } catch (error) {
      if (isApiError(error) && error.response.status === 404) {
        return;
      }
      throw this.classify(error);
    }
  }
}
