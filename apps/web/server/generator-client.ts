import {
  type DocumentsRequest,
  documentsAcceptedSchema,
  errorBodySchema,
  type GeneratorCancel,
  type GeneratorJobView,
  type GeneratorRedelivery,
  type GeneratorRequest,
  generatorCancelSchema,
  generatorJobAcceptedSchema,
  generatorJobViewSchema,
  generatorRedeliverySchema,
  healthSchema,
  type JobKind,
  KIND_INFO,
  truncateText,
} from "@sorami/contracts";
import type { z } from "zod";
import { env } from "../env";

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
  /** "ok", or what keeps it from being so: its own health answer's status, or no answer at all. Never throws. */
  health(): Promise<"ok" | "unreachable" | `degraded (${number})`>;
};

export type GeneratorClientOptions = {
  baseUrl: string;
  /** The Authorization header's value (GENERATOR_AUTH), or null to send none. */
  authorization: string | null;
  api?: GeneratorApi;
};

export function createGeneratorClient(options: GeneratorClientOptions): GeneratorClient {
  const api = options.api ?? "sorami";
  const sorami = api === "sorami";
  async function call<S extends z.ZodType>(
    method: "GET" | "POST",
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<z.infer<S> | null> {
    let response: Response;
    try {
      response = await fetch(`${options.baseUrl}${path}`, {
        method,
        headers: {
          ...(options.authorization ? { authorization: options.authorization } : {}),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: "manual",
        signal: AbortSignal.timeout(GENERATOR_TIMEOUT_MS),
      });
    } catch (error) {
      throw new GeneratorUnavailable(`Generator unreachable: ${(error as Error).message}`);
    }
    const text = await response.text().catch(() => "");
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
  });
  return g.__soramiGenerator;
}
