import type { ActiveProviderConfig } from "@sorami/config";
import {
  AppError,
  decodeInputImage,
  imageLimitViolation,
  imageParamsSchema,
  type JobKind,
  personGenerationModes,
  videoLimitViolation,
  videoParamsSchema,
} from "@sorami/contracts";
import { checkTarget, SafeFetchError } from "@sorami/safe-fetch/target";
import { parseWith } from "../http/handler";

export type Submission = {
  params: Record<string, unknown> & { prompt: string };
  inputImage?: ReturnType<typeof decodeInputImage>;
};

function refuse(violation: { field: string; message: string } | null): void {
  if (violation) {
    throw new AppError("unprocessable", violation.message, { field: violation.field });
  }
}

/**
 * An input_image_url the generator would refuse anyway (a literal private
 * or loopback address, a localhost name) is refused now; what its host
 * resolves to is checked when the job runs, by the same fetcher.
 */
function checkInputUrl(url: string | undefined, allowHosts: readonly string[]): void {
  if (!url) {
    return;
  }
  try {
    checkTarget(url, allowHosts);
  } catch (error) {
    if (error instanceof SafeFetchError) {
      throw new AppError("unprocessable", error.message, { field: "input_image_url" });
    }
    throw error;
  }
}

/** A video body without person_generation gets the provider's first allowed mode for its kind of input. */
function withPersonDefault(body: unknown, providers: ActiveProviderConfig): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body) || "person_generation" in body) {
    return body;
  }
  const b = body as { input_image_base64?: unknown; input_image_url?: unknown };
  const withImage = Boolean(b.input_image_base64) || Boolean(b.input_image_url);
  return { ...body, person_generation: personGenerationModes(providers.video.name, withImage)[0] };
}

/**
 * A submitted body, checked against the kind's contract and then against
 * what the active provider can serve (422 naming the field and the allowed
 * values), before any row exists. An input image is decoded and its real
 * type checked here; it travels on by storage key, not inside the row.
 */
export function parseSubmission(
  kind: JobKind,
  body: unknown,
  providers: ActiveProviderConfig,
  generatorApi: "sorami" | "documents" = "sorami",
): Submission {
  if (kind === "image") {
    const params = parseWith(imageParamsSchema, body);
    refuse(imageLimitViolation(providers.image.name, params));
    checkInputUrl(params.input_image_url, providers.inputImageAllowedHosts);
    return { params };
  }
  const { input_image_base64, ...params } = parseWith(videoParamsSchema, withPersonDefault(body, providers));
  if (generatorApi === "documents" && params.negative_prompt) {
    // Document 004's request has no such field: the backend would never see it.
    throw new AppError(
      "unprocessable",
      "negative_prompt: the backend this Sorami sends videos to takes document 004's request, which has no negative prompt",
      { field: "negative_prompt" },
    );
  }
  refuse(videoLimitViolation(providers.video.name, params, Boolean(input_image_base64 || params.input_image_url)));
  checkInputUrl(params.input_image_url, providers.inputImageAllowedHosts);
  return { params, inputImage: input_image_base64 ? decodeInputImage(input_image_base64) : undefined };
}
