import { z } from "zod";
import { type JobKind, KIND_INFO } from "./jobs";
import { JOB_ID_MAX_LENGTH } from "./limits";
import { IMAGE_TYPE_EXT } from "./video";

/**
 * Where a job's files live in storage, made here only: both services read
 * and write the same keys (the web app serves the generator's files and the
 * generator reads the input image the web app stored), and deleting a job
 * removes exactly its prefixes.
 */

/** Every file, poster and thumbnail a job produced is under this prefix. */
export function outputPrefix(kind: JobKind, jobId: string): string {
  return `${KIND_INFO[kind].plural}/${jobId}`;
}

/**
 * The blurred copy an owner is served of a held file: beside the file, in
 * its job's folder (so deleting the job removes it), a WEBP whatever the
 * file's type.
 */
export function heldPreviewKey(storageKey: string): string {
  const dot = storageKey.lastIndexOf(".");
  const slash = storageKey.lastIndexOf("/");
  return `${dot > slash ? storageKey.slice(0, dot) : storageKey}_held.webp`;
}

/** A job's input image is under this prefix. */
export function inputPrefix(jobId: string): string {
  return `inputs/${jobId}`;
}

/** The one key of a job's input image, by its real type. */
export function inputImageKey(jobId: string, type: keyof typeof IMAGE_TYPE_EXT): string {
  return `${inputPrefix(jobId)}/input.${IMAGE_TYPE_EXT[type]}`;
}

/** The longest key inputImageKey makes: `inputs/`, a job id, `/input.webp`. */
export const INPUT_IMAGE_KEY_MAX_LENGTH = "inputs/".length + JOB_ID_MAX_LENGTH + "/input.webp".length;

/** What inputImageKey makes, for any job: anything else (another prefix, `..`, a path) is refused by its shape. */
export const INPUT_IMAGE_KEY_PATTERN = new RegExp(
  `^inputs/[A-Za-z0-9_-]{1,${JOB_ID_MAX_LENGTH}}/input\\.(${Object.values(IMAGE_TYPE_EXT).join("|")})$`,
);
export const inputImageKeySchema = z
  .string({ error: "must be a string" })
  .regex(INPUT_IMAGE_KEY_PATTERN, { error: "must be the key of an input image stored for this job" });
