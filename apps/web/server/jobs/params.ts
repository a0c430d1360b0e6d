import {
  AppError,
  decodeInputImage,
  findPolicyBreach,
  imageParamsSchema,
  type JobKind,
  type ModelView,
  type PromptPolicy,
  parseForModel,
  videoParamsSchema,
} from "@sorami/contracts";
import { checkTarget, SafeFetchError } from "@sorami/safe-fetch/target";

export type Submission = {
  params: Record<string, unknown> & { prompt: string };
  /** The catalog model the job runs on (the one named, or the kind's default). */
  model: Pick<ModelView, "id" | "provider">;
  inputImage?: ReturnType<typeof decodeInputImage>;
  /** The failed job an admin retries with this submission (recorded on the new job). */
  retryOf?: string;
};

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
 * A submitted body, checked against the active catalog before any row
 * exists: its `model` (absent: the kind's default; unknown or inactive: 422
 * naming `model`), the parameters it leaves out filled from that model, the
 * kind's contract (400), the operator's prompt policy (422), then what that
 * model can serve (422 naming the field and the allowed values). An input
 * image is decoded and its real type checked here; it travels on by storage
 * key, not inside the row.
 * `storedInputImage`: an input image comes from storage, not the body (a re-run).
 */
export function parseSubmission(
  kind: JobKind,
  body: unknown,
  models: readonly ModelView[],
  inputImageAllowedHosts: readonly string[],
  policy: PromptPolicy,
  storedInputImage = false,
  generatorApi: "sorami" | "documents" = "sorami",
): Submission {
  const withImage = storedInputImage || undefined;
  if (kind === "image") {
    const { model, params } = parseForModel(models, kind, imageParamsSchema, body, withImage);
    refusePolicyBreach(policy, params);
    checkInputUrl(params.input_image_url, inputImageAllowedHosts);
    return { params, model };
  }
  const { model, params: parsed } = parseForModel(models, kind, videoParamsSchema, body, withImage);
  const { input_image_base64, ...params } = parsed;
  refusePolicyBreach(policy, params);
  if (generatorApi === "documents" && params.negative_prompt) {
    // Document 004's request has no such field: the backend would never see it.
    throw new AppError(
      "unprocessable",
      "negative_prompt: the backend this Sorami sends videos to takes document 004's request, which has no negative prompt",
      { field: "negative_prompt" },
    );
  }
  checkInputUrl(params.input_image_url, inputImageAllowedHosts);
  return { params, model, inputImage: input_image_base64 ? decodeInputImage(input_image_base64) : undefined };
}
