import {
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
  type JobAccepted,
  type JobKind,
  KIND_INFO,
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

export type GeneratorClient = {
  /** Hands a job over under its own id; the same id again returns the same job. */
  submit(kind: JobKind, request: GeneratorRequest): Promise<JobAccepted>;
  /** The generator's view of a job, or null when it never received it. */
  getJob(jobId: string): Promise<GeneratorJobView | null>;
  /** Stops a job; null when the generator never received it (nothing to stop). */
  cancel(jobId: string): Promise<GeneratorCancel | null>;
  /** Queues a webhook delivery again; null when there is no such delivery. */
  redeliver(deliveryId: string): Promise<GeneratorRedelivery | null>;
  /** "ok", or what keeps it from being so: its own health answer's status, or no answer at all. */
  health(): Promise<"ok" | "unreachable" | `degraded (${number})`>;
};

export function createGeneratorClient(options: { baseUrl: string; serviceKey: string }): GeneratorClient {
  async function call<S extends z.ZodType>(
    method: "GET" | "POST",
    path: string,
    schema: S,
    body?: unknown,
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
          authorization: `Bearer ${options.serviceKey}`,
          [REQUEST_ID_HEADER]: requestId,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: "manual",
        signal: AbortSignal.timeout(GENERATOR_TIMEOUT_MS),
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
    async submit(kind, request) {
      const path = `/api/${KIND_INFO[kind].plural}/generate`;
      const accepted = await call("POST", path, generatorJobAcceptedSchema, request);
      if (!accepted) {
        throw new GeneratorRefused(404, `The generator has no ${path}`);
      }
      return accepted;
    },
    getJob: (jobId) => call("GET", `/api/jobs/${encodeURIComponent(jobId)}`, generatorJobViewSchema),
    cancel: (jobId) => call("POST", `/api/jobs/${encodeURIComponent(jobId)}/cancel`, generatorCancelSchema),
    redeliver: (deliveryId) =>
      call("POST", `/api/webhooks/${encodeURIComponent(deliveryId)}/redeliver`, generatorRedeliverySchema),
    async health() {
      try {
        const res = await fetch(`${options.baseUrl}/health`, {
          redirect: "manual",
          signal: AbortSignal.timeout(GENERATOR_HEALTH_TIMEOUT_MS),
        });
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
  g.__soramiGenerator ??= createGeneratorClient({ baseUrl: env().generatorUrl, serviceKey: env().serviceKey });
  return g.__soramiGenerator;
}
