import {
  type DocumentsRequest,
  documentsAcceptedSchema,
  errorBodySchema,
  type GeneratorAdminSummary,
  type GeneratorCancel,
  type GeneratorDeliveryPage,
  type GeneratorJobStory,
  type GeneratorJobView,
  type GeneratorRedeliverJob,
  type GeneratorRedelivery,
  type GeneratorRequest,
  type GeneratorScreen,
  generatorAdminSummarySchema,
  generatorCancelSchema,
  generatorDeliveryPageSchema,
  generatorJobAcceptedSchema,
  generatorJobStorySchema,
  generatorJobViewSchema,
  generatorRedeliverJobSchema,
  generatorRedeliverySchema,
  generatorScreenSchema,
  healthSchema,
  type JobKind,
  KIND_INFO,
  type ModelList,
  type ModelView,
  modelListSchema,
  REQUEST_ID_HEADER,
  requestIdOf,
  truncateText,
} from "@sorami/contracts";
import type { z } from "zod";
import { env } from "../env";
import { currentRequestId, log } from "./log";

/**
 * The one way the web app talks to the generator: every request and answer
 * is a contract in `packages/contracts/src/generator.ts`, and every answer is
 * parsed on arrival. One timeout policy for every call.
 *
 * The generator is Sorami's own (GENERATOR_API=sorami), or an operator's
 * backend that implements document 000 alone (GENERATOR_API=documents): it
 * takes jobs in the documents' body (`contracts/documents.ts`), and has
 * nothing else — no job view, no cancel, no redelivery — which its
 * `capabilities` say, so callers do without them (the reconciler only ends
 * jobs past their maximum age; a cancel stays Sorami's alone).
 */

/**
 * Every generator endpoint answers at once (a submit only stores and queues;
 * nothing waits on a provider), so an answer this late means the generator
 * is down or overloaded: the call fails as unavailable and is tried again
 * later (the dispatch and cancel tasks' retries, the reconciler's next tick).
 */
export const GENERATOR_TIMEOUT_MS = 10_000;

/**
 * The web app's health check asks the generator with a shorter timeout: a
 * health check must answer fast even when the generator hangs, and 2 s is
 * far above its normal answer.
 */
export const GENERATOR_HEALTH_TIMEOUT_MS = 2000;

/** Of a generator's unexpected answer, this much is kept in the error the queue logs. */
const GENERATOR_ANSWER_LOGGED_LENGTH = 200;

/** Unreachable, too slow, or answering 5xx/408/429: worth trying again later. */
export class GeneratorUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GeneratorUnavailable";
  }
}

/** A 4xx: the generator refuses the request as it is, with its reason when it gave one (asking again changes nothing). */
export class GeneratorRefused extends Error {
  constructor(
    readonly status: number,
    readonly reason: string | null,
    readonly field?: string,
  ) {
    super(reason ?? `HTTP ${status}`);
    this.name = "GeneratorRefused";
  }
}

/** A 2xx whose body is not what the contract says: the two services disagree (a deployment of mismatched versions). */
export class GeneratorContractError extends Error {
  constructor(path: string, issue: string) {
    super(`The generator's answer to ${path} does not match its contract: ${issue}`);
    this.name = "GeneratorContractError";
  }
}

/** A call the generator at GENERATOR_URL does not have (a documents backend has the submit alone). */
export class GeneratorUnsupported extends Error {
  constructor(what: string) {
    super(`The backend at GENERATOR_URL (GENERATOR_API=documents) has no ${what}`);
    this.name = "GeneratorUnsupported";
  }
}

export type GeneratorApi = "sorami" | "documents";

export type GeneratorClient = {
  /** What the service at GENERATOR_URL speaks, and so what it can do besides taking jobs. */
  api: GeneratorApi;
  capabilities: { jobView: boolean; cancel: boolean; redeliver: boolean };
  /**
   * Hands a job over under its own id; the same id again returns the same job
   * (Sorami's generator). `job_id` is the id the generator answered with
   * (null when a documents backend answered none).
   */
  submit(kind: JobKind, request: GeneratorRequest | DocumentsRequest): Promise<{ job_id: string | null }>;
  /** The generator's view of a job, or null when it never received it. */
  getJob(jobId: string): Promise<GeneratorJobView | null>;
  /** Stops a job; null when the generator never received it (nothing to stop). */
  cancel(jobId: string): Promise<GeneratorCancel | null>;
  /** Queues a webhook delivery again; null when there is no such delivery. */
  redeliver(deliveryId: string): Promise<GeneratorRedelivery | null>;
  /** The generator's active catalog (the models whose providers it has keys for); a documents backend's from the env. */
  models(): Promise<ModelList>;
  /** Scores a completed job's stored images (a video's poster) with the screening model; null when unknown there. */
  screen(jobId: string): Promise<GeneratorScreen | null>;
  /** Admin console: the generator's queue, processes and delivery counts. */
  adminSummary(): Promise<GeneratorAdminSummary>;
  /** Admin console: a job's record there, provider calls and deliveries; null when it never got the job. */
  jobStory(jobId: string): Promise<GeneratorJobStory | null>;
  /** Admin console: failing, dead and disabled deliveries (`query` as the web app's admin gave it). */
  problemDeliveries(query: { problem?: string; cursor?: string; limit: number }): Promise<GeneratorDeliveryPage>;
  /** Admin console: queues a job's failing, dead and disabled deliveries again; null when unknown there. */
  redeliverJob(jobId: string): Promise<GeneratorRedeliverJob | null>;
  /** "ok", or what keeps it from being so: its own health answer's status, or no answer at all. Never throws. */
  health(): Promise<"ok" | "unreachable" | `degraded (${number})`>;
};

/**
 * Screening reads each file from storage and runs the model (~0.1 s of CPU
 * an image, plus loading the model once, ~1–4 s, when its worker idled out):
 * a job's images take longer than any other call, so this one call waits longer.
 */
export const GENERATOR_SCREEN_TIMEOUT_MS = 60_000;

export type GeneratorClientOptions = {
  baseUrl: string;
  /** The Authorization header's value (GENERATOR_AUTH), or null to send none. */
  authorization: string | null;
  api?: GeneratorApi;
  /** With api "documents": the catalog `models()` answers (the backend has none to ask). */
  documentsModels?: readonly ModelView[];
};

export function createGeneratorClient(options: GeneratorClientOptions): GeneratorClient {
  const api = options.api ?? "sorami";
  const sorami = api === "sorami";
  async function call<S extends z.ZodType>(
    method: "GET" | "POST",
    path: string,
    schema: S,
    body?: unknown,
    timeoutMs = GENERATOR_TIMEOUT_MS,
  ): Promise<z.infer<S> | null> {
    // The request id this call runs under (a user's request, the submit a dispatch carries), else a
    // new one: the generator logs the call under it, so one id finds the call on both sides.
    const inherited = currentRequestId();
    const requestId = inherited ?? requestIdOf(undefined);
    const started = performance.now();
    let response: Response;
    try {
      response = await fetch(`${options.baseUrl}${path}`, {
        method,
        headers: {
          ...(options.authorization ? { authorization: options.authorization } : {}),
          [REQUEST_ID_HEADER]: requestId,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      log().warn(
        { call: `${method} ${path}`, err: error, ...(inherited ? {} : { request_id: requestId }) },
        "generator unreachable",
      );
      throw new GeneratorUnavailable(`Generator unreachable: ${(error as Error).message}`);
    }
    const text = await response.text().catch(() => "");
    log().info(
      {
        call: `${method} ${path}`,
        status: response.status,
        ms: Math.round(performance.now() - started),
        ...(inherited ? {} : { request_id: requestId }),
      },
      "generator call",
    );
    if (response.status === 404) {
      return null;
    }
    if (response.status >= 500 || response.status === 408 || response.status === 429) {
      throw new GeneratorUnavailable(
        `Generator answered ${response.status}: ${truncateText(text, GENERATOR_ANSWER_LOGGED_LENGTH)}`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const refusal = errorBodySchema.safeParse(json);
      throw new GeneratorRefused(
        response.status,
        refusal.success ? refusal.data.error.message : null,
        refusal.success ? refusal.data.error.field : undefined,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new GeneratorContractError(path, parsed.error.issues[0]?.message ?? "not JSON");
    }
    return parsed.data;
  }

  return {
    api,
    capabilities: { jobView: sorami, cancel: sorami, redeliver: sorami },
    async submit(kind, request) {
      const path = `/api/${KIND_INFO[kind].plural}/generate`;
      const accepted = await call("POST", path, sorami ? generatorJobAcceptedSchema : documentsAcceptedSchema, request);
      if (!accepted) {
        throw new GeneratorRefused(404, `The generator has no ${path}`);
      }
      return { job_id: typeof accepted.job_id === "string" ? accepted.job_id : null };
    },
    async getJob(jobId) {
      if (!sorami) {
        throw new GeneratorUnsupported("job view (GET /api/jobs/{id})");
      }
      return call("GET", `/api/jobs/${encodeURIComponent(jobId)}`, generatorJobViewSchema);
    },
    async cancel(jobId) {
      if (!sorami) {
        throw new GeneratorUnsupported("cancel");
      }
      return call("POST", `/api/jobs/${encodeURIComponent(jobId)}/cancel`, generatorCancelSchema);
    },
    async redeliver(deliveryId) {
      if (!sorami) {
        throw new GeneratorUnsupported("webhook redelivery");
      }
      return call("POST", `/api/webhooks/${encodeURIComponent(deliveryId)}/redeliver`, generatorRedeliverySchema);
    },
    async models() {
      if (!sorami) {
        // A documents backend has no catalog: the one model per kind the operator said it stands for.
        return { models: [...(options.documentsModels ?? [])] };
      }
      const list = await call("GET", "/api/models", modelListSchema);
      if (!list) {
        throw new GeneratorRefused(404, "The generator has no /api/models");
      }
      return list;
    },
    async screen(jobId) {
      if (!sorami) {
        throw new GeneratorUnsupported("image screening (POST /api/jobs/{id}/screen)");
      }
      return call(
        "POST",
        `/api/jobs/${encodeURIComponent(jobId)}/screen`,
        generatorScreenSchema,
        undefined,
        GENERATOR_SCREEN_TIMEOUT_MS,
      );
    },
    async adminSummary() {
      if (!sorami) {
        throw new GeneratorUnsupported("admin summary (GET /api/admin/summary)");
      }
      const summary = await call("GET", "/api/admin/summary", generatorAdminSummarySchema);
      if (!summary) {
        throw new GeneratorRefused(404, "The generator has no /api/admin/summary");
      }
      return summary;
    },
    async jobStory(jobId) {
      if (!sorami) {
        throw new GeneratorUnsupported("job story (GET /api/admin/jobs/{id})");
      }
      return call("GET", `/api/admin/jobs/${encodeURIComponent(jobId)}`, generatorJobStorySchema);
    },
    async problemDeliveries(query) {
      if (!sorami) {
        throw new GeneratorUnsupported("delivery list (GET /api/admin/deliveries)");
      }
      const params = new URLSearchParams({ limit: String(query.limit) });
      for (const key of ["problem", "cursor"] as const) {
        const value = query[key];
        if (value) {
          params.set(key, value);
        }
      }
      const page = await call("GET", `/api/admin/deliveries?${params}`, generatorDeliveryPageSchema);
      if (!page) {
        throw new GeneratorRefused(404, "The generator has no /api/admin/deliveries");
      }
      return page;
    },
    async redeliverJob(jobId) {
      if (!sorami) {
        throw new GeneratorUnsupported("job redelivery (POST /api/admin/jobs/{id}/redeliver)");
      }
      return call("POST", `/api/admin/jobs/${encodeURIComponent(jobId)}/redeliver`, generatorRedeliverJobSchema);
    },
    async health() {
      try {
        // A documents backend has no health route: that it answers HTTP at all (a 404 included) is what is known.
        const res = await fetch(`${options.baseUrl}${sorami ? "/health" : "/"}`, {
          redirect: "manual",
          signal: AbortSignal.timeout(GENERATOR_HEALTH_TIMEOUT_MS),
        });
        if (!sorami) {
          await res.body?.cancel();
          return res.status < 500 ? "ok" : `degraded (${res.status})`;
        }
        // 200 and 503 both carry the health body; anything else is not the generator speaking.
        const body = healthSchema.safeParse(await res.json().catch(() => null));
        return res.ok && body.success ? "ok" : `degraded (${res.status})`;
      } catch {
        return "unreachable";
      }
    },
  };
}

const g = globalThis as unknown as { __soramiGenerator?: GeneratorClient };

/** This process's client, made from the env on first use. */
export function generator(): GeneratorClient {
  g.__soramiGenerator ??= createGeneratorClient({
    baseUrl: env().generatorUrl,
    authorization: env().generatorAuth,
    api: env().generatorApi,
    documentsModels: env().documentsModels,
  });
  return g.__soramiGenerator;
}
