import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "../baselines/floor-server.ts");

export type FloorServer = { url: string; pid: number; stop(): Promise<void> };

/** Starts the bare node:http baseline process (see baselines/floor-server.ts). */
export async function startFloorServer(databaseUrl: string, webhookSecrets: string[]): Promise<FloorServer> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", SCRIPT], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      BENCH_DATABASE_URL: databaseUrl,
      BENCH_WEBHOOK_SECRETS: webhookSecrets.join(","),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) {
        resolve(Number(m[1]));
      }
    });
    child.once("exit", (code) => reject(new Error(`floor server exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          return resolve();
        }
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
