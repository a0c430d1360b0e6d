import { describe, expect, it } from "vitest";
import { browserStack, shot, signInThroughForm, waitInPage } from "../support/browser";
import { api, signUp, waitFor } from "../support/client";

/**
 * The library in a browser: the gallery open in one tab follows a job
 * started in another (it appears, runs, completes) and drops it when it is
 * deleted; the search form and the Favourites filter; a share link opened
 * by someone with no account.
 */
describe("the library in the browser", () => {
  // Slow enough to see the card run before it completes.
  const system = browserStack({ env: { LOCAL_PROVIDER_DELAY_MS: "2500" } });

  it("shows a job started in another tab appear, complete and leave when deleted, live", async () => {
    const stack = system.stack();
    const owner = await signUp(stack.webUrl, "Library Owner");
    const call = api(stack.webUrl, owner.token);
    const earlier = await call("POST", "/api/images/generate", { prompt: "an earlier harbour", size: "256x256" });
    await waitFor(async () => {
      const r = await call("GET", `/api/images/${earlier.data.job_id}/status`);
      return r.data.status === "COMPLETED";
    }, "the earlier job");

    const { page, base } = await system.newPage({ width: 1280, height: 900 });
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await signInThroughForm(page, base, owner.email);
    await page.goto(`${base}/gallery`);
    await waitInPage(
      page,
      "the gallery's first card",
      () => document.querySelectorAll('[data-testid="gallery-item"]').length === 1,
      30_000,
    );

    // The other tab, same browser and session: start a job there.
    const other = await page.context().newPage();
    await other.goto(`${base}/generate-images`);
    await other.getByTestId("prompt").fill("A paper boat on a canal, watched from the gallery");
    await other.getByTestId("num-images").selectOption("1");
    await other.getByTestId("size").selectOption("256x256");
    await other.getByTestId("generate-submit").click();
    await waitInPage(other, "the job to start", () => new URL(location.href).searchParams.has("job"), 30_000);
    const jobId = new URL(other.url()).searchParams.get("job") ?? "";
    expect(jobId).not.toBe("");

    await waitInPage(
      page,
      "the new job's card at the top of the gallery, running",
      () => {
        const first = document.querySelector('[data-testid="gallery-item"]');
        return Boolean(first?.textContent?.includes("A paper boat") && !first.textContent.includes("Completed"));
      },
      30_000,
    );
    await page.screenshot({ path: shot("library-live-running"), fullPage: true, animations: "disabled" });
    await waitInPage(
      page,
      "the card completed with its image loaded",
      () => {
        const card = document.querySelector('[data-testid="gallery-item"]');
        const img = card?.querySelector("img");
        return Boolean(card?.textContent?.includes("Completed") && img?.complete && img.naturalWidth > 0);
      },
      60_000,
    );
    expect(await page.getAttribute('[data-testid="gallery-item"]', "data-job-id")).toBe(jobId);
    await page.screenshot({ path: shot("library-live-completed"), fullPage: true, animations: "disabled" });

    // Deleted in the other tab (through its detail page): the card leaves this one.
    await other.goto(`${base}/gallery/${jobId}`);
    await other.getByTestId("detail-delete").click();
    await other.getByTestId("detail-delete-confirm").click();
    await waitInPage(
      page,
      "the deleted job's card to leave",
      () =>
        !Array.from(document.querySelectorAll('[data-testid="gallery-item"]')).some((c) =>
          c.textContent?.includes("A paper boat"),
        ),
      30_000,
    );
    expect(await page.locator('[data-testid="gallery-item"]').count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });

  it("searches from the form, stars a card, filters favourites, and opens a share link with no account", async () => {
    const stack = system.stack();
    const owner = await signUp(stack.webUrl, "Library Searcher");
    const call = api(stack.webUrl, owner.token);
    const prompts = ["黒い猫が窓辺で眠っている", "a lighthouse in the fog", "a lighthouse at noon"];
    const ids: string[] = [];
    for (const prompt of prompts) {
      const r = await call("POST", "/api/images/generate", { prompt, size: "256x256" });
      ids.push(r.data.job_id);
    }
    await waitFor(
      async () => {
        const page = await call("GET", "/api/images/user?status=completed");
        return page.data.generations.length === prompts.length;
      },
      "three completed jobs",
      120_000,
    );

    const { page, base } = await system.newPage({ width: 1280, height: 900 });
    await signInThroughForm(page, base, owner.email);
    await page.goto(`${base}/gallery`);
    await page.getByTestId("gallery-search-q").fill("猫");
    await page.getByTestId("gallery-search-submit").click();
    await page.waitForURL(/q=/);
    await waitInPage(
      page,
      "one result for 猫",
      () => {
        const cards = document.querySelectorAll('[data-testid="gallery-item"]');
        return cards.length === 1 && Boolean(cards[0]?.textContent?.includes("黒い猫"));
      },
      30_000,
    );
    await page.screenshot({ path: shot("library-search"), fullPage: true, animations: "disabled" });

    await page.goto(`${base}/gallery?q=lighthouse`);
    await waitInPage(
      page,
      "two lighthouses",
      () => document.querySelectorAll('[data-testid="gallery-item"]').length === 2,
      30_000,
    );
    await page.locator('[data-testid="gallery-item"]', { hasText: "fog" }).getByTestId("star").click();
    await waitInPage(page, "the star pressed", () => document.querySelector('[aria-pressed="true"]') !== null, 10_000);
    await page.getByTestId("gallery-search-favorite").check();
    await page.getByTestId("gallery-search-submit").click();
    await page.waitForURL(/favorite=true/);
    await waitInPage(
      page,
      "only the starred lighthouse",
      () => {
        const cards = document.querySelectorAll('[data-testid="gallery-item"]');
        return cards.length === 1 && Boolean(cards[0]?.textContent?.includes("fog"));
      },
      30_000,
    );

    // Share it from its detail page; open the link in a context with no cookies.
    await page.goto(`${base}/gallery/${ids[1]}`);
    await page.getByTestId("share-expiry").selectOption({ label: "1 day" });
    await page.getByTestId("share-create").click();
    const link = await page.getByTestId("share-link").inputValue();
    expect(link).toMatch(/\/s\/[A-Za-z0-9_-]{43}$/);
    await page.screenshot({ path: shot("library-share-made"), fullPage: true, animations: "disabled" });
    const stranger = await system.newPage({ width: 1024, height: 800 });
    await stranger.page.goto(link);
    await waitInPage(
      stranger.page,
      "the shared image loaded",
      () => {
        const img = document.querySelector<HTMLImageElement>('[data-testid="shared-file"] img');
        return Boolean(img?.complete && img.naturalWidth > 0);
      },
      30_000,
    );
    expect(await stranger.page.getByTestId("shared-prompt").textContent()).toBe("a lighthouse in the fog");
    const html = await stranger.page.content();
    for (const secret of [owner.id, owner.email, "Library Searcher", ids[0], ids[1], ids[2]]) {
      expect(html.includes(secret ?? "?"), `the share page shows ${secret}`).toBe(false);
    }
    await stranger.page.screenshot({ path: shot("library-share-public"), fullPage: true, animations: "disabled" });

    await page.getByTestId("share-revoke").click();
    await waitInPage(page, "the link revoked", () => !document.querySelector('[data-testid="share-revoke"]'), 10_000);
    const gone = await stranger.page.goto(link);
    expect(gone?.status()).toBe(404);
  });
});
