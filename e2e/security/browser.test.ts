import { describe, expect, it } from "vitest";
import { browserStack, signUpThroughForm, waitInPage } from "../support/browser";

/**
 * The Content-Security-Policy in a real browser: every page works under it
 * (no violation while signing up, generating an image and a video, and
 * browsing the gallery and notifications), the app cannot be framed, and a
 * prompt made of markup is shown as text everywhere, never run as HTML.
 */
const JOB_TIMEOUT_MS = 120_000;
const MARKUP_PROMPT = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><b id="injected">bold</b> & "quotes"`;

describe("the browser's view of the app's defences", () => {
  const system = browserStack();

  it("runs every page under the CSP without a violation, and shows a markup prompt as text", async () => {
    const { page, base } = await system.newPage({ width: 1280, height: 900 });
    const violations: string[] = [];
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (msg) => {
      if (/Content Security Policy|Refused to/i.test(msg.text())) {
        violations.push(msg.text());
      }
    });
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        const w = window as unknown as { __csp?: string[] };
        w.__csp ??= [];
        w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    const injected = () =>
      page.evaluate(() => ({
        xss: (window as unknown as { __xss?: number }).__xss ?? null,
        elements: document.querySelectorAll('#injected, img[src="x"]').length,
        csp: (window as unknown as { __csp?: string[] }).__csp ?? [],
      }));

    await signUpThroughForm(page, base);
    await page.getByTestId("prompt").fill(MARKUP_PROMPT);
    await page.getByTestId("size").selectOption("256x256");
    await page.getByTestId("generate-submit").click();
    await waitInPage(
      page,
      "the image job COMPLETED with its image loaded",
      () => {
        const images = Array.from(document.querySelectorAll<HTMLImageElement>('[data-testid="result-image"]'));
        return (
          document.querySelector('[data-testid="job-status"]')?.textContent?.trim() === "COMPLETED" &&
          images.length === 1 &&
          images.every((img) => img.complete && img.naturalWidth > 0)
        );
      },
      JOB_TIMEOUT_MS,
    );
    expect(await page.locator("main").textContent()).toContain(MARKUP_PROMPT);
    expect(await injected()).toEqual({ xss: null, elements: 0, csp: [] });

    await page.goto(`${base}/generate-videos`);
    await page.getByTestId("prompt").fill(MARKUP_PROMPT);
    await page.getByTestId("duration").selectOption("1");
    await page.getByTestId("generate-submit").click();
    await waitInPage(
      page,
      "the video job COMPLETED with its video's metadata loaded",
      () =>
        document.querySelector('[data-testid="job-status"]')?.textContent?.trim() === "COMPLETED" &&
        Array.from(document.querySelectorAll<HTMLVideoElement>('[data-testid="result-video"] video, video')).some(
          (v) => v.readyState >= 1,
        ),
      JOB_TIMEOUT_MS,
    );
    expect(await injected()).toEqual({ xss: null, elements: 0, csp: [] });

    for (const path of ["/gallery", "/notifications"]) {
      await page.goto(`${base}${path}`);
      // Notifications quote the prompt's first 80 characters.
      await page
        .locator("main")
        .getByText(MARKUP_PROMPT.slice(0, 40), { exact: false })
        .first()
        .waitFor({ timeout: 30_000 });
      expect(await injected(), path).toEqual({ xss: null, elements: 0, csp: [] });
    }
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 300_000);

  it("cannot be framed by another page", async () => {
    const { page, base } = await system.newPage({ width: 800, height: 600 });
    const refusals: string[] = [];
    page.on("console", (msg) => {
      if (/frame-ancestors|X-Frame-Options|Refused to (display|frame)/i.test(msg.text())) {
        refusals.push(msg.text());
      }
    });
    await page.setContent(`<iframe id="app" src="${base}/sign-in" width="600" height="400"></iframe>`);
    // The refusal is reported on the console; the frame never shows the app.
    for (let i = 0; i < 100 && refusals.length === 0; i++) {
      await page.waitForTimeout(100);
    }
    expect(refusals.length).toBeGreaterThan(0);
    const frame = page.frames().find((f) => f.url().startsWith(base));
    const shown = frame
      ? await frame
          .locator("form")
          .count()
          .catch(() => 0)
      : 0;
    expect(shown).toBe(0);
  });
});
