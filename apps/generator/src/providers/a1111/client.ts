import { z } from "zod";
import { type EngineInstance, engineFetch, HEALTH_TIMEOUT_MS, readJson } from "../engines/instances";
import { excerpt } from "../retry";
import { ProviderError } from "../types";

/**
 * Automatic1111 / Forge's JSON API (modules/api/api.py, models.py), one
 * instance. `txt2img` / `img2img` answer only when the images are made, with
 * the images inline (base64); everything else is small and quick.
 */

const ENGINE = "A1111";

/** A whole render (model load included) may take this long before Sorami gives up on the request. */
export const A1111_RENDER_TIMEOUT_MS = 30 * 60_000;
/** Largest txt2img/img2img answer read: up to 4 base64 images of 1536² PNG plus the grid. */
export const A1111_ANSWER_MAX_BYTES = 256 * 1024 * 1024;

export const sdModelSchema = z.looseObject({
  title: z.string(),
  model_name: z.string(),
  hash: z.string().nullish(),
  sha256: z.string().nullish(),
  filename: z.string().default(""),
});
export type SdModel = z.infer<typeof sdModelSchema>;

const progressSchema = z.looseObject({
  progress: z.number().default(0),
  eta_relative: z.number().default(0),
  state: z
    .looseObject({
      job: z.string().default(""),
      job_count: z.number().default(0),
      job_no: z.number().default(0),
      sampling_step: z.number().default(0),
      sampling_steps: z.number().default(0),
      interrupted: z.boolean().default(false),
    })
    .default({ job: "", job_count: 0, job_no: 0, sampling_step: 0, sampling_steps: 0, interrupted: false }),
  current_image: z.string().nullish(),
  textinfo: z.string().nullish(),
});
export type A1111Progress = z.infer<typeof progressSchema>;

const internalProgressSchema = z.looseObject({ active: z.boolean(), queued: z.boolean(), completed: z.boolean() });

const renderSchema = z.looseObject({ images: z.array(z.string()).nullish(), info: z.string().default("{}") });
export type RenderAnswer = { images: string[]; info: Record<string, unknown> };

/** What A1111 said when it refused or failed: FastAPI's `detail` (a string, or 422's list) or api.py's `errors`. */
function said(body: unknown): string {
  const b = body as { detail?: unknown; errors?: unknown; error?: unknown } | null;
  if (Array.isArray(b?.detail)) {
    return b.detail
      .map((d: { loc?: unknown[]; msg?: string }) => `${(d.loc ?? []).join(".")}: ${d.msg ?? ""}`)
      .join("; ");
  }
  const text = [b?.error, b?.detail, b?.errors].filter((x) => typeof x === "string" && x).join(": ");
  return text || JSON.stringify(body ?? "");
}

export class A1111Client {
  constructor(
    readonly instance: EngineInstance,
    private readonly authHint: string,
  ) {}

  private refuseAuth(status: number): never {
    throw new ProviderError(
      "invalid_request",
      `A1111 at ${this.instance.name} refused Sorami's credentials (HTTP ${status}); the operator should check ${this.authHint}`,
    );
  }

  private async get<T>(path: string, schema: z.ZodType<T>, signal?: AbortSignal, timeoutMs?: number): Promise<T> {
    const response = await engineFetch(ENGINE, this.instance, path, { signal, timeoutMs });
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      this.refuseAuth(response.status);
    }
    if (response.status === 404) {
      await response.body?.cancel();
      throw new ProviderError(
        "invalid_request",
        `A1111 at ${this.instance.name} has no API (HTTP 404 on ${path.split("?")[0]}); the operator should start it with --api`,
      );
    }
    const body = await readJson(ENGINE, this.instance, response);
    const parsed = schema.safeParse(body);
    if (!response.ok || !parsed.success) {
      throw new ProviderError(
        "transient",
        `A1111 at ${this.instance.name} answered ${path} with HTTP ${response.status}`,
      );
    }
    return parsed.data;
  }

  /** Health and load in one call: `/sdapi/v1/progress` without the preview image. */
  progress(signal?: AbortSignal, withImage = false, timeoutMs = HEALTH_TIMEOUT_MS): Promise<A1111Progress> {
    return this.get(
      `/sdapi/v1/progress?skip_current_image=${withImage ? "false" : "true"}`,
      progressSchema,
      signal,
      timeoutMs,
    );
  }

  sdModels(signal?: AbortSignal): Promise<SdModel[]> {
    return this.get("/sdapi/v1/sd-models", z.array(sdModelSchema), signal);
  }

  /**
   * Where A1111 is with a forced task id (`POST /internal/progress`, mounted
   * with the web UI; null when this server does not have it).
   */
  async task(taskId: string, signal?: AbortSignal): Promise<{ active: boolean; queued: boolean } | null> {
    const response = await engineFetch(ENGINE, this.instance, "/internal/progress", {
      json: { id_task: taskId, id_live_preview: -1, live_preview: false },
      signal,
      timeoutMs: HEALTH_TIMEOUT_MS,
    });
    if (!response.ok) {
      await response.body?.cancel();
      return null;
    }
    const parsed = internalProgressSchema.safeParse(await readJson(ENGINE, this.instance, response));
    return parsed.success ? parsed.data : null;
  }

  /** Stops whatever A1111 is rendering: it has no per-task interrupt, so callers check the task is theirs first. */
  async interrupt(signal?: AbortSignal): Promise<void> {
    const response = await engineFetch(ENGINE, this.instance, "/sdapi/v1/interrupt", { json: {}, signal });
    await response.body?.cancel();
    if (response.status === 401 || response.status === 403) {
      this.refuseAuth(response.status);
    }
  }

  /** One render; resolves when A1111 has made the images (it holds the request open meanwhile). */
  async render(mode: "txt2img" | "img2img", body: Record<string, unknown>, signal: AbortSignal): Promise<RenderAnswer> {
    const response = await engineFetch(ENGINE, this.instance, `/sdapi/v1/${mode}`, {
      json: body,
      signal,
      timeoutMs: A1111_RENDER_TIMEOUT_MS,
    });
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      this.refuseAuth(response.status);
    }
    const declared = Number(response.headers.get("content-length") ?? 0);
    if (declared > A1111_ANSWER_MAX_BYTES) {
      await response.body?.cancel();
      throw new ProviderError("no_output", `A1111's answer is ${declared} bytes, more than Sorami accepts`);
    }
    const answer = await readJson(ENGINE, this.instance, response);
    if (response.status >= 500) {
      const message = excerpt(said(answer));
      const oom = /OutOfMemory|out of memory/i.test(message);
      // Out of memory depends on what else the GPU holds; any other exception is the request's or the setup's.
      throw new ProviderError(
        oom ? "transient" : "invalid_request",
        `A1111 at ${this.instance.name} failed: ${message}`,
      );
    }
    if (!response.ok) {
      throw new ProviderError(
        "invalid_request",
        `A1111 at ${this.instance.name} refused the request (HTTP ${response.status}): ${excerpt(said(answer))}`,
      );
    }
    const parsed = renderSchema.safeParse(answer);
    if (!parsed.success) {
      throw new ProviderError("transient", `A1111 at ${this.instance.name} answered ${mode} in an unexpected shape`);
    }
    let info: Record<string, unknown> = {};
    try {
      info = JSON.parse(parsed.data.info);
    } catch {}
    return { images: parsed.data.images ?? [], info };
  }
}
