export { createDb, type Database, type DbHandle, type Tx } from "./client";
export { describeDbError, isDeterministicDbError, sqlStateOf } from "./errors";
export { addJobCall, type EnqueueOptions, enqueue, QUEUE_SCHEMAS, type QueueSchema } from "./queue";
export * as schema from "./schema";
