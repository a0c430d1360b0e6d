import type { ActiveProviderConfig } from "@sorami/config";
import {
  AppError,
  decodeInputImage,
  findPolicyBreach,
  imageLimitViolation,
  imageParamsSchema,
  type JobKind,
  type PromptPolicy,
  personGenerationModes,
  videoLimitViolation,
  videoParamsSchema,
} from "@sorami/contracts";
import { checkTarget, SafeFetchError } from "@sorami/safe-fetch/target";
import { parseWith } from "../http/handler";

export type Submission = {
  params: Record<string, unknown> & { prompt: string };
  inputImage?: ReturnType<typeof decodeInputImage>;
  /** The failed job an admin retries with this submission (recorded on the new job). */
  retryOf?: string;
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
 * The operator's prompt policy (MODERATION_BLOCKLIST): a prompt or negative
 * prompt that breaks it is a 422 naming the field. The message never quotes
 * the word or pattern that matched, so the list cannot be read back by probing.
 */
function refusePolicyBreach(policy: PromptPolicy, params: Record<string, unknown>): void {
  const field = findPolicyBreach(policy, params);
  if (field) {
    throw new AppError("unprocessable", `${field}: refused by this site's content policy`, { field });
  }
}

/**
 * A submitted body, checked against the kind's contract, the operator's
 * prompt policy, and then what the active provider can serve (422 naming the
 * field and the allowed values), before any row exists. An input image is
 * decoded and its real type checked here; it travels on by storage key, not
 * inside the row.
 */
export function parseSubmission(
  kind: JobKind,
  body: unknown,
  providers: ActiveProviderConfig,
  policy: PromptPolicy,
): Submission {
  if (kind === "image") {
    const params = parseWith(imageParamsSchema, body);
    refusePolicyBreach(policy, params);
    refuse(imageLimitViolation(providers.image.name, params));
    checkInputUrl(params.input_image_url, providers.inputImageAllowedHosts);
    return { params };
  }
  const { input_image_base64, ...params } = parseWith(videoParamsSchema, withPersonDefault(body, providers));
  refusePolicyBreach(policy, params);
  refuse(videoLimitViolation(providers.video.name, params, Boolean(input_image_base64 || params.input_image_url)));
  checkInputUrl(params.input_image_url, providers.inputImageAllowedHosts);
  return { params, inputImage: input_image_base64 ? decodeInputImage(input_image_base64) : undefined };
}
