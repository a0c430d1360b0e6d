import { z } from "zod";
import { type JobKind, KIND_INFO } from "./jobs";
import { JOB_ID_MAX_LENGTH, JOB_ID_PATTERN } from "./limits";
import { IMAGE_TYPE_EXT } from "./video";

/**
 * Storage keys. The database stores keys, never URLs; every file of a job
 * lives in that job's own folder — `images/{job_id}/…` or
 * `videos/{job_id}/…` for what it made, `inputs/{job_id}/…` for its input
 * image — so the folder says whose a file is. A key a sender reports is
 * accepted only inside its job's folder, and the media route authorizes a
 * key by the job its folder names, never by "some row lists this key".
 */

/** Longest key accepted; S3 allows 1024 bytes, ours are far shorter. */
export const STORAGE_KEY_MAX_LENGTH = 512;

/** Keys are relative slash-separated paths of plain names: no "..", no absolute paths, nothing encoded. */
const KEY_PATTERN = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$/;

/** A file name inside a job's folder: one plain segment (a name cannot start with a dot, so never ".."). */
const FILE_NAME_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

export function isValidStorageKey(key: string): boolean {
  return key.length <= STORAGE_KEY_MAX_LENGTH && KEY_PATTERN.test(key) && !key.split("/").includes("..");
}

/** The folders keyed by job: outputs by kind, and input images. */
export const JOB_FOLDERS = [KIND_INFO.image.plural, KIND_INFO.video.plural, "inputs"] as const;
export type JobFolder = (typeof JOB_FOLDERS)[number];

/**
 * The job folder a key lies in: exactly `{folder}/{job_id}/{file name}`
 * (nothing nested below a file name, no other top-level folder), else null.
 */
export function parseJobKey(key: string): { folder: JobFolder; jobId: string; name: string } | null {
  if (!isValidStorageKey(key)) {
    return null;
  }
  const [folder, jobId, name, ...rest] = key.split("/");
  if (
    rest.length > 0 ||
    !folder ||
    !jobId ||
    !name ||
    !(JOB_FOLDERS as readonly string[]).includes(folder) ||
    jobId.length > JOB_ID_MAX_LENGTH ||
    !JOB_ID_PATTERN.test(jobId) ||
    !FILE_NAME_PATTERN.test(name)
  ) {
    return null;
  }
  return { folder: folder as JobFolder, jobId, name };
}

/**
 * Why `key` cannot be a file a `kind` job `jobId` made — it must be
 * `{images|videos}/{jobId}/{file name}` — or null when it can. Another job's
 * key, an input image, `..`, an absolute path, an encoded form, a key nested
 * below a file name: all refused, whoever signed the report.
 */
export function jobOutputKeyProblem(key: string, kind: JobKind, jobId: string): string | null {
  const folder = KIND_INFO[kind].plural;
  const parsed = parseJobKey(key);
  return parsed && parsed.folder === folder && parsed.jobId === jobId
    ? null
    : `must be a file in this job's own folder (${folder}/${jobId}/{file name})`;
}

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

/** The same key with another extension (a fetched file is kept under the extension of what its bytes are). */
export function withExtension(key: string, ext: string): string {
  const slash = key.lastIndexOf("/");
  const dot = key.lastIndexOf(".");
  return `${dot > slash ? key.slice(0, dot) : key}.${ext}`;
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
