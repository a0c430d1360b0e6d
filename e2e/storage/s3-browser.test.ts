import { startTestS3, type TestS3 } from "@sorami/storage/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserStack, shot, signUpThroughForm, waitInPage } from "../support/browser";

/** A safety net for a stuck job, not a timing requirement. */
const JOB_TIMEOUT_MS = 120_000;

// The bucket's server must run before the stack reads its env: this hook is registered first.
let s3: TestS3;
const env: Record<string, string> = { LOCAL_PROVIDER_DELAY_MS: "0" };
beforeAll(async () => {
  s3 = await startTestS3();
  Object.assign(env, s3.env());
});
afterAll(async () => s3?.stop());

describe("media from S3 in a real browser", () => {
  const system = browserStack({ env });

  it(
    "shows images and plays and seeks a video served by signed redirects to the bucket",
    async () => {
      const { page, base } = await system.newPage({ width: 1280, height: 900 });
      const pageErrors: string[] = [];
      page.on("pageerror", (error) => pageErrors.push(error.message));
      const fromBucket: { status: number; range: string | null }[] = [];
      page.on("response", async (response) => {
        if (response.url().startsWith(s3.endpoint)) {
          fromBucket.push({ status: response.status(), range: (await response.request().allHeaders()).range ?? null });
        }
      });
      await signUpThroughForm(page, base);

      await page.getByTestId("prompt").fill("a lantern in the snow");
      await page.getByTestId("size").selectOption("512x512");
      await page.getByTestId("generate-submit").click();
      await waitInPage(
        page,
        "the result image to be drawn",
        () => {
          const img = document.querySelector<HTMLImageElement>('[data-testid="result-image"]');
          return Boolean(img?.complete && img.naturalWidth === 512);
        },
        JOB_TIMEOUT_MS,
      );
      expect(fromBucket.some((r) => r.status === 200)).toBe(true);

      await page.goto(`${base}/generate-videos`);
      await page.getByTestId("prompt").fill("a windmill turning");
      await page.getByTestId("duration").selectOption("3");
      await page.getByTestId("generate-submit").click();
      await waitInPage(
        page,
        "the result video",
        () => document.querySelectorAll('[data-testid="result-video"]').length === 1,
        JOB_TIMEOUT_MS,
      );
      const video = page.getByTestId("result-video");
      const played = await video.evaluate(async (v: HTMLVideoElement) => {
        const once = (event: string) =>
          new Promise<void>((resolve, reject) => {
            v.addEventListener(event, () => resolve(), { once: true });
            v.addEventListener("error", () => reject(new Error(`media error ${v.error?.code}: ${v.error?.message}`)), {
              once: true,
            });
          });
        if (v.readyState < HTMLMediaElement.HAVE_METADATA) {
          await once("loadedmetadata");
        }
        v.muted = true;
        await v.play();
        v.pause();
        v.currentTime = 2.5; // seek near the end: the player fetches that part by byte range
        await once("seeked");
        return { duration: v.duration, at: v.currentTime, width: v.videoWidth };
      });
      expect(Math.abs(played.duration - 3)).toBeLessThanOrEqual(0.5);
      expect(played.at).toBeGreaterThan(2);
      expect(played.width).toBe(1280);
      // The video's bytes came from the bucket, by range, not through the web app.
      expect(fromBucket.some((r) => r.status === 206 && r.range?.startsWith("bytes="))).toBe(true);
      await page.screenshot({ path: shot("s3-video"), fullPage: true, animations: "disabled" });
      expect(pageErrors).toEqual([]);
    },
    JOB_TIMEOUT_MS * 2 + 60_000,
  );
});
