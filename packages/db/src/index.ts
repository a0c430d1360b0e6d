export { createDb, type Database, type DbHandle, type Tx } from "./client";
export * as schema from "./schema";
export { enqueue, QUEUE_SCHEMAS, type EnqueueOptions, type QueueSchema } from "./queue";
