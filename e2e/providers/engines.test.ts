import path from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, present, signUp, type TestUser, waitFor } from "../support/client";
import { type FakeA1111, startFakeA1111 } from "../support/fakes/a1111";
import { type FakeComfyUI, startFakeComfyUI } from "../support/fakes/comfyui";
import { type Stack, startStack } from "../support/stack";

/**
 * The self-hosted engines as catalog providers, through the whole stack:
 * COMFYUI_URLS with the example workflow descriptors, and A1111_URLS whose
 * checkpoints the server reports, are active beside the local models; a job
 * names one of their models and runs on that engine (its stand-in).
 */
const WORKFLOWS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../examples/comfyui-workflows");

let comfy: FakeComfyUI;
let a1111: FakeA1111;
let stack: Stack;
let user: TestUser;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  [comfy, a1111] = await Promise.all([startFakeComfyUI(), startFakeA1111()]);
  stack = await startStack({
    env: {
      COMFYUI_URLS: comfy.url,
      COMFYUI_WORKFLOWS_DIR: WORKFLOWS,
      A1111_URLS: a1111.url,
      LOCAL_PROVIDER_DELAY_MS: "0",
    },
  });
  user = await signUp(stack.webUrl, "Engines User");
  call = api(stack.webUrl, user.token);
}, 300_000);
afterAll(async () => {
  await stack?.stop();
  await Promise.all([comfy?.close(), a1111?.close()]);
});

async function finish(jobId: string) {
  return waitFor(
    async () => {
      const r = await call("GET", `/api/images/${jobId}/status`);
      return ["COMPLETED", "FAILED"].includes(r.data.status) ? r.data : null;
    },
    `image job ${jobId}`,
    120_000,
  );
}

describe("ComfyUI and A1111 in the catalog", () => {
  it("lists the workflow and checkpoint models, and runs a job on each engine", async () => {
    const models = (await call("GET", "/api/models")).data.models;
    const byId = new Map(models.map((m) => [m.id, m]));
    expect(byId.get("comfyui:sdxl-base")?.provider).toBe("comfyui");
    expect(byId.get("a1111:sd_xl_base_1.0")?.provider).toBe("a1111");
    expect(byId.get("local-image-v1")?.default).toBe(true);

    const cases = [
      { model: "comfyui:sdxl-base", size: "1024x768", width: 1024 },
      { model: "a1111:sd_xl_base_1.0", size: "512x512", width: 512 },
    ];
    for (const c of cases) {
      const submitted = await call("POST", "/api/images/generate", {
        prompt: `a lighthouse on ${c.model}`,
        model: c.model,
        size: c.size,
      });
      expect(submitted.status, submitted.text).toBe(202);
      const jobId = submitted.data.job_id;
      const status = await finish(jobId);
      expect([c.model, status.status, status.error, status.model, status.provider]).toEqual([
        c.model,
        "COMPLETED",
        null,
        c.model,
        c.model.split(":")[0],
      ]);
      const result = (await call("GET", `/api/images/${jobId}/result`)).data;
      const file = present(result.images[0], "the image");
      const res = await fetch(`${stack.webUrl}${file.url}`, { headers: { authorization: `Bearer ${user.token}` } });
      expect(res.status).toBe(200);
      expect((await sharp(Buffer.from(await res.arrayBuffer())).metadata()).width).toBe(c.width);
      // One render per job at the engine.
      expect(c.model.startsWith("comfyui") ? comfy.promptsFor(jobId) : a1111.rendersFor(jobId)).toBe(1);
    }

    // A model the engine does not have is refused before any job exists.
    const unknown = await call("POST", "/api/images/generate", { prompt: "x", model: "a1111:not-there" });
    expect([unknown.status, unknown.error?.field]).toEqual([422, "model"]);
  }, 240_000);
});
