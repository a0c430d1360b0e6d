import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { generateWebhookSecret } from "@sorami/contracts/signature";
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureChromium, launchBrowser, SCREENSHOTS, shot, signUpThroughForm, waitInPage } from "../support/browser";
import { api, fetchChecked, present, signUp, sql, waitFor } from "../support/client";
import { type DocumentsBackend, FAIL_MARKER, startDocumentsBackend } from "../support/documents-backend";
import { cleanUp, type NpmStart, npmStart } from "../support/launcher";
import { freePort } from "../support/stack";

/**
 * Sorami's web app in front of the team's own backend (issue 22): `npm start
 * -- --web-only` (PostgreSQL and the web app, nothing else) with
 * GENERATOR_URL pointing at a backend written from documents 000–004 alone
 * (e2e/support/documents-backend.ts), GENERATOR_API=documents and its bearer
 * token. Jobs submitted in Sorami's UI are completed by that backend's
 * webhooks (X-Webhook-Secret, as the documents send it, allowed here by
 * WEBHOOK_ACCEPT_LEGACY_SECRET=true; or Standard Webhooks), their files
 * fetched from the backend's presigned URLs, shown, downloaded, and read
 * back with the documents' own SQL.
 */
const TOKEN = "clerk-token-the-operator-gave-sorami";
const IMAGE_REQUEST_FIELDS = [
  "prompt",
  "job_id",
  "user_id",
  "input_image_url",
  "num_images",
  "size",
  "format",
  "style",
  "quality",
];

let backend: DocumentsBackend;
let run: NpmStart;
let secret: string;
let browser: Browser;
let base: string;

beforeAll(async () => {
  ensureChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const port = await freePort();
  // The secret both sides are configured with (document 000's WEBHOOK_SECRET), in the whsec_ form.
  secret = generateWebhookSecret();
  backend = await startDocumentsBackend({
    webhookBase: `http://localhost:${port}`,
    webhookSecret: secret,
    token: TOKEN,
  });
  run = await npmStart({
    port,
    args: ["--web-only"],
    env: {
      GENERATOR_URL: backend.url,
      GENERATOR_API: "documents",
      GENERATOR_AUTH: `bearer:${TOKEN}`,
      WEBHOOK_SECRET: secret,
      WEBHOOK_ACCEPT_LEGACY_SECRET: "true",
      // The backend's "bucket" is on this machine: the operator allows its host by name.
      REMOTE_MEDIA_ALLOWED_HOSTS: backend.host,
      // The reconciler looks at every job each second, so a job view it must not ask for would show.
      RECONCILE_INTERVAL_SECONDS: "1",
      JOB_STALE_SECONDS_IMAGE: "1",
      JOB_STALE_SECONDS_VIDEO: "1",
    },
  });
  base = run.webUrl;
  browser = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await cleanUp(run);
  await backend?.stop();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  return context.newPage();
}

const generateCalls = () => backend.received.filter((r) => r.method === "POST" && r.path.endsWith("/generate"));
const jobOf = (page: Page) => new URL(page.url()).searchParams.get("job") ?? "";

describe("npm start -- --web-only in front of a documents backend", () => {
  it("runs PostgreSQL and the web app only", () => {
    expect(Object.keys(run.record()?.processes ?? {})).toEqual(["web"]);
    expect(run.output()).toContain(`Web app only: jobs go to ${backend.url}`);
    expect(run.output()).toMatch(/\[migrate\] db:migrate: up to date/);
  });

  it("completes a job submitted in Sorami's UI: the documents' request, its webhooks, its files fetched, shown, downloaded", async () => {
    const page = await newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await signUpThroughForm(page, base);
    const prompt = "Un chat mignon avec des lunettes de soleil";
    await page.getByTestId("prompt").fill(prompt);
    await page.getByTestId("num-images").selectOption("2");
    await page.getByTestId("size").selectOption("512x512");
    await page.getByTestId("generate-submit").click();
    await waitInPage(
      page,
      "the job COMPLETED by the backend, with its 2 images loaded from Sorami",
      () => {
        const status = document.querySelector('[data-testid="job-status"]')?.textContent?.trim();
        const images = Array.from(document.querySelectorAll<HTMLImageElement>('[data-testid="result-image"]'));
        return status === "COMPLETED" && images.length === 2 && images.every((i) => i.complete && i.naturalWidth > 0);
      },
      90_000,
    );
    await page.screenshot({ path: shot("documents-backend-done"), fullPage: true, animations: "disabled" });
    const jobId = jobOf(page);

    // What the backend received: document 000's body exactly, with the operator's token and Sorami's job id.
    const call = generateCalls().find((c) => (c.body as { job_id?: string }).job_id === jobId);
    expect(call?.path).toBe("/api/images/generate");
    expect(call?.authorization).toBe(`Bearer ${TOKEN}`);
    expect(Object.keys(call?.body as object)).toEqual(IMAGE_REQUEST_FIELDS.filter((f) => f !== "input_image_url"));
    expect(call?.body).toMatchObject({ prompt, job_id: jobId, num_images: 2, size: "512x512", format: "PNG" });
    // Every stage it reported was taken, once.
    expect(backend.sent.filter((s) => s.jobId === jobId).map((s) => [s.status, s.answer])).toEqual([
      ["initializing", 200],
      ["generating", 200],
      ["saving", 200],
      ["completed", 200],
    ]);

    // The images shown are the backend's bytes, fetched into the job's own folder.
    const shown = await page
      .locator('[data-testid="result-image"]')
      .evaluateAll((imgs) => imgs.map((img) => (img as HTMLImageElement).getAttribute("src") ?? ""));
    expect(shown).toEqual([`/api/media/images/${jobId}/image_1.png`, `/api/media/images/${jobId}/image_2.png`]);
    for (const [i, src] of shown.entries()) {
      const served = Buffer.from(await (await page.request.get(`${base}${src}`)).body());
      expect(served.equals(backend.files.get(`images/${jobId}/image_${i + 1}.png`) ?? Buffer.alloc(0))).toBe(true);
    }
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("media-download").first().click(),
    ]);
    const saved = readFileSync((await download.path()) ?? "");
    expect(saved.equals(backend.files.get(`images/${jobId}/image_1.png`) ?? Buffer.alloc(0))).toBe(true);
    expect((await sharp(saved).metadata()).width).toBe(512);

    // …and in the gallery.
    await page.goto(`${base}/gallery`);
    const first = page.getByTestId("gallery-item").first();
    await first.waitFor({ timeout: 30_000 });
    expect(await first.textContent()).toContain(prompt);
    await waitInPage(
      page,
      "the gallery card's 2 images",
      () => {
        const images = Array.from(
          document.querySelector('[data-testid="gallery-item"]')?.querySelectorAll("img") ?? [],
        );
        return images.length === 2 && images.every((img) => img.complete && img.naturalWidth > 0);
      },
      30_000,
    );
    await page.screenshot({ path: shot("documents-backend-gallery"), fullPage: true, animations: "disabled" });

    // The reconciler (every second) never asked the backend for what document 000 does not define,
    // nor sent the job twice.
    expect(backend.received.filter((r) => r.path.startsWith("/api/jobs"))).toEqual([]);
    expect(generateCalls().filter((c) => (c.body as { job_id?: string }).job_id === jobId)).toHaveLength(1);
    expect(pageErrors).toEqual([]);

    // The documents' own SQL (documents 000, 001, 004), as written, after SET search_path TO documents, public.
    const client = new pg.Client({ connectionString: run.databaseUrl() });
    await client.connect();
    try {
      await client.query("SET search_path TO documents, public");
      const q = async (text: string) => (await client.query(text)).rows;
      expect(await q(`SELECT * FROM image_generations WHERE id = '${jobId}';`)).toEqual([
        expect.objectContaining({ id: jobId, prompt, status: "COMPLETED", numimages: 2, size: "512x512" }),
      ]);
      const files = await q(`SELECT * FROM image_files WHERE generationId = '${jobId}';`);
      expect(files.map((f) => [f.s3key, f.fileurl, f.filename])).toEqual([
        [`images/${jobId}/image_1.png`, `/api/media/images/${jobId}/image_1.png`, "image_1.png"],
        [`images/${jobId}/image_2.png`, `/api/media/images/${jobId}/image_2.png`, "image_2.png"],
      ]);
      expect(
        await q(
          "SELECT id, prompt, status, progress, createdAt \nFROM image_generations \nORDER BY createdAt DESC \nLIMIT 5;",
        ),
      ).toEqual([expect.objectContaining({ id: jobId, progress: 100 })]);
      const joined = await q(
        "SELECT ig.prompt, if.fileUrl, if.fileSize\nFROM image_files if\nJOIN image_generations ig ON if.generationId = ig.id\nORDER BY if.createdAt DESC;",
      );
      expect(joined.map((r) => r.prompt)).toEqual([prompt, prompt]);
      expect(
        await q("SELECT * FROM notifications \nWHERE type = 'IMAGE_COMPLETED' \nORDER BY createdAt DESC \nLIMIT 5;"),
      ).toHaveLength(1);
      await expect(q(`UPDATE image_generations SET prompt = 'changed' WHERE id = '${jobId}'`)).rejects.toThrow(
        /cannot update view/,
      );
    } finally {
      await client.end();
    }
  }, 180_000);

  it("shows the backend's failure with its error_message", async () => {
    const page = await newPage();
    await signUpThroughForm(page, base);
    await page.getByTestId("prompt").fill(`Un chat ${FAIL_MARKER}`);
    await page.getByTestId("generate-submit").click();
    // The job panel says it (the notification list, closed, says it too).
    await page
      .getByText("Erreur lors de la génération: Quota API dépassé")
      .filter({ visible: true })
      .first()
      .waitFor({ timeout: 60_000 });
    await expect(page.getByTestId("job-status").textContent()).resolves.toBe("FAILED");
  }, 120_000);

  it("says a file is missing, and why, when the backend's presigned URL has expired", async () => {
    const page = await newPage();
    await signUpThroughForm(page, base);
    backend.set({ urlLifetimeSeconds: 0 });
    try {
      await page.getByTestId("prompt").fill("Un phare sous la pluie");
      await page.getByTestId("size").selectOption("512x512");
      await page.getByTestId("generate-submit").click();
      await page.getByTestId("media-file-missing").waitFor({ timeout: 90_000 });
      await expect(page.getByTestId("job-status").textContent()).resolves.toBe("COMPLETED");
      expect(await page.getByTestId("media-file-missing").textContent()).toMatch(/missing: .*answered HTTP 403/);
      expect(await page.getByTestId("media-download").count()).toBe(0);
      await page.screenshot({ path: shot("documents-backend-missing"), fullPage: true, animations: "disabled" });
    } finally {
      backend.set({ urlLifetimeSeconds: 24 * 3600 });
    }
  }, 120_000);

  it("sends document 004's video request (input image as base64) and takes Standard Webhooks too", async () => {
    const user = await signUp(base, "Video");
    backend.set({ signing: "standard-webhooks" });
    try {
      const input = await sharp({ create: { width: 64, height: 36, channels: 3, background: "#336699" } })
        .png()
        .toBuffer();
      const accepted = await api(base, user.token)("POST", "/api/videos/generate", {
        prompt: "Un chat astronaute",
        aspect_ratio: "16:9",
        duration_seconds: 8,
        number_of_videos: 1,
        input_image_base64: input.toString("base64"),
      });
      expect(accepted.status).toBe(202);
      const jobId = accepted.data.job_id;
      const result = await waitFor(async () => {
        const r = await api(base, user.token)("GET", `/api/videos/${jobId}/result`);
        return r.data.videos[0]?.state === "stored" ? r.data : null;
      }, "the video fetched from the backend");
      const call = generateCalls().find((c) => (c.body as { job_id?: string }).job_id === jobId);
      expect(call?.path).toBe("/api/videos/generate");
      expect(call?.body).toEqual({
        prompt: "Un chat astronaute",
        aspect_ratio: "16:9",
        duration_seconds: 8,
        number_of_videos: 1,
        person_generation: expect.any(String),
        input_image_base64: input.toString("base64"),
        job_id: jobId,
        user_id: user.id,
      });
      const stored = await fetchChecked(`${base}${present(result.videos[0]).url}`, {
        headers: { authorization: `Bearer ${user.token}` },
      });
      expect(
        Buffer.from(await stored.arrayBuffer()).equals(
          backend.files.get(`videos/${jobId}/video_1.mp4`) ?? Buffer.alloc(0),
        ),
      ).toBe(true);
      // Document 004's gallery shape for videos too: `id` beside `job_id`, `fileUrl` beside `url`, same values.
      const gallery = await api(base, user.token)("GET", "/api/videos/user");
      const listed = present(
        gallery.data.generations.find((g) => g.job_id === jobId),
        "the video job in the gallery",
      );
      expect(listed.id).toBe(jobId);
      const video = present(listed.videos[0], "its video");
      expect(video.fileUrl).toBe(video.url);
    } finally {
      backend.set({ signing: "x-webhook-secret" });
    }
  }, 120_000);

  it("keeps a backend-direct job's prompt, and lists it in the documents' gallery shape (id, fileUrl)", async () => {
    const user = await signUp(base, "Direct");
    backend.set({ proposals: true });
    try {
      // Document 003's scenario 2: the backend called directly, without a job_id; it reports user_id and the prompt.
      const direct = await fetch(`${backend.url}/api/images/generate`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ prompt: "Un chat en apesanteur", user_id: user.id, num_images: 1, size: "256x256" }),
      });
      const jobId = ((await direct.json()) as { job_id: string }).job_id;
      const page = await waitFor(async () => {
        const r = await api(base, user.token)("GET", "/api/images/user");
        const g = r.data.generations[0];
        return g?.kind === "image" && g.images[0]?.state === "stored" ? r.data : null;
      }, "the backend-direct job in the gallery, its file stored");
      const g = present(page.generations[0], "the backend-direct job");
      expect(g).toMatchObject({ id: jobId, job_id: jobId, prompt: "Un chat en apesanteur", status: "COMPLETED" });
      const image = present(g.images[0], "its image");
      expect(image.fileUrl).toBe(image.url);
    } finally {
      backend.set({ proposals: false });
    }
  }, 120_000);

  it("accepts document 002's dev payload (a url, no file_path) with its X-Webhook-Secret", async () => {
    const user = await signUp(base, "Curl");
    // A job Sorami created (document 002's test-123, here a real one of this user).
    const jobId = `test-${randomUUID()}`;
    await sql(
      run.databaseUrl(),
      "insert into generations (id, kind, author_id, prompt, params, status) values ($1, 'image', $2, 'test', '{}', 'PENDING')",
      [jobId, user.id],
    );
    // Document 002's "Développement" curl, with a file the backend really serves and the production header.
    const served = [...backend.files.keys()].find((k) => k.startsWith("images/")) ?? "";
    const body = JSON.stringify({
      job_id: jobId,
      status: "completed",
      timestamp: new Date().toISOString(),
      data: {
        job_id: jobId,
        images: [{ url: backend.presignedUrl(served), format: "PNG", dimensions: "512x512", size_bytes: 2048576 }],
        metadata: { model_name: "gemini-2.0-flash-exp", generation_time_seconds: 12.5 },
      },
    });
    const res = await fetchChecked(`${base}/api/webhooks/image-completion`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-webhook-secret": secret },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, job_id: jobId, images_count: 1 });
    const result = await waitFor(async () => {
      const r = await api(base, user.token)("GET", `/api/images/${jobId}/result`);
      return r.data.images[0]?.state === "stored" ? r.data : null;
    }, "the file fetched under a key Sorami made");
    expect(result.images[0]).toMatchObject({
      url: `/api/media/images/${jobId}/remote_1.png`,
      fileUrl: `/api/media/images/${jobId}/remote_1.png`,
      size_bytes: backend.files.get(served)?.length,
    });
    // The same header with a stale body timestamp is a replay: refused.
    const stale = body.replace(/"timestamp":"[^"]+"/, `"timestamp":"${new Date(Date.now() - 3600_000).toISOString()}"`);
    const replay = await fetchChecked(`${base}/api/webhooks/image-completion`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-webhook-secret": secret },
      body: stale,
    });
    expect(replay.status).toBe(401);
  }, 120_000);
});
