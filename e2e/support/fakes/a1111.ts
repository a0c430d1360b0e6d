import { setTimeout as sleep } from "node:timers/promises";
import sharp from "sharp";
import { bodyAs, type FakeServer, type Recorded, type Reply, startFakeServer } from "./server";

/** txt2img / img2img's body, in A1111's documented names (what this stand-in reads). */
type A1111Request = {
  prompt: string;
  negative_prompt: string;
  steps: number;
  width: number;
  height: number;
  batch_size: number;
  n_iter: number;
  seed: number;
  sampler_name: string;
  cfg_scale: number;
  init_images: string[];
  force_task_id: string;
  override_settings: { sd_model_checkpoint?: string };
};

/**
 * A stand-in for an Automatic1111 / Forge server started with `--api`
 * (modules/api/api.py, models.py, progress.py), speaking its JSON API:
 *
 * - `POST /sdapi/v1/txt2img` and `/img2img`: held open while "rendering"
 *   (one at a time, like A1111's queue_lock), answered with base64 PNGs and
 *   the `info` JSON string (seed, index_of_first_image — a grid comes first
 *   for batches, as with `return_grid`); 404 "Sampler not found", 404 "Init
 *   image not found", 422 for a badly typed field; `[oom]` in the prompt →
 *   500 OutOfMemoryError. An unknown `override_settings.sd_model_checkpoint`
 *   falls back to the first checkpoint, as A1111 does.
 * - `GET /sdapi/v1/progress` advancing step by step with `current_image`;
 *   `POST /sdapi/v1/interrupt` (the render answers early with what it has);
 *   `GET /sdapi/v1/sd-models`; `POST /internal/progress` (web UI mounted).
 * - `--api-auth user:password`: HTTP Basic on every /sdapi route.
 */
export type FakeA1111 = FakeServer & {
  /** Renders started for a Sorami job (force_task_id `sorami-<job>-…`). */
  rendersFor(jobId: string): number;
  interrupts(): Recorded[];
  /** The force_task_id being rendered, if any. */
  current(): string | undefined;
  hold(): void;
  release(): void;
};

export type FakeA1111Options = { stepMs?: number; apiAuth?: string; checkpoints?: string[]; webUi?: boolean };

const SAMPLERS = ["Euler a", "Euler", "DPM++ 2M", "DPM++ SDE", "DDIM"];

type Job = { taskId: string; step: number; steps: number; interrupted: boolean; image?: string; started: number };

export async function startFakeA1111(options: FakeA1111Options = {}): Promise<FakeA1111> {
  const stepMs = options.stepMs ?? 10;
  const checkpoints = (options.checkpoints ?? ["sd_xl_base_1.0", "v1-5-pruned-emaonly"]).map((name, i) => ({
    title: `${name}.safetensors [${(0x31e35c80fc + i).toString(16).slice(0, 10)}]`,
    model_name: name,
    hash: (0x31e35c80fc + i).toString(16).slice(0, 10),
    sha256: `${(0x31e35c80fc + i).toString(16)}${"0".repeat(54)}`,
    filename: `/models/Stable-diffusion/${name}.safetensors`,
    config: null,
  }));
  let job: Job | undefined;
  let lock: Promise<void> = Promise.resolve();
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  const pending = new Set<string>();
  const finished: string[] = [];
  const renders = new Map<string, number>();
  const frame = async (step: number) =>
    (
      await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 20 * step, g: 100, b: 50 } } })
        .png()
        .toBuffer()
    ).toString("base64");

  const authorized = (req: Recorded) =>
    !options.apiAuth || req.headers.authorization === `Basic ${Buffer.from(options.apiAuth).toString("base64")}`;

  async function render(req: Recorded, mode: "txt2img" | "img2img"): Promise<Reply> {
    const b = bodyAs<A1111Request>(req.body);
    for (const field of ["steps", "width", "height", "batch_size", "n_iter", "seed"] as const) {
      if (b[field] !== undefined && !Number.isInteger(b[field])) {
        return {
          status: 422,
          json: { detail: [{ loc: ["body", field], msg: "value is not a valid integer", type: "type_error.integer" }] },
        };
      }
    }
    if (b.sampler_name !== undefined && !SAMPLERS.includes(b.sampler_name)) {
      return { status: 404, json: { error: "HTTPException", detail: "Sampler not found", body: "", errors: "" } };
    }
    if (mode === "img2img" && !Array.isArray(b.init_images)) {
      return { status: 404, json: { error: "HTTPException", detail: "Init image not found", body: "", errors: "" } };
    }
    const taskId = String(b.force_task_id ?? `task(${Math.random().toString(36).slice(2)})`);
    const jobMatch = /^sorami-(.+)-[0-9a-f]{8}$/.exec(taskId);
    if (jobMatch?.[1]) {
      renders.set(jobMatch[1], (renders.get(jobMatch[1]) ?? 0) + 1);
    }
    pending.add(taskId);
    // queue_lock: one render at a time, in arrival order.
    const previous = lock;
    let unlock = () => {};
    lock = new Promise((resolve) => {
      unlock = resolve;
    });
    await previous;
    pending.delete(taskId);
    const steps = b.steps ?? 20;
    const current: Job = { taskId, step: 0, steps, interrupted: false, started: Date.now() };
    job = current;
    try {
      for (let step = 1; step <= steps && !current.interrupted; step++) {
        await sleep(stepMs);
        if (String(b.prompt).includes("[oom]") && step === 2) {
          return {
            status: 500,
            json: {
              error: "OutOfMemoryError",
              detail: "",
              body: "",
              errors: "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 23.99 GiB total capacity)",
            },
          };
        }
        current.step = step;
        current.image = await frame(step);
        // hold() freezes the render after this step, with its progress and preview showing.
        while (gate) {
          await gate.promise;
        }
      }
      const requested = b.override_settings?.sd_model_checkpoint;
      const model =
        checkpoints.find((c) => requested !== undefined && [c.title, c.model_name, c.hash].includes(requested)) ??
        (checkpoints[0] as (typeof checkpoints)[0]);
      const width = b.width ?? 512;
      const height = b.height ?? 512;
      const batch = b.batch_size ?? 1;
      const seed = b.seed === undefined || b.seed === -1 ? 1_000_000 + Math.floor(Math.random() * 1000) : b.seed;
      const source = mode === "img2img" ? Buffer.from(String(b.init_images?.[0]), "base64") : undefined;
      const images: string[] = [];
      for (let i = 0; i < batch; i++) {
        const picture = source
          ? sharp(source).resize(width, height, { fit: "cover" })
          : sharp({ create: { width, height, channels: 3, background: { r: (seed + i) % 256, g: 60, b: 160 } } });
        images.push((await picture.png().toBuffer()).toString("base64"));
      }
      const grid = batch > 1;
      if (grid) {
        const gridPng = await sharp({ create: { width: width * 2, height, channels: 3, background: "white" } })
          .png()
          .toBuffer();
        images.unshift(gridPng.toString("base64"));
      }
      finished.push(taskId);
      const info = {
        prompt: b.prompt,
        all_prompts: Array(batch).fill(b.prompt),
        negative_prompt: b.negative_prompt ?? "",
        seed,
        all_seeds: Array.from({ length: batch }, (_, i) => seed + i),
        width,
        height,
        sampler_name: b.sampler_name ?? "Euler",
        cfg_scale: b.cfg_scale ?? 7,
        steps,
        batch_size: batch,
        sd_model_name: model.model_name,
        sd_model_hash: model.hash,
        index_of_first_image: grid ? 1 : 0,
        job_timestamp: "20261204120000",
        infotexts: [],
      };
      return { status: 200, json: { images, parameters: b, info: JSON.stringify(info) } };
    } finally {
      job = undefined;
      unlock();
    }
  }

  const server = await startFakeServer(async (req, url) => {
    if (req.method === "POST" && url.pathname === "/internal/progress") {
      if (options.webUi === false) {
        return { status: 404, json: { detail: "Not Found" } };
      }
      const id = bodyAs<{ id_task: string }>(req.body).id_task ?? "";
      const active = job?.taskId === id ? job : undefined;
      return {
        status: 200,
        json: {
          active: Boolean(active),
          queued: pending.has(id),
          completed: finished.includes(id),
          progress: active ? active.step / active.steps : null,
          eta: null,
          live_preview: null,
          id_live_preview: -1,
          textinfo: pending.has(id) ? "Queued..." : "Waiting...",
        },
      };
    }
    if (!url.pathname.startsWith("/sdapi/v1/")) {
      return { status: 404, json: { detail: "Not Found" } };
    }
    if (!authorized(req)) {
      return {
        status: 401,
        json: { detail: req.headers.authorization ? "Incorrect username or password" : "Not authenticated" },
        headers: { "www-authenticate": "Basic" },
      };
    }
    const route = `${req.method} ${url.pathname.slice("/sdapi/v1".length)}`;
    switch (route) {
      case "POST /txt2img":
        return render(req, "txt2img");
      case "POST /img2img":
        return render(req, "img2img");
      case "POST /interrupt":
        if (job) {
          job.interrupted = true;
        }
        return { status: 200, json: {} };
      case "GET /sd-models":
        return { status: 200, json: checkpoints };
      case "GET /progress": {
        const state = {
          skipped: false,
          interrupted: job?.interrupted ?? false,
          job: job ? "scripts_txt2img" : "",
          job_count: job ? 1 : 0,
          job_timestamp: "20261204120000",
          job_no: 0,
          sampling_step: job?.step ?? 0,
          sampling_steps: job?.steps ?? 0,
        };
        if (!job) {
          return { status: 200, json: { progress: 0, eta_relative: 0, state, current_image: null, textinfo: null } };
        }
        const progress = Math.min(1, 0.01 + job.step / job.steps);
        const elapsed = (Date.now() - job.started) / 1000;
        const skip = url.searchParams.get("skip_current_image") === "true";
        return {
          status: 200,
          json: {
            progress,
            eta_relative: elapsed / progress - elapsed,
            state,
            current_image: skip ? null : (job.image ?? null),
            textinfo: null,
          },
        };
      }
      default:
        return { status: 404, json: { detail: "Not Found" } };
    }
  });

  return {
    ...server,
    rendersFor: (jobId) => renders.get(jobId) ?? 0,
    interrupts: () => server.requests.filter((r) => r.path === "/sdapi/v1/interrupt"),
    current: () => job?.taskId,
    hold: () => {
      if (!gate) {
        let open = () => {};
        const promise = new Promise<void>((resolve) => {
          open = resolve;
        });
        gate = { promise, open };
      }
    },
    release: () => {
      const g = gate;
      gate = undefined;
      g?.open();
    },
  };
}
