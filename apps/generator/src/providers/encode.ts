import { type ImageParams, parseSize } from "@sorami/contracts";
import sharp, { type Sharp } from "sharp";
import { ProviderError } from "./types";

export const IMAGE_EXT = { PNG: "png", JPEG: "jpg", WEBP: "webp" } as const;

/** Encodes in the requested format; `quality` high keeps more detail in the lossy formats. */
export function encodeImage(pipeline: Sharp, params: Pick<ImageParams, "format" | "quality">): Promise<Buffer> {
  const high = params.quality === "high";
  if (params.format === "PNG") {
    return pipeline.png({ compressionLevel: 6 }).toBuffer();
  }
  if (params.format === "JPEG") {
    return pipeline.jpeg({ quality: high ? 92 : 80 }).toBuffer();
  }
  return pipeline.webp({ quality: high ? 90 : 75 }).toBuffer();
}

/**
 * Turns what a model returned into the requested size and format: scaled
 * to cover the size and centre-cropped (a model's aspect ratio is close to,
 * not always exactly, the requested one), then encoded.
 */
export async function toRequestedImage(
  bytes: Buffer,
  params: Pick<ImageParams, "size" | "format" | "quality">,
): Promise<{ data: Buffer; width: number; height: number }> {
  const { width, height } = parseSize(params.size);
  try {
    const data = await encodeImage(sharp(bytes).resize(width, height, { fit: "cover", position: "centre" }), params);
    return { data, width, height };
  } catch (error) {
    // libvips' own words are logged (the cause), not shown.
    throw new ProviderError("no_output", "The model returned an image Sorami could not read", undefined, {
      cause: error,
    });
  }
}
