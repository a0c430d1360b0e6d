import { execSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { type Stack, startStack } from "./stack";

/** Debian's chromium; playwright-core brings no browser of its own and none can be downloaded here. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

const INSTALL_COMMAND = "apt-get update && apt-get install -y chromium";

/** The path of a usable Chromium, installing Debian's package first when running as root. */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM_PATH)) {
    return CHROMIUM_PATH;
  }
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Chromium is missing (${CHROMIUM_PATH}) and the browser tests are not running as root, so they cannot install it. ` +
        `Install it first: sudo sh -c '${INSTALL_COMMAND}'`,
    );
  }
  console.log(`[e2e] ${CHROMIUM_PATH} not found; running: ${INSTALL_COMMAND}`);
  try {
    execSync(INSTALL_COMMAND, {
      stdio: "pipe",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      maxBuffer: 256 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as { stderr?: Buffer; stdout?: Buffer; message: string };
    const output = `${e.stdout?.toString() ?? ""}\n${e.stderr?.toString() ?? ""}`.trim().slice(-4000);
    throw new Error(`Installing Chromium failed (${INSTALL_COMMAND}): ${e.message}\n${output}`);
  }
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`'${INSTALL_COMMAND}' succeeded but ${CHROMIUM_PATH} still does not exist`);
  }
  return CHROMIUM_PATH;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: ensureChromium(),
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export const SCREENSHOTS = fileURLToPath(new URL("../screenshots/", import.meta.url));
export const shot = (name: string) => path.join(SCREENSHOTS, `${name}.png`);

/**
 * Waits for a condition evaluated in the page. On timeout the error says what
 * was awaited and what the page showed, instead of a bare "Timeout".
 */
export async function waitInPage(page: Page, what: string, fn: () => boolean, timeout: number): Promise<void> {
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

/** Signs an existing user in through the form and lands on /generate-images. */
export async function signInThroughForm(page: Page, base: string, email: string): Promise<void> {
  await page.goto(`${base}/sign-in`);
  await page.getByTestId("email").fill(email);
  await page.getByTestId("password").fill("correct horse battery");
  await Promise.all([page.waitForURL("**/generate-images", { timeout: 30_000 }), page.getByTestId("submit").click()]);
}

/** Signs a fresh user up through the form and lands on /generate-images. */
export async function signUpThroughForm(page: Page, base: string, screenshot?: string): Promise<void> {
  await page.goto(`${base}/sign-up`);
  const email = `browser-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  await page.getByTestId("name").fill("Browser Tester");
  await page.getByTestId("email").fill(email);
  await page.getByTestId("password").fill("correct horse battery");
  if (screenshot) {
    await page.screenshot({ path: shot(screenshot), fullPage: true, animations: "disabled" });
  }
  await Promise.all([page.waitForURL("**/generate-images", { timeout: 30_000 }), page.getByTestId("submit").click()]);
}

/**
 * The whole system and a browser for one test file: started before its tests,
 * stopped after them. `newPage` opens a fresh context (its own cookies).
 */
export function browserStack(options: Parameters<typeof startStack>[0] = {}) {
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // May install Debian's chromium first, which can take minutes on a fresh machine.
    ensureChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
    stack = await startStack(options);
    browser = await launchBrowser();
  }, 900_000);

  afterAll(async () => {
    for (const context of contexts) {
      await context.close().catch(() => {});
    }
    await browser?.close().catch(() => {});
    await stack?.stop();
  });

  return {
    async newPage(viewport: { width: number; height: number }): Promise<{ page: Page; base: string }> {
      if (!stack || !browser) {
        throw new Error("setup did not finish");
      }
      const context = await browser.newContext({ viewport });
      contexts.push(context);
      return { page: await context.newPage(), base: stack.webUrl };
    },
    /** The running system (to restart a service, read the database). */
    stack(): Stack {
      if (!stack) {
        throw new Error("setup did not finish");
      }
      return stack;
    },
  };
}
