import { portSchema, resolveDataDir } from "@sorami/config";
import { LOG_LEVELS } from "@sorami/log";
import { prettyFormatter } from "@sorami/log/pretty";
import { z } from "zod";
import { launcherOutput } from "./lib/output";
import { startSystem } from "./lib/system";

/** `npm start`: the whole system on this machine, until Ctrl-C. */
const env = z
  .object({
    PORT: portSchema.default(3000),
    GENERATOR_PORT: portSchema.default(9006),
    DATA_DIR: z.string().optional(),
    DATABASE_URL: z.string().optional(),
    LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
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

const started = Date.now();
const dataDir = resolveDataDir(env.DATA_DIR);
try {
  const system = await startSystem({
    dataDir,
    port: env.PORT,
    generatorPort: env.GENERATOR_PORT,
    databaseUrl: env.DATABASE_URL || undefined,
    output,
  });
  const readySeconds = Number(((Date.now() - started) / 1000).toFixed(1));
  if (interactive) {
    process.stdout.write(`\nSorami is up at ${system.webUrl}  (ready in ${readySeconds} s; data in ${dataDir})\n\n`);
  } else {
    output.log.info(
      { url: system.webUrl, ready_seconds: readySeconds, data_dir: dataDir },
      `Sorami is up at ${system.webUrl}`,
    );
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    output.log.info({ signal }, "stopping Sorami");
    await system.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
} catch (error) {
  output.log.fatal({ err: error }, "Sorami could not start");
  process.exit(1);
}
