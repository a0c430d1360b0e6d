import { portSchema, resolveDataDir } from "@sorami/config";
import { LOG_LEVELS } from "@sorami/log";
import { prettyFormatter } from "@sorami/log/pretty";
import { z } from "zod";
import { launcherOutput } from "./lib/output";
import { startSystem } from "./lib/system";

/**
 * How often the launcher checks that the `npm` that started it is still
 * there. A process manager's SIGTERM to `npm start` reaches npm alone: npm
 * and its shell exit, and the launcher, now an orphan, notices within a
 * second and stops everything in order, well inside the usual 10 s before a
 * manager sends SIGKILL.
 */
const PARENT_CHECK_MS = 1000;

/** `npm start`: the whole system on this machine, until Ctrl-C, SIGTERM, or the end of the npm that started it. */
const env = z
  .object({
    PORT: portSchema.default(3000),
    GENERATOR_PORT: portSchema.default(9006),
    DATA_DIR: z.string().optional(),
    DATABASE_URL: z.string().optional(),
    LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
    /** Set by npm for the script it runs: then the launcher's parent is npm's shell, and its end is ours. */
    npm_lifecycle_event: z.string().optional(),
  })
  .parse(process.env);

// A person at a terminal reads pretty lines and a banner; anything else (a process manager, a
// container's log driver) gets every line as JSON, the services' and the launcher's alike.
const interactive = process.stdout.isTTY === true;
const pretty = interactive ? prettyFormatter() : null;
const output = launcherOutput({
  level: env.LOG_LEVEL,
  write: (line) => process.stdout.write(pretty ? pretty(line) : `${line}\n`),
});
/** `npm start -- --web-only`: PostgreSQL and the web app alone, in front of the operator's GENERATOR_URL. */
const webOnly = process.argv.slice(2).includes("--web-only");

const started = Date.now();
const dataDir = resolveDataDir(env.DATA_DIR);
let stopping = false;
let shutdown = async (_reason: string, _code = 0): Promise<void> => {};
try {
  const system = await startSystem({
    dataDir,
    port: env.PORT,
    generatorPort: env.GENERATOR_PORT,
    databaseUrl: env.DATABASE_URL || undefined,
    output,
    webOnly,
    // A service that keeps crashing needs a person: stop everything and exit non-zero, so a
    // process manager reports it (and may restart the whole stack by its own policy).
    onGiveUp: (id) => void shutdown(`${id} keeps crashing`, 1),
    // Whichever process of the stack is stopped on purpose, the whole stack stops, in order.
    onServiceStopped: (id) => void shutdown(`${id} was stopped`),
  });
  const readySeconds = Number(((Date.now() - started) / 1000).toFixed(1));
  if (interactive) {
    process.stdout.write(
      `\nSorami is up at ${system.publicUrl}  (ready in ${readySeconds} s; data in ${dataDir})${
        webOnly ? `\nWeb app only: jobs go to ${system.generatorUrl}` : ""
      }\n\n`,
    );
  } else {
    output.log.info(
      {
        url: system.publicUrl,
        ready_seconds: readySeconds,
        data_dir: dataDir,
      },
      `Sorami is up at ${system.publicUrl}`,
    );
    if (webOnly) {
      output.log.info({ generator_url: system.generatorUrl }, `Web app only: jobs go to ${system.generatorUrl}`);
    }
  }
  shutdown = async (reason: string, code = 0) => {
    if (stopping) {
      return;
    }
    stopping = true;
    output.log[code === 0 ? "info" : "error"]({ reason }, `${reason}: stopping Sorami`);
    await system.stop();
    process.exit(code);
  };
} catch (error) {
  output.log.fatal({ err: error }, "Sorami could not start");
  process.exit(1);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
if (env.npm_lifecycle_event) {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) {
      void shutdown("npm, which started Sorami, is gone");
    }
  }, PARENT_CHECK_MS).unref();
}
