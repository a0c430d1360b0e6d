import { describe, expect, it } from "vitest";
import { PASSWORD } from "../security/fixtures";
import { browserStack, shot, signInThroughForm, waitInPage } from "../support/browser";
import { api, signUp, sql, waitFor } from "../support/client";
import { openEvents } from "../support/events";

const ADMIN_EMAIL = "console-admin@example.test";

/**
 * The admin console in a browser, on the whole system. Every run of the
 * local provider fails as a transient outage would (the fault-injection
 * rate at 1), so each job fails for real after its runs: a failed job with
 * provider calls to look at, and a retry that goes through the same path.
 */
describe("the admin console", () => {
  const system = browserStack({
    env: {
      LOCAL_PROVIDER_DELAY_MS: "0",
      LOCAL_PROVIDER_TRANSIENT_FAILURE_RATE: "1",
      ADMIN_EMAILS: ADMIN_EMAIL,
    },
  });

  it("shows the overview and a failed job's story, retries it, redelivers a dead delivery, disables a user", async () => {
    const stack = system.stack();
    const admin = await signUp(stack.webUrl, "Console Admin", ADMIN_EMAIL);
    const owner = await signUp(stack.webUrl, "Job Owner");
    const call = api(stack.webUrl, owner.token);
    const submitted = await call("POST", "/api/images/generate", {
      prompt: "a kite that never flies",
      num_images: 1,
      size: "256x256",
    });
    expect(submitted.status, submitted.text).toBe(202);
    const failedId = submitted.data.job_id;
    await waitFor(async () => {
      const s = await call("GET", `/api/images/${failedId}/status`);
      return s.data.status === "FAILED";
    }, "the job to fail");

    // A user's browser gets the 403 page.
    const { page: userPage, base } = await system.newPage({ width: 1280, height: 900 });
    await signInThroughForm(userPage, base, owner.email);
    const forbidden = await userPage.goto(`${base}/admin`);
    expect(forbidden?.status()).toBe(403);
    await expect(userPage.getByTestId("forbidden").textContent()).resolves.toContain("administrators");

    // Overview.
    const { page } = await system.newPage({ width: 1280, height: 900 });
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("dialog", (dialog) => void dialog.accept());
    await signInThroughForm(page, base, admin.email);
    await page.goto(`${base}/admin`);
    await waitInPage(
      page,
      "the overview with the failed job and the live stream",
      () =>
        document.querySelector('[data-testid="overview-status-FAILED"] td:nth-child(2)')?.textContent === "1" &&
        document.querySelector('[data-testid="overview-kind-transient"]') !== null &&
        document.querySelector('[data-testid="admin-live"]')?.textContent?.includes("Live") === true,
      60_000,
    );
    await expect(page.getByTestId("overview-processes-generator").textContent()).resolves.toMatch(/^[1-9]\d* live/);
    await page.screenshot({ path: shot("admin-overview"), fullPage: true, animations: "disabled" });

    // The failed job's story: its runs' provider calls, each a transient error, and the error itself.
    await page.goto(`${base}/admin/jobs?status=FAILED`);
    await page.locator(`[data-testid="admin-job-row"][data-job="${failedId}"] a`).first().click();
    await page.waitForURL(`**/admin/jobs/${failedId}`);
    await waitInPage(
      page,
      "the story of the failed job",
      () =>
        document.querySelector('[data-testid="admin-job-story"]')?.getAttribute("data-status") === "FAILED" &&
        document.querySelectorAll('[data-testid="story-call"]').length >= 2,
      30_000,
    );
    await expect(page.getByTestId("story-error").textContent()).resolves.toContain("transient");
    const calls = await page.getByTestId("story-call").allTextContents();
    expect(calls.every((c) => c.includes("error") && c.includes("transient"))).toBe(true);
    // The web app applied the generator's `failed` event, and the generator's side lists it too.
    expect(await page.locator('[data-testid="story-event"][data-what="applied"][data-status="FAILED"]').count()).toBe(
      1,
    );
    expect(await page.locator('[data-testid="story-delivery"][data-state="delivered"]').count()).toBeGreaterThan(0);
    await page.screenshot({ path: shot("admin-job-story"), fullPage: true, animations: "disabled" });

    // Retry: a new job of the owner's, recording its origin; its story follows it live to its own end.
    await page.getByTestId("story-retry").click();
    await page.waitForURL((url) => url.pathname.startsWith("/admin/jobs/") && !url.pathname.endsWith(failedId));
    const retryId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
    const [retried] = await sql<{ retry_of: string; author_id: string }>(
      stack.databaseUrl,
      "select retry_of, author_id from generations where id = $1",
      [retryId],
    );
    expect(retried).toEqual({ retry_of: failedId, author_id: owner.id });
    await waitInPage(
      page,
      "the retry's story to reach FAILED without a reload",
      () => document.querySelector('[data-testid="admin-job-story"]')?.getAttribute("data-status") === "FAILED",
      60_000,
    );
    await expect(page.getByText(`Retry of`).textContent()).resolves.toContain("Retry of");

    // A dead delivery: the failed job's `failed` webhook, as a spent schedule leaves it.
    const [delivery] = await sql<{ id: string; attempts: number }>(
      stack.databaseUrl,
      `update generator.webhook_deliveries set state = 'dead' where job_id = $1 and event = 'failed'
       returning id, attempts`,
      [failedId],
    );
    expect(delivery).toBeDefined();
    await page.goto(`${base}/admin/deliveries?problem=dead`);
    const row = page.locator(`[data-testid="admin-delivery-row"][data-delivery="${delivery?.id}"]`);
    await row.waitFor({ timeout: 30_000 });
    await row.getByTestId("delivery-redeliver").click();
    const after = await waitFor(async () => {
      const [d] = await sql<{ state: string; attempts: number }>(
        stack.databaseUrl,
        "select state, attempts from generator.webhook_deliveries where id = $1",
        [delivery?.id],
      );
      return d?.state === "delivered" ? d : null;
    }, "the redelivered delivery to arrive");
    expect(after.attempts).toBe((delivery?.attempts ?? 0) + 1);
    await waitInPage(
      page,
      "the delivery to leave the dead list",
      () => !document.querySelector(`[data-testid="admin-delivery-row"][data-state="dead"]`),
      30_000,
    );

    // Disable the owner: their open stream closes at once, they cannot sign in, the row says so.
    const stream = await openEvents(stack.webUrl, owner.token);
    expect(stream.status).toBe(200);
    await stream.waitFor((m) => m.event === "snapshot", "the owner's snapshot");
    await page.goto(`${base}/admin/users`);
    await page.getByTestId("user-search").fill(owner.email);
    await page.getByTestId("user-search").press("Enter");
    const ownerRow = page.locator(`[data-testid="admin-user-row"][data-email="${owner.email}"]`);
    await ownerRow.waitFor({ timeout: 30_000 });
    await ownerRow.getByTestId("user-disable").click();
    await stream.ended;
    await waitInPage(
      page,
      "the owner's row to say disabled",
      () => document.querySelector('[data-testid="admin-user-row"][data-disabled="yes"]') !== null,
      30_000,
    );
    const signIn = await fetch(`${stack.webUrl}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: owner.email, password: PASSWORD }),
    });
    expect(signIn.status).toBe(403);
    expect((await call("GET", "/api/images/user")).status).toBe(401);
    await page.screenshot({ path: shot("admin-users"), fullPage: true, animations: "disabled" });

    // An admin cannot disable themselves: their own row has no Disable button.
    await page.getByTestId("user-search").fill(admin.email);
    await page.getByTestId("user-search").press("Enter");
    const own = page.locator(`[data-testid="admin-user-row"][data-email="${admin.email}"]`);
    await own.waitFor({ timeout: 30_000 });
    expect(await own.getByTestId("user-disable").count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
