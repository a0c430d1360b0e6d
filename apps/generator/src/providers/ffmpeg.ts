import { spawn } from "node:child_process";
import { accessSync, chmodSync, constants } from "node:fs";
import { createRequire } from "node:module";
import { truncateText } from "@sorami/contracts";

/** The tail of ffmpeg's output kept in its error (UTF-16 units; the end says what went wrong). */
const FFMPEG_ERROR_TAIL_LENGTH = 2000;
/** Of ffmpeg's report while probing a video, the tail that holds the Duration line. */
const FFMPEG_PROBE_TAIL_LENGTH = 20_000;

/**
 * ffmpeg ended without making its output. `exitCode` set: ffmpeg itself
 * refused (bad input, a filter it cannot apply) — the same input fails the
 * same way. `signal` set: it was killed (out of memory, the operator).
 */
export class FfmpegError extends Error {
  constructor(
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    stderr: string,
  ) {
    super(`ffmpeg ${exitCode === null ? `killed by ${signal}` : `exited ${exitCode}`}: ${stderr}`);
    this.name = "FfmpegError";
  }
}

/** The static ffmpeg shipped inside the `@ffmpeg-installer` npm package (nothing to install by hand). */
export function ffmpegPath(): string {
  const { path } = createRequire(import.meta.url)("@ffmpeg-installer/ffmpeg") as { path: string };
  try {
    accessSync(path, constants.X_OK);
  } catch {
    // Its postinstall (chmod u+x) may have been blocked by npm's allowScripts.
    chmodSync(path, 0o755);
  }
  return path;
}

/** Runs ffmpeg; rejects with the tail of its output when it fails or is aborted. */
export function runFfmpeg(args: string[], signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath(), ["-hide_banner", "-loglevel", "error", "-y", ...args], {
      stdio: ["ignore", "ignore", "pipe"],
      signal,
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr = truncateText(stderr + d, FFMPEG_ERROR_TAIL_LENGTH, { keep: "end" });
    });
    child.on("error", reject);
    child.on("close", (code, killedBy) => (code === 0 ? resolve() : reject(new FfmpegError(code, killedBy, stderr))));
  });
}

/**
 * Writes the first frame of a video as a JPEG poster and reads the video's
 * length from ffmpeg's report; rejects when the file is not a video ffmpeg
 * can decode.
 */
export function extractPoster(
  video: string,
  poster: string,
  signal: AbortSignal,
): Promise<{ durationSeconds: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      ffmpegPath(),
      ["-hide_banner", "-loglevel", "info", "-y", "-i", video, "-frames:v", "1", "-q:v", "3", poster],
      { stdio: ["ignore", "ignore", "pipe"], signal },
    );
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr = truncateText(stderr + d, FFMPEG_PROBE_TAIL_LENGTH, { keep: "end" });
    });
    child.on("error", reject);
    child.on("close", (code, killedBy) => {
      if (code !== 0) {
        return reject(new FfmpegError(code, killedBy, truncateText(stderr, FFMPEG_ERROR_TAIL_LENGTH, { keep: "end" })));
      }
      const m = /Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(stderr);
      resolve({ durationSeconds: m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null });
    });
  });
}
