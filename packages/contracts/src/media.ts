import { sniffImageType } from "./video";

/**
 * Media types Sorami stores, recognised by their first bytes (the declared
 * Content-Type or file name is never trusted). Provider outputs downloaded
 * from a URL are checked with this before they are stored.
 */
export const MEDIA_TYPES = {
  PNG: { kind: "image", mimeType: "image/png", ext: "png" },
  JPEG: { kind: "image", mimeType: "image/jpeg", ext: "jpg" },
  WEBP: { kind: "image", mimeType: "image/webp", ext: "webp" },
  MP4: { kind: "video", mimeType: "video/mp4", ext: "mp4" },
  WEBM: { kind: "video", mimeType: "video/webm", ext: "webm" },
} as const;
export type MediaType = keyof typeof MEDIA_TYPES;
export type MediaKind = (typeof MEDIA_TYPES)[MediaType]["kind"];

/**
 * One file a model provider (or a backend's `url`) hands over is at most this
 * large, by kind: a 2048² lossless PNG is ~12 MiB, beyond 50 it is not an
 * image we asked for; 60 s (VIDEO_DURATION_MAX_SECONDS) of 1080p at a high
 * 30 Mbit/s is ~225 MiB.
 */
export const OUTPUT_IMAGE_MAX_BYTES = 50 * 1024 * 1024;
export const OUTPUT_VIDEO_MAX_BYTES = 256 * 1024 * 1024;
export const OUTPUT_MAX_BYTES: Record<MediaKind, number> = {
  image: OUTPUT_IMAGE_MAX_BYTES,
  video: OUTPUT_VIDEO_MAX_BYTES,
};
/** Fetching one such file may take this long: 256 MiB at ~15 Mbit/s, well inside a job's own time limit. */
export const OUTPUT_DOWNLOAD_TIMEOUT_MS = 180_000;

/** Bytes needed to tell every type above apart (an ISO-BMFF `ftyp` box names its brand in bytes 8-12). */
export const MEDIA_SNIFF_BYTES = 12;

/**
 * ISO-BMFF brands that are still images (AVIF, HEIF), not video: they share
 * MP4's `ftyp` box and must not pass as one.
 */
const IMAGE_BRANDS = new Set(["avif", "avis", "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"]);

/**
 * PNG, JPEG, WEBP, MP4 (any ISO-BMFF video brand: isom, mp41, mp42, avc1,
 * QuickTime…) or WEBM (EBML header), judged by the bytes; null otherwise.
 */
export function sniffMediaType(bytes: Uint8Array): MediaType | null {
  const image = sniffImageType(bytes);
  if (image) {
    return image;
  }
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.slice(from, to));
  if (bytes.length >= MEDIA_SNIFF_BYTES && ascii(4, 8) === "ftyp") {
    return IMAGE_BRANDS.has(ascii(8, 12).toLowerCase()) ? null : "MP4";
  }
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) {
    return "WEBM";
  }
  return null;
}
