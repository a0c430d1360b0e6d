// The worker thread's entry: a worker does not inherit the parent's TypeScript
// loader when the parent runs under vitest (or plain node), so it registers
// tsx itself before importing the TypeScript worker.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
