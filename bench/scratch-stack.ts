import { writeFileSync } from "node:fs";
import { startBenchStack } from "./lib/stack";

const stack = await startBenchStack((l) => console.log(l), { profileDir: process.env.PROFILE });
writeFileSync(
  "/tmp/stack.json",
  JSON.stringify({
    webUrl: stack.webUrl,
    generatorUrl: stack.generatorUrl,
    databaseUrl: stack.databaseUrl,
    secrets: stack.secrets,
    dataDir: stack.dataDir,
  }),
);
console.log("READY", stack.webUrl);
const stop = async () => {
  await stack.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
setInterval(() => {}, 1 << 30);
