import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { LOCAL_VIDEO_MODEL, VIDEO_DIMENSIONS, type VideoParams } from "@sorami/contracts";
import { INPUT_IMAGE_DECODE_OPTIONS } from "@sorami/contracts/image-pixels";
import sharp from "sharp";
import { runFfmpeg } from "./ffmpeg";
import { LocalProvider } from "./local";
import { drawSvg } from "./local-image";
import type { GeneratedFile, ProviderContext } from "./types";

/** Frames per second of local videos (film rate). */
export const LOCAL_VIDEO_FPS = 24;
/** The background is drawn this much larger than the frame so the camera can pan across it. */
const PAN_MARGIN = 1.25;

function hashUnit(text: string, salt: number): number {
  let h = 2166136261 ^ salt;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  }
  return ((h >>> 0) % 10_000) / 10_000;
}

/**
 * Makes a real H.264 MP4 offline: a picture drawn from the prompt (with the
 * input image inset, if any), panned and colour-cycled deterministically,
 * under a fixed "locally generated" banner; plus a poster frame.
 */
export async function renderVideo(params: VideoParams, index: number, ctx: ProviderContext): Promise<GeneratedFile> {
  const { width, height } = VIDEO_DIMENSIONS[params.aspect_ratio];
  const bgW = Math.round((width * PAN_MARGIN) / 2) * 2;
  const bgH = Math.round((height * PAN_MARGIN) / 2) * 2;
  const seed = `${params.prompt}\u0000video\u0000${index}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), "sorami-video-"));
  try {
    // The banner is drawn into the full-size frame and overlaid unmoving; the background pans.
    const full = drawSvg({
      prompt: params.prompt,
      label: `video #${index + 1} · ${params.duration_seconds}s`,
      seed,
      width: bgW,
      height: bgH,
    });
    let background = sharp(Buffer.from(full));
    if (ctx.inputImage) {
      const inset = await sharp(ctx.inputImage, INPUT_IMAGE_DECODE_OPTIONS)
        .resize(Math.round(bgW * 0.45), Math.round(bgH * 0.45), { fit: "inside" })
        .png()
        .toBuffer();
      background = sharp(await background.png().toBuffer()).composite([{ input: inset, gravity: "center" }]);
    }
    const banner = drawSvg({
      prompt: "",
      label: `video #${index + 1} · ${params.duration_seconds}s`,
      seed,
      width,
      height,
    });
    const bannerPng = await sharp(Buffer.from(banner))
      .extract({ left: 0, top: 0, width, height: Math.max(12, Math.round(Math.min(width, height) / 14)) })
      .png()
      .toBuffer();
    await writeFile(path.join(dir, "bg.png"), await background.png().toBuffer());
    await writeFile(path.join(dir, "banner.png"), bannerPng);

    const period = params.duration_seconds;
    const phaseX = (hashUnit(seed, 1) * 2 * Math.PI).toFixed(3);
    const phaseY = (hashUnit(seed, 2) * 2 * Math.PI).toFixed(3);
    const hueSpeed = Math.round(20 + hashUnit(seed, 3) * 60);
    const out = path.join(dir, "video.mp4");
    await runFfmpeg(
      [
        ...["-loop", "1", "-framerate", String(LOCAL_VIDEO_FPS), "-i", path.join(dir, "bg.png")],
        ...["-i", path.join(dir, "banner.png")],
        "-filter_complex",
        `[0:v]crop=${width}:${height}:x='(iw-ow)*(0.5+0.5*sin(2*PI*t/${period}+${phaseX}))':y='(ih-oh)*(0.5+0.5*cos(2*PI*t/${period}+${phaseY}))',hue=h='t*${hueSpeed}'[bg];[bg][1:v]overlay=0:0,format=yuv420p[v]`,
        ...["-map", "[v]", "-t", String(params.duration_seconds), "-r", String(LOCAL_VIDEO_FPS)],
        // veryfast: a 4 s 720p clip in ~1.5 s on 2 cores; quality is not the point of a local stand-in.
        ...["-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-movflags", "+faststart"],
        out,
      ],
      ctx.signal,
    );
    const poster = path.join(dir, "poster.jpg");
    await runFfmpeg(["-i", out, "-frames:v", "1", "-q:v", "3", poster], ctx.signal);
    return {
      data: await readFile(out),
      format: "MP4",
      ext: "mp4",
      width,
      height,
      description: params.prompt,
      durationSeconds: params.duration_seconds,
      poster: { data: await readFile(poster), ext: "jpg" },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const createLocalVideoProvider = (delayMs: number, transientFailureRate = 0, model = LOCAL_VIDEO_MODEL) =>
  new LocalProvider<"video">(model, delayMs, (p) => p.number_of_videos, renderVideo, transientFailureRate);
