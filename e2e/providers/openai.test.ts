import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, signUpThroughForm } from "../support/browser";
import { api, fetchChecked, fetchGenerator, signUp, type TestUser, waitFor } from "../support/client";
import { type FakeOpenAI, startFakeOpenAI } from "../support/fakes/openai";
import { type Stack, startStack } from "../support/stack";

/**
 * The whole system with IMAGE_PROVIDER=openai: the real `openai` SDK talking
 * to a local server that speaks the OpenAI Images REST format — proof that
 * the provider interface holds a second vendor.
 */
let openai: FakeOpenAI;
let stack: Stack;
let user: TestUser;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  openai = await startFakeOpenAI();
  stack = await startStack({
    env: {
      IMAGE_PROVIDER: "openai",
      OPENAI_API_KEY: openai.apiKey,
      OPENAI_BASE_URL: `${openai.url}/v1`,
      LOCAL_PROVIDER_DELAY_MS: "0",
    },
  });
  user = await signUp(stack.webUrl, "OpenAI User");
  call = api(stack.webUrl, user.token);
});
afterAll(async () => {
  await stack?.stop();
  await openai?.close();
});

async function submit(body: Record<string, unknown>): Promise<string> {
  const r = await call("POST", "/api/images/generate", body);
  expect(r.status, JSON.stringify(r.json)).toBe(202);
  return r.data.job_id;
}

async function finish(jobId: string) {
  return waitFor(
    async () => {
      const r = await call("GET", `/api/images/${jobId}/status`);
      return ["COMPLETED", "FAILED"].includes(r.data?.status) ? r.data : null;
    },
    `image job ${jobId}`,
    150_000,
  );
}

const sent = (marker: string) => openai.generations().filter((r) => String(r.body.prompt).includes(marker));

describe("OpenAI Images, through the whole stack", () => {
  it("makes all images in one call, in the requested native size and format, into the gallery", async () => {
    const jobId = await submit({ prompt: "a red fox in snow", num_images: 3, size: "1024x1536", format: "WEBP" });
    expect(await finish(jobId)).toMatchObject({ status: "COMPLETED", error: null });
    const calls = sent("a red fox in snow");
    expect(calls).toHaveLength(1);
    expect(calls[0]?.body).toMatchObject({ model: "gpt-image-1", n: 3, size: "1024x1536", output_format: "webp" });

    const result = (await call("GET", `/api/images/${jobId}/result`)).data;
    expect(result.images).toHaveLength(3);
    for (const image of result.images) {
      const res = await fetchChecked(`${stack.webUrl}${image.url}`, {
        headers: { authorization: `Bearer ${user.token}` },
      });
      const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["webp", 1024, 1536]);
    }
    expect(result.metadata).toMatchObject({ model: "gpt-image-1" });
    expect(result.metadata.provider).toMatchObject({ provider: "openai", input_tokens: 20, total_tokens: 12_500 });
    const gallery = (await call("GET", "/api/images/user")).data;
    expect(gallery.generations.map((g: { job_id: string }) => g.job_id)).toContain(jobId);
  });

  it("refuses sizes and input images OpenAI cannot serve with a 422 naming the allowed values", async () => {
    const small = await call("POST", "/api/images/generate", { prompt: "x", size: "512x512" });
    expect([small.status, small.error.field]).toEqual([422, "size"]);
    expect(small.error.message).toContain("allowed: 1024x1024, 1536x1024, 1024x1536");
    const withInput = await call("POST", "/api/images/generate", {
      prompt: "x",
      size: "1024x1024",
      input_image_url: "https://example.com/a.png",
    });
    expect([withInput.status, withInput.error.field]).toEqual([422, "input_image_url"]);
  });

  it("fails a prompt the safety system refuses, saying so; waits out a 429; gives up on repeated 500s", async () => {
    const [blocked, busy, broken] = await Promise.all([
      submit({ prompt: "a fox [moderation]", size: "1024x1024" }),
      submit({ prompt: "a busy fox [429]", size: "1024x1024" }),
      submit({ prompt: "a broken fox [500]", size: "1024x1024" }),
    ]);
    const refused = await finish(blocked);
    expect(refused.status).toBe("FAILED");
    expect(refused.error).toContain("The prompt was blocked by OpenAI's safety system");
    expect(sent("a fox [moderation]")).toHaveLength(1);

    expect((await finish(busy)).status).toBe("COMPLETED");
    expect(sent("a busy fox [429]")).toHaveLength(2);

    const failed = await finish(broken);
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toContain("The OpenAI API had a temporary error (HTTP 500)");
  });

  it("says so in the health endpoints, and the form offers OpenAI's three sizes and no input image", async () => {
    const health = await (await fetchGenerator(`${stack.generatorUrl}/health`)).json();
    expect(health.providers.image).toEqual({ name: "openai", label: "OpenAI GPT Image", model: "gpt-image-1" });
    expect((await (await fetchChecked(`${stack.webUrl}/api/health`)).json()).providers.image.name).toBe("openai");

    const browser = await launchBrowser();
    try {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      await signUpThroughForm(page, stack.webUrl);
      await expect(page.locator(`[data-testid="model"] option:checked`).textContent()).resolves.toContain(
        "OpenAI GPT Image",
      );
      expect(await page.locator('[data-testid="size"] option').allTextContents()).toEqual([
        "1024 × 1024 (square)",
        "1536 × 1024 (landscape)",
        "1024 × 1536 (portrait)",
      ]);
      expect(await page.getByTestId("input-image-url").count()).toBe(0);
    } finally {
      await browser.close();
    }
  });
});
