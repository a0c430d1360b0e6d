import { MEDIA_TYPES, type MediaKind, type MediaType, sniffMediaType } from "@sorami/contracts";
import { type FetchOptions, type FetchProfile, fetchWithProfile } from "./fetch";

export type FetchedMedia = { bytes: Buffer; type: MediaType; mimeType: string; url: string; redirects: number };

/**
 * Fetches a file a model provider made (fal, Replicate and BFL answer with
 * URLs, some expiring within minutes) under the same rules as input images —
 * public addresses only unless the host is allowed (the provider's own
 * configured host), DNS pinned, redirects re-checked, time and size capped —
 * accepting the media types of `kinds`, judged by the bytes.
 */
export function fetchMedia(
  raw: string,
  kinds: readonly MediaKind[],
  options: FetchOptions & { label?: string } = {},
): Promise<FetchedMedia> {
  const types = (Object.keys(MEDIA_TYPES) as MediaType[]).filter((t) => kinds.includes(MEDIA_TYPES[t].kind));
  const label = options.label ?? "The output URL";
  const profile: FetchProfile<MediaType> = {
    sniff: (bytes) => {
      const type = sniffMediaType(bytes);
      return type && types.includes(type) ? type : null;
    },
    accept: types.map((t) => MEDIA_TYPES[t].mimeType).join(","),
    wording: {
      url: label,
      things: "files",
      body: "The file",
      expected: `a ${types.join(", ")} file`,
      item: "the file",
      instead: "the file",
    },
  };
  return fetchWithProfile(raw, profile, options).then((r) => ({ ...r, mimeType: MEDIA_TYPES[r.type].mimeType }));
}
