import { execSync } from "node:child_process";
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Debian's chromium; playwright-core brings no browser of its own and none can be downloaded here. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

const INSTALL_COMMAND = "apt-get update && apt-get install -y chromium";

/** The path of a usable Chromium, installing Debian's package first when running as root. */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
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
