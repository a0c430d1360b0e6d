import { describe, expect, it } from "vitest";
import { browserStack, shot, signInThroughForm, waitInPage } from "../support/browser";
import { api, signUp } from "../support/client";

/** Jobs submitted to fill more than one gallery page. */
const GALLERY_JOBS = 15;

describe("the live experience in the browser", () => {
  // Slow enough to take the web app down while a job runs; short webhook retries so it comes back quickly.
  const system = browserStack({ env: { LOCAL_PROVIDER_DELAY_MS: "4000", WEBHOOK_RETRY_SCHEDULE: "0,1,1,2,2,5,10" } });
  let firstJobId = "";

  it("follows a job pushed live, through a web server restart, without reloading", async () => {
    const stack = system.stack();
    const owner = await signUp(stack.webUrl, "Live Owner");
    const { page, base } = await system.newPage({ width: 1280, height: 900 });
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await signInThroughForm(page, base, owner.email);

    await page.getByTestId("prompt").fill("A lantern festival over a river, seen live");
    await page.getByTestId("num-images").selectOption("1");
    await page.getByTestId("size").selectOption("512x512");
    await page.getByTestId("generate-submit").click();
    await waitInPage(
      page,
      "the job generating, followed live",
      () =>
        document.querySelector('[data-testid="job-status"]')?.textContent?.trim() === "GENERATING" &&
        document.querySelector('[data-testid="live-indicator"]')?.textContent === "Live",
      30_000,
    );
    firstJobId = new URL(page.url()).searchParams.get("job") ?? "";
    expect(firstJobId).not.toBe("");
    await page.screenshot({ path: shot("live-progress"), fullPage: true, animations: "disabled" });
    await page.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });

    await stack.stopService("web");
    await waitInPage(
      page,
      "the page to notice the server is gone",
      () => document.querySelector('[data-testid="live-indicator"]')?.textContent !== "Live",
      30_000,
    );
    await page.screenshot({ path: shot("live-reconnecting"), fullPage: true, animations: "disabled" });
    await stack.startService("web");

    await waitInPage(
      page,
      "COMPLETED and the image loaded after the restart",
      () => {
        const status = document.querySelector('[data-testid="job-status"]')?.textContent?.trim();
        const images = Array.from(document.querySelectorAll<HTMLImageElement>('[data-testid="result-image"]'));
        return status === "COMPLETED" && images.length === 1 && images.every((i) => i.complete && i.naturalWidth > 0);
      },
      120_000,
    );
    // Same document: the page caught up by itself, nobody reloaded it.
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    await page.screenshot({ path: shot("live-resumed"), fullPage: true, animations: "disabled" });

    // Two tabs of the same user: a read in one clears the count in the other, live.
    const other = await page.context().newPage();
    await other.goto(`${base}/generate-images`);
    for (const p of [page, other]) {
      await waitInPage(
        p,
        "one unread notification",
        () => document.querySelector('[data-testid="notification-count"]')?.textContent?.trim() === "1",
        30_000,
      );
    }
    await page.getByTestId("notification-bell").click();
    await page.screenshot({ path: shot("notifications-open"), fullPage: true, animations: "disabled" });
    await page
      .getByRole("button", { name: /^Mark read/ })
      .first()
      .click();
    await other.getByTestId("notification-count").waitFor({ state: "detached", timeout: 15_000 });
    expect(pageErrors).toEqual([]);
  }, 240_000);

  it("shows a second user none of the first user's jobs, files or notifications", async () => {
    const { page, base } = await system.newPage({ width: 1024, height: 768 });
    const stranger = await signUp(system.stack().webUrl, "Stranger");
    await signInThroughForm(page, base, stranger.email);
    await page.goto(`${base}/gallery`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    await page.waitForLoadState("networkidle");
    expect(await page.getByTestId("gallery-item").count()).toBe(0);
    expect(await page.getByTestId("notification-count").count()).toBe(0);
    // Following the first user's job by its id finds nothing.
    await page.goto(`${base}/generate-images?job=${firstJobId}`);
    await page.getByText("Job not found").waitFor({ timeout: 15_000 });
    await page.screenshot({ path: shot("second-user"), fullPage: true, animations: "disabled" });
  }, 120_000);

  it("pages the gallery past its first page", async () => {
    const stack = system.stack();
    const user = await signUp(stack.webUrl, "Collector");
    const call = api(stack.webUrl, user.token);
    for (let i = 0; i < GALLERY_JOBS; i++) {
      const r = await call("POST", "/api/images/generate", { prompt: `gallery piece ${i}`, num_images: 1 });
      expect(r.status).toBe(202);
    }
    const { page, base } = await system.newPage({ width: 1280, height: 900 });
    await signInThroughForm(page, base, user.email);
    await page.goto(`${base}/gallery`);
    await page.getByTestId("gallery-item").first().waitFor({ timeout: 30_000 });
    const firstPage = await page.getByTestId("gallery-item").count();
    expect(firstPage).toBeLessThan(GALLERY_JOBS);
    // Scroll to the end (infinite scroll), pressing "Load more" where it is offered.
    for (let round = 0; round < 20 && (await page.getByTestId("gallery-item").count()) < GALLERY_JOBS; round++) {
      await page.mouse.wheel(0, 5000);
      const more = page.getByRole("button", { name: "Load more" });
      if (await more.isVisible().catch(() => false)) {
        await more.click().catch(() => {});
      }
      await page.waitForTimeout(300);
    }
    const items = await page.getByTestId("gallery-item").allTextContents();
    expect(items).toHaveLength(GALLERY_JOBS);
    // Newest first, each once.
    expect(items.map((t) => /gallery piece (\d+)/.exec(t)?.[1])).toEqual(
      Array.from({ length: GALLERY_JOBS }, (_, i) => String(GALLERY_JOBS - 1 - i)),
    );
    await page.screenshot({ path: shot("gallery-paged"), fullPage: true, animations: "disabled" });
  }, 180_000);
});
