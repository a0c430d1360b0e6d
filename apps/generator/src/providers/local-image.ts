import { createHash } from "node:crypto";
import { type ImageParams, LOCAL_IMAGE_MODEL, parseSize, truncateText } from "@sorami/contracts";
import { INPUT_IMAGE_DECODE_OPTIONS } from "@sorami/contracts/image-pixels";
import sharp from "sharp";
import { encodeImage, IMAGE_EXT } from "./encode";
import { LocalProvider } from "./local";
import type { GeneratedFile, ProviderContext } from "./types";

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Splits text into at most `maxLines` lines of at most `width` UTF-16 units,
 * breaking at spaces; a word longer than a line (a prompt of 4000 emoji has
 * no space) is cut, and text that does not fit ends in "…". Every cut is
 * `truncateText`'s, so no character is split, and the drawing never holds
 * more text than it shows (librsvg took 25 s to lay out 4000 emoji on one line).
 */
export function wrap(text: string, width: number, maxLines: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = "";
  let shown = 0;
  for (const word of words) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = "";
      if (lines.length === maxLines) {
        break;
      }
    }
    line = line ? `${line} ${word}` : word;
    shown++;
  }
  if (line && lines.length < maxLines) {
    lines.push(line);
  }
  const fitted = lines.map((l) => truncateText(l, width, { ellipsis: "…" }));
  const last = fitted.length - 1;
  const cutShort = shown < words.length || fitted[last] !== lines[last];
  if (last >= 0 && cutShort && !fitted[last]?.endsWith("…")) {
    fitted[last] = truncateText(`${fitted[last]}…`, width, { ellipsis: "…" });
  }
  return fitted;
}

export type Drawing = {
  prompt: string;
  label: string;
  seed: string;
  width: number;
  height: number;
  /** Width the prompt must fit in, when less than the picture (a video pans over a larger one). */
  textWidth?: number;
};

/**
 * Draws an SVG deterministically from its text: the same request always
 * gives the same picture. A banner says it was made locally, not by a model.
 */
export function drawSvg({ prompt, label, seed: seedText, width, height, textWidth = width }: Drawing): string {
  const seed = createHash("sha256").update(seedText).digest();
  const byte = (i: number) => seed[i % seed.length] ?? 0;
  const hue1 = Math.round((byte(0) / 255) * 360);
  const hue2 = (hue1 + 90 + Math.round((byte(1) / 255) * 120)) % 360;
  const unit = Math.min(width, height);
  const circles = Array.from({ length: 7 }, (_, i) => {
    const cx = Math.round((byte(2 + i * 3) / 255) * width);
    const cy = Math.round((byte(3 + i * 3) / 255) * height);
    const r = Math.round(unit * (0.06 + (byte(4 + i * 3) / 255) * 0.22));
    const hue = (hue1 + i * 37) % 360;
    return `<circle cx="${cx}" cy="${cy}" r="${r}" fill="hsl(${hue},70%,60%)" fill-opacity="0.55"/>`;
  }).join("");
  const fontSize = Math.max(10, Math.round(Math.min(unit, textWidth) / 22));
  // About 0.6 em per character in DejaVu Sans; 10 % margin.
  const lines = wrap(prompt, Math.max(12, Math.floor((textWidth * 0.9) / (fontSize * 0.6))), 4);
  const text = lines
    .map(
      (l, i) =>
        `<text x="50%" y="${Math.round(height / 2 + (i - (lines.length - 1) / 2) * fontSize * 1.3)}" text-anchor="middle" font-family="DejaVu Sans, sans-serif" font-size="${fontSize}" fill="#fff">${escapeXml(l)}</text>`,
    )
    .join("");
  const banner = Math.max(12, Math.round(unit / 14));
  const bannerText = `LOCALLY GENERATED · NOT AI · ${label}`;
  // Fit the banner to the width: about 0.62 em per character in DejaVu Sans Bold.
  const bannerFont = Math.min(Math.round(banner * 0.5), Math.floor((width * 0.94) / (bannerText.length * 0.62)));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue1},60%,35%)"/><stop offset="1" stop-color="hsl(${hue2},60%,25%)"/></linearGradient></defs>
<rect width="100%" height="100%" fill="url(#g)"/>${circles}
<rect x="0" y="${Math.round(height / 2 - fontSize * 3.2)}" width="100%" height="${Math.round(fontSize * 6.4)}" fill="#000" fill-opacity="0.35"/>${text}
<rect x="0" y="0" width="100%" height="${banner}" fill="#111" fill-opacity="0.8"/>
<text x="50%" y="${Math.round(banner * 0.7)}" text-anchor="middle" font-family="DejaVu Sans, sans-serif" font-weight="bold" font-size="${bannerFont}" fill="#ffd54a">${escapeXml(bannerText)}</text>
</svg>`;
}

export async function renderImage(params: ImageParams, index: number, ctx: ProviderContext): Promise<GeneratedFile> {
  const { width, height } = parseSize(params.size);
  const drawing = {
    prompt: params.prompt,
    label: `${params.style} #${index + 1}`,
    seed: `${params.prompt}\u0000${params.style}\u0000${index}`,
    width,
    height,
  };
  let picture = sharp(Buffer.from(drawSvg(drawing)));
  if (ctx.inputImage) {
    // The input image (uploaded or fetched) inset in the middle, so the result visibly starts from it.
    const inset = await sharp(ctx.inputImage, INPUT_IMAGE_DECODE_OPTIONS)
      .resize(Math.round(width * 0.45), Math.round(height * 0.45), { fit: "inside" })
      .png()
      .toBuffer();
    picture = sharp(await picture.png().toBuffer()).composite([{ input: inset, gravity: "center" }]);
  }
  const data = await encodeImage(picture, params);
  return { data, format: params.format, ext: IMAGE_EXT[params.format], width, height, description: params.prompt };
}

export const createLocalImageProvider = (delayMs: number, transientFailureRate = 0, model = LOCAL_IMAGE_MODEL) =>
  new LocalProvider<"image">(model, delayMs, (p) => p.num_images, renderImage, transientFailureRate);
