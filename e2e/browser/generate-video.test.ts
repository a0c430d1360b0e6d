import { INPUT_IMAGE_MAX_BYTES } from "@sorami/contracts";
import type { Page } from "playwright-core";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { browserStack, shot, signUpThroughForm, waitInPage } from "../support/browser";

/** A safety net for a stuck job, not a timing requirement. */
const JOB_TIMEOUT_MS = 120_000;

function completedWithOneVideo(page: Page, what: string): Promise<void> {
  return waitInPage(
    page,
    what,
    () =>
      document.querySelector('[data-testid="job-status"]')?.textContent?.trim() === "COMPLETED" &&
      document.querySelectorAll('[data-testid="result-video"]').length === 1,
    JOB_TIMEOUT_MS,
  );
}

describe("generating videos in the browser", () => {
  const system = browserStack();

  it(
    "generates a 9:16 four-second video that plays, then finds it in the gallery",
    async () => {
      const { page, base } = await system.newPage({ width: 1280, height: 900 });
      const pageErrors: string[] = [];
      page.on("pageerror", (error) => pageErrors.push(error.message));
      const submissions: unknown[] = [];
      page.on("request", (request) => {
        if (request.method() === "POST" && request.url().endsWith("/api/videos/generate")) {
          submissions.push(request.postDataJSON());
        }
      });

      await signUpThroughForm(page, base);
      await Promise.all([
        page.waitForURL("**/generate-videos", { timeout: 30_000 }),
        page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Videos" }).click(),
      ]);

      // The form offers only what the local provider serves (drawn once the catalog has loaded).
      await page.getByTestId("duration").waitFor({ timeout: 30_000 });
      const durations = await page.getByTestId("duration").locator("option").allTextContents();
      expect(durations).toHaveLength(10);
      await expect(page.getByTestId("number-of-videos").locator("option").count()).resolves.toBe(4);

      // An input image over the limit is refused before anything is sent.
      await page.getByTestId("input-image-file").setInputFiles({
        name: "too-big.png",
        mimeType: "image/png",
        buffer: Buffer.alloc(INPUT_IMAGE_MAX_BYTES + 1),
      });
      await page.getByText("the limit is 7.0 MB").waitFor({ timeout: 10_000 });
      await page.getByRole("button", { name: /^Remove/ }).click();
      await page.getByText("the limit is 7.0 MB").waitFor({ state: "detached", timeout: 10_000 });

      const prompt = "A paper boat drifting across a calm lake at sunrise";
      await page.getByTestId("prompt").fill(prompt);
      await page.getByTestId("negative-prompt").fill("text, watermarks");
      await page.getByTestId("aspect-ratio").selectOption("9:16");
      await page.getByTestId("duration").selectOption("4");
      await page.getByTestId("generate-submit").click();
      await page.getByTestId("job-status").waitFor({ timeout: 30_000 });
      await expect(page.getByTestId("job-progress").getAttribute("role")).resolves.toBe("progressbar");
      await page.screenshot({ path: shot("video-progress"), fullPage: true, animations: "disabled" });

      expect(submissions).toEqual([
        {
          prompt,
          // The form names the model the job runs on: the preselected default.
          model: "local-video-v1",
          negative_prompt: "text, watermarks",
          aspect_ratio: "9:16",
          duration_seconds: 4,
          number_of_videos: 1,
          person_generation: "ALLOW_ALL",
        },
      ]);

      await completedWithOneVideo(page, "job-status COMPLETED and one result video");
      await expect(page.getByTestId("job-progress").getAttribute("aria-valuenow")).resolves.toBe("100");

      // The browser reads the file itself: its real size and length, not only what the API says.
      const video = page.getByTestId("result-video");
      const metadata = await video.evaluate(async (v: HTMLVideoElement) => {
        if (v.readyState < HTMLMediaElement.HAVE_METADATA) {
          await new Promise<void>((resolve, reject) => {
            v.addEventListener("loadedmetadata", () => resolve(), { once: true });
            v.addEventListener("error", () => reject(new Error(`media error ${v.error?.code}: ${v.error?.message}`)), {
              once: true,
            });
          });
        }
        return { width: v.videoWidth, height: v.videoHeight, duration: v.duration, poster: v.poster };
      });
      expect(metadata.width).toBe(720);
      expect(metadata.height).toBe(1280);
      expect(Math.abs(metadata.duration - 4)).toBeLessThanOrEqual(0.5);
      expect(metadata.poster).toBeTruthy();
      await expect(page.getByText(/720 × 1280 · 4 s · /).count()).resolves.toBe(1);

      // It plays: muted, so autoplay rules allow it without a gesture.
      await video.evaluate(async (v: HTMLVideoElement) => {
        v.muted = true;
        await v.play();
      });
      await waitInPage(
        page,
        "the result video to play",
        () => (document.querySelector<HTMLVideoElement>('[data-testid="result-video"]')?.currentTime ?? 0) > 0,
        30_000,
      );
      await video.evaluate((v: HTMLVideoElement) => {
        v.pause();
        v.currentTime = 0;
      });
      await page.screenshot({ path: shot("video-done"), fullPage: true, animations: "disabled" });

      // The gallery shows images first; the Videos filter lists the video, and the URL says so.
      await page.goto(`${base}/gallery`);
      await Promise.all([
        page.waitForURL("**/gallery?kind=video", { timeout: 30_000 }),
        page.getByTestId("gallery-kind-video").click(),
      ]);
      await expect(page.getByTestId("gallery-kind-video").getAttribute("aria-current")).resolves.toBe("page");
      const item = page.getByTestId("gallery-item").first();
      await item.waitFor({ timeout: 30_000 });
      expect(await item.textContent()).toContain(prompt);
      await expect(page.getByTestId("gallery-item").count()).resolves.toBe(1);
      // The card shows the poster's thumbnail; the player is in the detail view.
      await expect(item.locator("img").getAttribute("src")).resolves.toMatch(/_thumb\.webp$/);
      await page.screenshot({ path: shot("video-gallery"), fullPage: true, animations: "disabled" });

      // A reload keeps the filter.
      await page.reload();
      await page.getByTestId("gallery-item").first().waitFor({ timeout: 30_000 });
      await expect(page.getByTestId("gallery-kind-video").getAttribute("aria-current")).resolves.toBe("page");

      expect(pageErrors).toEqual([]);
    },
    JOB_TIMEOUT_MS + 60_000,
  );

  it(
    "sends an uploaded input image, and shows the server's refusal of a fake one on its field",
    async () => {
      const { page, base } = await system.newPage({ width: 390, height: 844 });
      await signUpThroughForm(page, base);
      await page.goto(`${base}/generate-videos`);
      const bodies: Record<string, unknown>[] = [];
      page.on("request", (request) => {
        if (request.method() === "POST" && request.url().endsWith("/api/videos/generate")) {
          bodies.push(request.postDataJSON());
        }
      });

      await page.getByTestId("prompt").fill("A kite over a windy beach");
      await page.getByTestId("duration").selectOption("1");
      // Claims to be a PNG; only the server looks at the bytes.
      await page.getByTestId("input-image-file").setInputFiles({
        name: "fake.png",
        mimeType: "image/png",
        buffer: Buffer.from("this is not an image"),
      });
      await page.getByTestId("generate-submit").click();
      await page.locator("#input_image_base64-error").waitFor({ timeout: 30_000 });
      await expect(page.getByTestId("input-image-file").getAttribute("aria-invalid")).resolves.toBe("true");
      await expect(page.evaluate(() => document.activeElement?.getAttribute("name"))).resolves.toBe(
        "input_image_base64",
      );

      const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#3366cc" } })
        .png()
        .toBuffer();
      await page
        .getByTestId("input-image-file")
        .setInputFiles({ name: "start.png", mimeType: "image/png", buffer: png });
      await page.locator("#input_image_base64-error").waitFor({ state: "detached", timeout: 10_000 });
      await page.getByTestId("generate-submit").click();
      await completedWithOneVideo(page, "the job with an input image to complete with one video");
      expect(bodies).toHaveLength(2);
      expect(bodies[1]?.input_image_base64).toBe(`data:image/png;base64,${png.toString("base64")}`);
      expect(bodies[1]).not.toHaveProperty("input_image_url");
    },
    JOB_TIMEOUT_MS + 60_000,
  );
});
