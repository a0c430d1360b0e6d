import { HTTP_REQUEST_ID_MAX_LENGTH } from "./limits";

/** The header a request id travels in, both ways and between the services. */
export const REQUEST_ID_HEADER = "x-request-id";

/** Letters, digits and the separators ids use (UUIDs, ULIDs, `msg_…`, `Root=1-…` trace ids, base64). */
const REQUEST_ID_PATTERN = new RegExp(`^[\\w.:=+/-]{1,${HTTP_REQUEST_ID_MAX_LENGTH}}$`);

/** The caller's request id when it is a sane token, else null. */
export function acceptedRequestId(value: string | null | undefined): string | null {
  return value && REQUEST_ID_PATTERN.test(value) ? value : null;
}

/** The request id of a request: the caller's when sane, else a new one. */
export function requestIdOf(value: string | null | undefined): string {
  return acceptedRequestId(value) ?? crypto.randomUUID();
}
