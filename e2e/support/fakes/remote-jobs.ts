import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { makeMp4 } from "./google";
import type { Reply } from "./server";

/**
 * What the stand-ins of asynchronous vendors (fal, Replicate, BFL) share: a
 * scripted run per request, advanced by the client's own status polls, and
 * output files served over HTTP from the stand-in with an expiry, as the
 * vendors' CDNs do. Tests script a run with `on(marker, scenario)`: the
 * first marker found in the prompt picks it; otherwise the run succeeds at
 * once.
 */
export type Scenario = {
  /** Queue positions reported on successive polls before the run starts. */
  queue?: number[];
  /** Log lines revealed one per poll while the run is in progress. */
  logs?: string[];
  /** Polls in progress with nothing new to say (a slow run). */
  slowPolls?: number;
  /** Stay in progress until the test calls release(id) (a generator killed mid-wait). */
  hold?: boolean;
  /** How the run ends. */
  outcome?: "success" | "failure" | "blocked";
  /** The vendor's words for a failure or a block. */
  message?: string;
  /**
   * Answer the first N submissions of this prompt with 429 and this
   * Retry-After (seconds), and every one that comes back before that wait
   * is over (as a real rate limiter does).
   */
  rateLimit?: { times: number; retryAfterSeconds: number };
  /** Succeed, but with every image flagged by the model's own safety checker (fal's has_nsfw_concepts). */
  flagAll?: boolean;
  /** Output URLs on another base (e.g. a private address that must be refused). */
  outputBase?: string;
  /** Output files expire this long after the run ends. */
  fileTtlMs?: number;
};

export type Run = {
  id: string;
  prompt: string;
  scenario: Scenario;
  /** Polls seen so far. */
  polls: number;
  released: boolean;
  canceled: boolean;
  input: Record<string, unknown>;
  /** Outputs once finished: URLs on the stand-in. */
  outputs?: string[];
};

export type RunState =
  | { state: "queued"; position: number }
  | { state: "running"; logs: string[] }
  | { state: "succeeded"; outputs: string[] }
  | { state: "failed"; message: string }
  | { state: "blocked"; message: string }
  | { state: "canceled" };

type Shelved = { data: Buffer; type: string; expiresAt: number };

export type RunBook = {
  on(marker: string, scenario: Scenario): void;
  /** Lets a held run finish on its next poll. */
  release(id: string): void;
  runs: Map<string, Run>;
  /** Submissions whose prompt contains `marker` (the "exactly one paid call" count). */
  submissions(marker: string): number;
  /** Answers a submission: a 429 to send, or the new run. */
  submit(prompt: string, input: Record<string, unknown>): { limited: Reply } | { run: Run };
  /** Advances a run by one poll and says where it is. */
  poll(run: Run, files: (run: Run) => Promise<string[]>): Promise<RunState>;
  /** Where a run is, without advancing it. */
  peek(run: Run): RunState | null;
  shelve(data: Buffer, type: string, ttlMs: number): string;
  /** Serves GET /files/{name}: 404 once expired. */
  serveFile(path: string): Reply | null;
};

export const FILE_TTL_MS = 10 * 60_000;

export function createRunBook(): RunBook {
  const scenarios: [string, Scenario][] = [];
  const runs = new Map<string, Run>();
  const shelf = new Map<string, Shelved>();
  const limited = new Map<string, number>();
  const limitedUntil = new Map<string, number>();
  const submitted: string[] = [];
  const scenarioOf = (prompt: string) => scenarios.find(([m]) => prompt.includes(m))?.[1] ?? {};

  const finished = new Map<string, RunState>();
  return {
    runs,
    on: (marker, scenario) => void scenarios.unshift([marker, scenario]),
    release(id) {
      const run = runs.get(id);
      if (run) {
        run.released = true;
      }
    },
    submissions: (marker) => submitted.filter((p) => p.includes(marker)).length,
    submit(prompt, input) {
      const scenario = scenarioOf(prompt);
      const seen = limited.get(prompt) ?? 0;
      const early = Date.now() < (limitedUntil.get(prompt) ?? 0);
      if (scenario.rateLimit && (seen < scenario.rateLimit.times || early)) {
        limited.set(prompt, seen + 1);
        limitedUntil.set(prompt, Date.now() + scenario.rateLimit.retryAfterSeconds * 1000);
        return {
          limited: {
            status: 429,
            json: { detail: "Request was throttled.", retry_after: scenario.rateLimit.retryAfterSeconds },
            headers: { "retry-after": String(scenario.rateLimit.retryAfterSeconds) },
          },
        };
      }
      submitted.push(prompt);
      const run: Run = {
        id: randomBytes(8).toString("hex"),
        prompt,
        scenario,
        polls: 0,
        released: false,
        canceled: false,
        input,
      };
      runs.set(run.id, run);
      return { run };
    },
    peek: (run) => finished.get(run.id) ?? null,
    async poll(run, files) {
      const done = finished.get(run.id);
      if (done) {
        return done;
      }
      if (run.canceled) {
        const state: RunState = { state: "canceled" };
        finished.set(run.id, state);
        return state;
      }
      const s = run.scenario;
      const step = run.polls++;
      const queue = s.queue ?? [];
      if (step < queue.length) {
        return { state: "queued", position: queue[step] ?? 0 };
      }
      const logs = s.logs ?? [];
      const into = step - queue.length;
      if (into < logs.length + (s.slowPolls ?? 0) || (s.hold && !run.released)) {
        return { state: "running", logs: logs.slice(0, into + 1) };
      }
      let state: RunState;
      if (s.outcome === "failure") {
        state = { state: "failed", message: s.message ?? "The model crashed." };
      } else if (s.outcome === "blocked") {
        state = { state: "blocked", message: s.message ?? "The content was flagged by a content checker." };
      } else {
        run.outputs = await files(run);
        state = { state: "succeeded", outputs: run.outputs };
      }
      finished.set(run.id, state);
      return state;
    },
    shelve(data, type, ttlMs) {
      const name = `${randomBytes(8).toString("hex")}.${type}`;
      shelf.set(name, { data, type, expiresAt: Date.now() + ttlMs });
      return `/files/${name}`;
    },
    serveFile(path) {
      const m = /^\/files\/([a-f0-9]+\.[a-z0-9]+)$/.exec(path);
      if (!m) {
        return null;
      }
      const file = shelf.get(m[1] ?? "");
      if (!file || Date.now() > file.expiresAt) {
        return { status: 404, json: { detail: "Not found or expired" } };
      }
      const mime = { png: "image/png", jpeg: "image/jpeg", webp: "image/webp", mp4: "video/mp4" }[file.type];
      return { status: 200, body: file.data, headers: { "content-type": mime ?? "application/octet-stream" } };
    },
  };
}

/** A real image of the size a model was asked for (a plain colour: cheap on a busy machine). */
export async function makeImage(
  width: number,
  height: number,
  format: "png" | "jpeg" | "webp",
  shade = 0,
): Promise<Buffer> {
  const picture = sharp({
    create: { width, height, channels: 3, background: { r: 40 + shade * 40, g: 120, b: 200 } },
  });
  return (format === "png" ? picture.png() : format === "jpeg" ? picture.jpeg() : picture.webp()).toBuffer();
}

const videos = new Map<string, Promise<Buffer>>();
/** A real H.264 MP4, made once per size and length. */
export function cachedMp4(size: string, seconds: number): Promise<Buffer> {
  const key = `${size}/${seconds}`;
  if (!videos.has(key)) {
    videos.set(key, makeMp4(size, seconds));
  }
  return videos.get(key) as Promise<Buffer>;
}

/** "16:9" → a small size with that ratio. */
export function sizeForRatio(ratio: string): string {
  return { "16:9": "320x180", "9:16": "180x320", "1:1": "240x240" }[ratio] ?? "320x180";
}
