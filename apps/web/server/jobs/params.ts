import {
  AppError,
  decodeInputImage,
  imageParamsSchema,
  type JobKind,
  type VideoProviderName,
  videoLimitViolation,
  videoParamsSchema,
} from "@sorami/contracts";
import { parseWith } from "../http/handler";

export type Submission = {
  params: Record<string, unknown> & { prompt: string };
  inputImage?: ReturnType<typeof decodeInputImage>;
};

/**
 * A submitted body, checked against the kind's contract and then against
 * what the active provider can serve (422 naming the field and the allowed
 * values), before any row exists. An input image is decoded and its real
 * type checked here; it travels on by storage key, not inside the row.
 */
export function parseSubmission(kind: JobKind, body: unknown, videoProvider: VideoProviderName): Submission {
  if (kind === "image") return { params: parseWith(imageParamsSchema, body) };
  const { input_image_base64, ...params } = parseWith(videoParamsSchema, body);
  const violation = videoLimitViolation(videoProvider, params);
  if (violation) throw new AppError("unprocessable", violation.message, { field: violation.field });
  return { params, inputImage: input_image_base64 ? decodeInputImage(input_image_base64) : undefined };
}
