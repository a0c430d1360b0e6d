export { createDb, type Database, type DbHandle, type Tx } from "./client";
export { describeDbError, isDeterministicDbError, sqlStateOf } from "./errors";
export { QUEUE_SCHEMAS, type QueueSchema } from "./queue";
/** Row types, declared once beside their tables. */
export type {
  Generation,
  GeneratorJob,
  MediaFile,
  NotificationRow,
  UserEventRow,
  WebhookDelivery,
} from "./schema";
export * as schema from "./schema";
