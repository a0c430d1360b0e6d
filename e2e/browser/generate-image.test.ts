import { describe, expect, it } from "vitest";
import { browserStack, shot, signUpThroughForm, waitInPage } from "../support/browser";

describe("generating images in the browser", () => {
  const system = browserStack();

  it("signs up, generates two images, and finds them in the gallery and the notifications", async () => {
    const { page, base } = await system.newPage({ width: 1280, height: 900 });
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
  }, 120_000);

  it("shows a failed job's error and retries it with the same parameters", async () => {
    const { page, base } = await system.newPage({ width: 390, height: 844 });
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
      if (failedOnce) {
        return route.continue();
      }
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
  }, 120_000);

  it("says so, with a button to try again, when a finished job's files cannot be read, and loads them on that try", async () => {
    const { page, base } = await system.newPage({ width: 1280, height: 900 });
    await signUpThroughForm(page, base);
    // The network drops every read of the result until the test lets it through.
    let reads = 0;
    let blocked = true;
    await page.route("**/api/images/*/result", async (route) => {
      reads++;
      return blocked ? route.abort("connectionreset") : route.continue();
    });

    await page.getByTestId("prompt").fill("A kite over the dunes");
    await page.getByTestId("size").selectOption("256x256");
    await page.getByTestId("generate-submit").click();
    await page.getByTestId("result-error").waitFor({ timeout: 60_000 });
    await expect(page.getByTestId("job-status").textContent()).resolves.toBe("COMPLETED");
    expect(reads).toBe(3); // read, then read again twice, before saying so
    expect(await page.getByTestId("result-image").count()).toBe(0);

    blocked = false;
    await page.getByTestId("result-error").getByRole("button", { name: "Try again" }).click();
    await waitInPage(
      page,
      "the result image after trying again",
      () =>
        document.querySelectorAll('[data-testid="result-image"]').length === 1 &&
        !document.querySelector('[data-testid="result-error"]'),
      30_000,
    );
  }, 120_000);
});
