import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureChromium, launchBrowser } from "../support/browser";
import { startStack } from "../support/stack";

const SCREENSHOTS = fileURLToPath(new URL("../screenshots/", import.meta.url));
const shot = (name: string) => path.join(SCREENSHOTS, `${name}.png`);

/**
 * Waits for a condition evaluated in the page. On timeout the error says what
 * was awaited and what the page showed, instead of a bare "Timeout".
 */
async function waitInPage(page: Page, what: string, fn: () => boolean, timeout: number): Promise<void> {
  try {
    await page.waitForFunction(fn, undefined, { timeout, polling: 250 });
  } catch (error) {
    const status = await page
      .locator('[data-testid="job-status"]')
      .first()
      .textContent({ timeout: 1000 })
      .catch(() => null);
    const alerts = await page
      .locator('[role="alert"]')
      .allTextContents()
      .catch(() => []);
    await page.screenshot({ path: shot("failure"), fullPage: true, animations: "disabled" }).catch(() => {});
    throw new Error(
      `Timed out waiting for ${what} at ${page.url()} (job-status: ${status ?? "none"}; alerts: ${JSON.stringify(alerts)}): ${(error as Error).message}`,
    );
  }
}

/** Signs a fresh user up through the form and lands on /generate-images. */
async function signUpThroughForm(page: Page, base: string, screenshot?: string): Promise<void> {
  await page.goto(`${base}/sign-up`);
  const email = `browser-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  await page.getByTestId("name").fill("Browser Tester");
  await page.getByTestId("email").fill(email);
  await page.getByTestId("password").fill("correct horse battery");
  if (screenshot) await page.screenshot({ path: shot(screenshot), fullPage: true, animations: "disabled" });
  await Promise.all([page.waitForURL("**/generate-images", { timeout: 30_000 }), page.getByTestId("submit").click()]);
}

describe("generating images in the browser", () => {
  let stack: Awaited<ReturnType<typeof startStack>> | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    // May install Debian's chromium first, which can take minutes on a fresh machine.
    ensureChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
    stack = await startStack();
    browser = await launchBrowser();
  }, 900_000);

  afterAll(async () => {
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await stack?.stop();
  });

  it("signs up, generates two images, and finds them in the gallery and the notifications", async () => {
    if (!stack || !browser) throw new Error("setup did not finish");
    const base = stack.webUrl;
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));

    await signUpThroughForm(page, base, "sign-up");

    // Generate two 512x512 images and follow the job to the end.
    const prompt = "A red paper boat on a calm lake in the morning light";
    await page.getByTestId("prompt").fill(prompt);
    await page.getByTestId("num-images").selectOption("2");
    await page.getByTestId("size").selectOption("512x512");
    await page.getByTestId("generate-submit").click();
    await page.getByTestId("job-status").waitFor({ timeout: 30_000 });
    await expect(page.getByTestId("job-progress").getAttribute("role")).resolves.toBe("progressbar");
    await page.screenshot({ path: shot("generate-progress"), fullPage: true, animations: "disabled" });

    await waitInPage(
      page,
      "job-status COMPLETED and 2 loaded result images",
      () => {
        const status = document.querySelector('[data-testid="job-status"]')?.textContent?.trim();
        const images = Array.from(document.querySelectorAll<HTMLImageElement>('[data-testid="result-image"]'));
        return (
          status === "COMPLETED" && images.length === 2 && images.every((img) => img.complete && img.naturalWidth > 0)
        );
      },
      60_000,
    );
    await expect(page.getByTestId("job-progress").getAttribute("aria-valuenow")).resolves.toBe("100");
    await page.screenshot({ path: shot("generate-done"), fullPage: true, animations: "disabled" });

    // The generation is in the gallery, newest first, with its thumbnails.
    await page.goto(`${base}/gallery`);
    const first = page.getByTestId("gallery-item").first();
    await first.waitFor({ timeout: 30_000 });
    expect(await first.textContent()).toContain(prompt);
    await waitInPage(
      page,
      "the gallery item's 2 thumbnails",
      () => {
        const item = document.querySelector('[data-testid="gallery-item"]');
        const images = Array.from(item?.querySelectorAll("img") ?? []);
        return images.length === 2 && images.every((img) => img.complete && img.naturalWidth > 0);
      },
      30_000,
    );
    await page.screenshot({ path: shot("gallery"), fullPage: true, animations: "disabled" });

    // The completed job left an unread notification, counted on the bell.
    await waitInPage(
      page,
      "notification-count >= 1",
      () => Number.parseInt(document.querySelector('[data-testid="notification-count"]')?.textContent ?? "0", 10) >= 1,
      30_000,
    );

    // The bell opens the list, and marking all read clears the count.
    await page.getByTestId("notification-bell").click();
    await expect(page.getByTestId("notification-bell").getAttribute("aria-expanded")).resolves.toBe("true");
    await page.getByRole("button", { name: "Mark all read" }).click();
    await page.getByTestId("notification-count").waitFor({ state: "detached", timeout: 15_000 });

    expect(pageErrors).toEqual([]);
    await context.close();
  }, 120_000);

  it("shows a failed job's error and retries it with the same parameters", async () => {
    if (!stack || !browser) throw new Error("setup did not finish");
    const base = stack.webUrl;
    context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await signUpThroughForm(page, base);

    const submissions: { body: unknown; key: string | undefined }[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && request.url().endsWith("/api/images/generate")) {
        submissions.push({ body: request.postDataJSON(), key: request.headers()["idempotency-key"] });
      }
    });
    // The local provider never fails, so the first job's status is made to say it did.
    let failedOnce = false;
    await page.route("**/api/images/*/status", async (route) => {
      if (failedOnce) return route.continue();
      failedOnce = true;
      const body = await (await route.fetch()).json();
      await route.fulfill({
        json: { ...body, status: "FAILED", progress: 60, error: "The provider ran out of paint" },
      });
    });

    await page.getByTestId("prompt").fill("A tall lighthouse at dusk");
    await page.getByTestId("size").selectOption("720x1280");
    await page.getByTestId("generate-submit").click();
    await page.getByText("The provider ran out of paint").waitFor({ timeout: 30_000 });
    await expect(page.getByTestId("job-status").textContent()).resolves.toBe("FAILED");

    await page.getByRole("button", { name: "Try again" }).click();
    await waitInPage(
      page,
      "the retried job to complete with 1 image",
      () =>
        document.querySelector('[data-testid="job-status"]')?.textContent === "COMPLETED" &&
        document.querySelectorAll('[data-testid="result-image"]').length === 1,
      60_000,
    );
    expect(submissions).toHaveLength(2);
    expect(submissions[1]?.body).toEqual(submissions[0]?.body);
    expect(submissions[0]?.key).toBeTruthy();
    expect(submissions[1]?.key).not.toBe(submissions[0]?.key);
    await context.close();
  }, 120_000);
});
