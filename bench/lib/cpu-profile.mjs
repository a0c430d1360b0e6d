// Preloaded with `--import` (through NODE_OPTIONS, which refuses --cpu-prof on Node 20) by
// `npm run bench -- --profile <dir>`: profiles the whole process and writes a .cpuprofile
// (Chrome DevTools, or `tsx bench/profile-top.ts`) into BENCH_CPU_PROFILE_DIR when it exits.
import { mkdirSync, writeFileSync } from "node:fs";
import inspector from "node:inspector";
import path from "node:path";

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  // An in-process session answers synchronously, so the profile can be written from the exit hook.
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 500 });
  session.post("Profiler.start");
  process.on("exit", () => {
    session.post("Profiler.stop", (error, result) => {
      if (error) {
        return;
      }
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
