import { snapshot } from "./lib/procs";
import { startBenchStack } from "./lib/stack";

const stack = await startBenchStack(() => {});
await new Promise((r) => setTimeout(r, 15000));
const { rows } = await stack.pool.query(
  `select backend_type, application_name, state, count(*) from pg_stat_activity group by 1,2,3 order by 1,2`,
);
console.table(rows);
console.table(snapshot(process.pid).map((p) => ({ ...p, cmd: "" })));
await stack.stop();
