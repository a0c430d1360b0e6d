import { THUMBNAIL_MAX_SIDE } from "@sorami/contracts";
import { logger } from "@sorami/log";
import type { Storage } from "@sorami/storage";
import sharp from "sharp";

/** WEBP quality of thumbnails: small files, still clean at card size. */
export const THUMBNAIL_WEBP_QUALITY = 70;

/** Where a file's thumbnail lives: beside it, `images/{job}/image_1.png` → `images/{job}/image_1_thumb.webp`. */
export function thumbnailKeyFor(fileKey: string): string {
  const slash = fileKey.lastIndexOf("/");
  const dot = fileKey.lastIndexOf(".");
  const stem = dot > slash ? fileKey.slice(0, dot) : fileKey;
  return `${stem}_thumb.webp`;
}

/** A WEBP no larger than THUMBNAIL_MAX_SIDE on its longest side, same aspect ratio, never enlarged. */
export async function makeThumbnail(source: Buffer): Promise<Buffer> {
  return sharp(source)
    .resize(THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE, { fit: "inside", withoutEnlargement: true })
    .webp({ quality: THUMBNAIL_WEBP_QUALITY })
    .toBuffer();
}

/**
 * Stores the thumbnail of the file at `fileKey`, made from `source` (the
 * image itself, or a video's poster). A thumbnail is a convenience: when the
 * source cannot be decoded the file is kept without one (the gallery falls
 * back to the full file) rather than failing the job. A storage failure is
 * not swallowed: it is the same failure the file itself would meet.
 */
export async function storeThumbnail(storage: Storage, fileKey: string, source: Buffer): Promise<string | undefined> {
  let thumbnail: Buffer;
  try {
    thumbnail = await makeThumbnail(source);
  } catch (error) {
    logger().warn({ key: fileKey, err: error }, "no thumbnail: the source could not be decoded");
    return undefined;
  }
  const key = thumbnailKeyFor(fileKey);
  await storage.put(key, thumbnail, "image/webp");
  return key;
}
