import { portSchema, resolveDataDir } from "@sorami/config";
import { z } from "zod";
import { startSystem } from "./lib/system";

/** `npm start`: the whole system on this machine, until Ctrl-C. */
const env = z
  .object({
    PORT: portSchema.default(3000),
    GENERATOR_PORT: portSchema.default(9006),
    DATA_DIR: z.string().optional(),
    DATABASE_URL: z.string().optional(),
  })
  .parse(process.env);

const started = Date.now();
const dataDir = resolveDataDir(env.DATA_DIR);
try {
  const system = await startSystem({
    dataDir,
    port: env.PORT,
    generatorPort: env.GENERATOR_PORT,
    databaseUrl: env.DATABASE_URL || undefined,
  });
  console.log(
    `\nSorami is up at ${system.webUrl}  (ready in ${((Date.now() - started) / 1000).toFixed(1)} s; data in ${dataDir})\n`,
  );
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    console.log(`\n${signal}: stopping Sorami…`);
    await system.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
} catch (error) {
  console.error(`\nSorami could not start: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
