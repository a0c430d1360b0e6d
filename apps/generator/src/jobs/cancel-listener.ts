import pg from "pg";
import { CANCEL_CHANNEL } from "../domain/jobs";
import { abortLocalJob } from "./generate";

/** Wait before listening again after the connection dropped (database restart). */
const RECONNECT_DELAY_MS = 1000;

/**
 * Listens for cancellations on a connection of its own and stops the
 * provider call of any canceled job this process is running. Reconnects
 * after the database restarts.
 */
export function listenForCancels(databaseUrl: string): { stop: () => Promise<void> } {
  let client: pg.Client | null = null;
  let stopped = false;
  const connect = async () => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: databaseUrl, application_name: "sorami-generator-cancel" });
    c.on("notification", (msg) => {
      if (msg.channel === CANCEL_CHANNEL && msg.payload) abortLocalJob(msg.payload);
    });
    c.on("error", () => {
      client = null;
      c.end().catch(() => {});
      setTimeout(() => void connect(), RECONNECT_DELAY_MS).unref();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CANCEL_CHANNEL}`);
      client = c;
    } catch {
      c.end().catch(() => {});
      setTimeout(() => void connect(), RECONNECT_DELAY_MS).unref();
    }
  };
  void connect();
  return {
    stop: async () => {
      stopped = true;
      await client?.end().catch(() => {});
    },
  };
}
