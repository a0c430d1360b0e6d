import {
  type BflOptions,
  bflOptionsSchema,
  type CatalogEntry,
  type JobKind,
  parseRetryAfterSeconds,
} from "@sorami/contracts";
import { checkCapabilities, errorForStatus, filesFrom, mappingParams } from "./hosted";
import { buildInput } from "./mapping";
import { type DownloadPolicy, hostOf } from "./outputs";
import { changesOnly } from "./progress";
import { type PollSchedule, pollUntil, RemoteWorkFailed } from "./remote";
import { DEFAULT_RETRY, excerpt, type RetryPolicy, withRetries } from "./retry";
import {
  type AsyncProvider,
  type AsyncProviderContext,
  type ParamsOf,
  type ProviderContext,
  ProviderError,
  type RemoteHandle,
  RemoteLostError,
} from "./types";

/**
 * Black Forest Labs' own API (docs.bfl.ai; there is no official JS client):
 * `POST {BFL_BASE_URL}/v1/{endpoint}` with `x-key` → `{id, polling_url}`
 * (stored by the pipeline before waiting); `GET polling_url` until `Ready`
 * (`result.sample`, a URL that expires in about 10 minutes, fetched at
 * once), `Error`, or `Request Moderated` / `Content Moderated` (blocked
 * content). BFL has no cancel endpoint: a canceled job's request runs out on
 * its own (it costs the same either way).
 */
export const BFL_API_URL = "https://api.bfl.ai";

/** BFL's examples poll every 0.5 s; FLUX1.1 [pro] takes a few seconds. */
export const BFL_POLL: PollSchedule = { initialMs: 500, factor: 1.5, maxMs: 3000, maxConsecutiveErrors: 10 };
/** One call to BFL (a submit or a poll) may take this long. */
export const BFL_REQUEST_TIMEOUT_MS = 30_000;

export type BflConfig = { key: string; baseUrl?: string };

const BFL_VENDOR = { name: "BFL", keyVariable: "BFL_API_KEY" };

/** Of a BFL answer that says nothing readable, this much of its JSON is quoted (UTF-16 units). */
const BFL_BODY_QUOTED_LENGTH = 200;

/** A non-2xx answer from BFL, kept for classification. */
class BflHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly retryAfterMs?: number,
  ) {
    super(`HTTP ${status}`);
    this.name = "BflHttpError";
  }
}

function detailOf(body: unknown): string {
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (typeof detail === "string") {
    return detail;
  }
  if (Array.isArray(detail)) {
    return detail
      .map((d: { loc?: unknown[]; msg?: string }) => {
        const field = Array.isArray(d.loc) ? d.loc.filter((l) => l !== "body").join(".") : "";
        return field ? `${field}: ${d.msg ?? ""}` : (d.msg ?? "");
      })
      .join("; ");
  }
  return excerpt(JSON.stringify(body ?? ""), BFL_BODY_QUOTED_LENGTH);
}

/** Turns a failed BFL call into the pipeline's terms, with BFL's own words. */
export function bflError(error: unknown): ProviderError {
  if (error instanceof ProviderError) {
    return error;
  }
  if (error instanceof BflHttpError) {
    const { status } = error;
    const said = excerpt(detailOf(error.body));
    return errorForStatus(BFL_VENDOR, status, said, error.retryAfterMs);
  }
  if (error instanceof Error && error.name === "TimeoutError") {
    return new ProviderError("timeout", "BFL did not answer in time");
  }
  const text = error instanceof Error ? error.message : String(error);
  return new ProviderError("transient", `BFL could not be reached: ${excerpt(text)}`);
}

/**
 * The URL to poll: the polling_url BFL gave when it is on the configured
 * host or a sibling of it (api.bfl.ai hands out api.us1.bfl.ai), otherwise
 * `{base}/v1/get_result?id=` — the key is never sent to any other host.
 */
export function pollingUrl(handle: RemoteHandle, baseUrl: string): string {
  const base = new URL(baseUrl);
  const fallback = `${baseUrl}/v1/get_result?id=${encodeURIComponent(handle.id)}`;
  const given = handle.state?.polling_url;
  if (typeof given !== "string") {
    return fallback;
  }
  try {
    const url = new URL(given);
    const labels = base.hostname.split(".");
    const parent = labels.length > 2 ? labels.slice(1).join(".") : base.hostname;
    const sameSite = url.hostname === base.hostname || url.hostname.endsWith(`.${parent}`);
    return url.protocol === base.protocol && sameSite && (url.hostname !== base.hostname || url.port === base.port)
      ? url.href
      : fallback;
  } catch {
    return fallback;
  }
}

type BflResult = {
  id?: string;
  status?: string;
  result?: { sample?: unknown; seed?: unknown } | null;
  progress?: unknown;
  details?: unknown;
};

export class BflProvider<K extends JobKind> implements AsyncProvider<K> {
  readonly name = "bfl";
  private readonly options: BflOptions;
  private readonly baseUrl: string;
  private readonly policy: DownloadPolicy;

  constructor(
    private readonly config: BflConfig,
    private readonly entry: CatalogEntry,
    private readonly poll: PollSchedule = BFL_POLL,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.options = bflOptionsSchema.parse(entry.options);
    this.baseUrl = (config.baseUrl ?? BFL_API_URL).replace(/\/+$/, "");
    this.policy = { allowHosts: [hostOf(this.baseUrl)], vendor: "BFL" };
  }

  private async call(url: string, signal: AbortSignal, body?: unknown): Promise<unknown> {
    const response = await fetch(url, {
      method: body === undefined ? "GET" : "POST",
      headers: { "x-key": this.config.key, accept: "application/json", "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.any([signal, AbortSignal.timeout(BFL_REQUEST_TIMEOUT_MS)]),
    });
    const text = await response.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {}
    if (!response.ok) {
      const retryAfter = parseRetryAfterSeconds(response.headers.get("retry-after"));
      throw new BflHttpError(response.status, json, retryAfter === null ? undefined : Math.round(retryAfter * 1000));
    }
    return json;
  }

  async submit(params: ParamsOf<K>, ctx: ProviderContext): Promise<RemoteHandle> {
    checkCapabilities(this.entry, params, ctx.inputImage);
    const endpoint = this.options.endpoint ?? this.entry.id.replace(/^bfl:/, "");
    const input = buildInput(this.options.input, this.options.fixed, mappingParams(params), ctx.inputImage);
    const answer = (await withRetries(
      () => this.call(`${this.baseUrl}/v1/${endpoint}`, ctx.signal, input),
      bflError,
      ctx.signal,
      this.retry,
    )) as { id?: unknown; polling_url?: unknown };
    if (typeof answer.id !== "string") {
      throw new ProviderError("transient", "BFL accepted the request without giving its id");
    }
    return {
      id: answer.id,
      state: typeof answer.polling_url === "string" ? { polling_url: answer.polling_url } : {},
    };
  }

  async wait(handle: RemoteHandle, params: ParamsOf<K>, ctx: AsyncProviderContext) {
    const url = pollingUrl(handle, this.baseUrl);
    const report = changesOnly(ctx.onProgress);
    const { value, polls } = await pollUntil(
      async () => {
        const r = (await this.call(url, ctx.signal)) as BflResult;
        const status = String(r.status ?? "");
        const fraction = typeof r.progress === "number" ? r.progress : undefined;
        report({
          providerStatus: status,
          ...(fraction === undefined ? {} : { percent: Math.round(fraction <= 1 ? fraction * 100 : fraction) }),
        });
        return status === "Pending" || status === "" ? undefined : r;
      },
      bflError,
      this.poll,
      ctx.signal,
    );
    const status = String(value.status);
    const said = value.details ? `: ${excerpt(JSON.stringify(value.details))}` : "";
    if (status === "Task not found") {
      throw new RemoteLostError(`BFL no longer knows request ${handle.id}`);
    }
    if (status === "Request Moderated") {
      throw new RemoteWorkFailed("content_blocked", `BFL's moderation refused the prompt${said}`);
    }
    if (status === "Content Moderated") {
      throw new RemoteWorkFailed("content_blocked", `BFL's moderation withheld the generated image${said}`);
    }
    if (status !== "Ready") {
      throw new RemoteWorkFailed("transient", `BFL could not make the image (${status})${said}`);
    }
    const sample = value.result?.sample;
    const files = await filesFrom(
      this.entry,
      typeof sample === "string" ? [sample] : [],
      params,
      this.policy,
      ctx.signal,
    );
    return { files, metadata: { provider: this.name, model_name: this.entry.id, request_id: handle.id, polls } };
  }

  /** BFL has no cancel endpoint: nothing to call. */
  async cancel(_handle: RemoteHandle): Promise<void> {}
}
