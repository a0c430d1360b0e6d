import type { DocumentsRequest } from "@sorami/contracts";
import type { Generation } from "@sorami/db";
import { fetchImage, SafeFetchError } from "@sorami/safe-fetch";
import { readObject, type Storage } from "@sorami/storage";
import { GeneratorUnavailable } from "../generator-client";

/**
 * The request a documents backend (GENERATOR_API=documents) is sent for a
 * job: the documents' body exactly — document 000's for images, document
 * 004's for videos — built from the job's stored parameters. Such a backend
 * does not share Sorami's storage, so an input image goes the documents' way:
 * for an image job as `input_image_url` (the user's own URL, or a signed,
 * expiring link to the copy Sorami stored), for a video as
 * `input_image_base64` (the stored copy, or the user's URL fetched now
 * through the safe fetcher, since document 004's body has no URL field).
 */

export type HandoverDeps = {
  storage: Storage;
  /** A link the backend can fetch a stored file through without credentials (media/links.ts). */
  signedMediaUrl: (storageKey: string) => string;
  /** INPUT_IMAGE_ALLOWED_HOSTS, for a video's input_image_url fetched here. */
  inputImageAllowedHosts: readonly string[];
  fetchInputImage?: typeof fetchImage;
};

/** A refusal the request itself decides (the job fails with this reason); anything else is retried. */
export class HandoverRefused extends Error {}

const text = (value: unknown, fallback: string): string => (typeof value === "string" ? value : fallback);
const whole = (value: unknown, fallback: number): number => (typeof value === "number" ? value : fallback);

async function storedInput(storage: Storage, key: string): Promise<Buffer> {
  const bytes = await readObject(storage, key);
  if (!bytes) {
    throw new HandoverRefused("The input image is missing from storage");
  }
  return bytes;
}

async function fetchedInput(url: string, deps: HandoverDeps): Promise<Buffer> {
  try {
    return (await (deps.fetchInputImage ?? fetchImage)(url, { allowHosts: deps.inputImageAllowedHosts })).bytes;
  } catch (error) {
    if (error instanceof SafeFetchError && error.permanent) {
      throw new HandoverRefused(error.message);
    }
    throw new GeneratorUnavailable(`The input image URL could not be fetched now: ${(error as Error).message}`);
  }
}

export async function documentsRequest(g: Generation, deps: HandoverDeps): Promise<DocumentsRequest> {
  const p = g.params;
  const inputKey = typeof p.input_image_key === "string" ? p.input_image_key : null;
  const inputUrl = typeof p.input_image_url === "string" && p.input_image_url ? p.input_image_url : null;
  if (g.kind === "image") {
    const input_image_url = inputKey ? deps.signedMediaUrl(inputKey) : inputUrl;
    // Document 000's order; the values are the job's, validated at submit (defaults filled in).
    return {
      prompt: g.prompt,
      job_id: g.id,
      user_id: g.authorId,
      ...(input_image_url ? { input_image_url } : {}),
      num_images: whole(p.num_images, 1),
      size: text(p.size, ""),
      format: text(p.format, ""),
      style: text(p.style, ""),
      quality: text(p.quality, ""),
    };
  }
  const input = inputKey
    ? await storedInput(deps.storage, inputKey)
    : inputUrl
      ? await fetchedInput(inputUrl, deps)
      : null;
  return {
    prompt: g.prompt,
    aspect_ratio: text(p.aspect_ratio, ""),
    duration_seconds: whole(p.duration_seconds, 0),
    number_of_videos: whole(p.number_of_videos, 1),
    person_generation: text(p.person_generation, ""),
    ...(input ? { input_image_base64: input.toString("base64") } : {}),
    job_id: g.id,
    user_id: g.authorId,
  };
}
