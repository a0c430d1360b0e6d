import type { TestUser } from "../../e2e/support/client";
import type { FloorServer } from "./floor";
import type { Figure } from "./report";
import type { BenchStack } from "./stack";

/** Sizes of each run: the full mode gives numbers, the quick mode only proves the bench works. */
export type BenchSizes = {
  /**
   * How long a stack is left alone before its idle memory is read: past the
   * database pools' idle timeout (pg's default, 10 s), so start-up's extra
   * connections have closed as they would on a server left running.
   */
  settleMs: number;
  /** Requests (or jobs, for the pipeline: a tenth) that warm an endpoint up before it is measured. */
  warmup: number;
  /**
   * Each fixed HTTP load: seconds (full), or a number of requests (quick: on a
   * loaded machine a one-second run may see no answer at all).
   */
  load: { durationS: number } | { amount: number };
  /** Jobs pre-created for the webhook run (one distinct job per webhook: more than it can send). */
  webhookJobs: number;
  /** `completed` webhooks applied one at a time (the apply's own cost, no queueing). */
  webhookSequential: number;
  /** Pipeline jobs at the fixed arrival rate, and as fast as possible. */
  pipelineFixedJobs: number;
  pipelineBurstJobs: number;
  /** No-op jobs of the queue baseline. */
  queueJobs: number;
  /** Webhooks whose live event is timed (push latency). */
  pushEvents: number;
  /** Generations seeded for the gallery user. */
  galleryRows: number;
  /** Requests per gallery page measurement (one connection). */
  galleryRequests: number;
};

export const SIZES: Record<"quick" | "full", BenchSizes> = {
  full: {
    settleMs: 12_000,
    warmup: 300,
    load: { durationS: 8 },
    webhookJobs: 40_000,
    webhookSequential: 300,
    pipelineFixedJobs: 500,
    pipelineBurstJobs: 500,
    queueJobs: 5000,
    pushEvents: 300,
    galleryRows: 100_000,
    galleryRequests: 1000,
  },
  quick: {
    settleMs: 1000,
    warmup: 30,
    load: { amount: 100 },
    webhookJobs: 400,
    webhookSequential: 20,
    pipelineFixedJobs: 15,
    pipelineBurstJobs: 15,
    queueJobs: 100,
    pushEvents: 10,
    // Page 100 of 20 image jobs needs ≥ 1981 of them; one in ten seeded jobs is a video.
    galleryRows: 2500,
    galleryRequests: 30,
  },
};

export type BenchContext = {
  quick: boolean;
  sizes: BenchSizes;
  stack: BenchStack;
  floor: FloorServer;
  figures: Figure[];
  /** Raw measurements behind the figures, written to the JSON. */
  details: Record<string, unknown>;
  log: (line: string) => void;
  /** What one section leaves for the next (a signed-in user, one of their finished jobs). */
  shared: { user?: TestUser; jobId?: string };
};
