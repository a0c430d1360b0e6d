import { logger } from "@sorami/log";
import pg from "pg";
import { type Backoff, backoffDelay } from "./backoff";

/**
 * New connections to a database that just refused one wait their turn:
 * 250 ms, then twice as long each failure, at most 10 s. The first wait is
 * short because a restart (the fault suite's, an upgrade's) is back within
 * a second or two; the cap bounds how late a process notices the database is
 * back (≤ 10 s after an outage) while an hour-long outage costs each process
 * one connection attempt per 10 s instead of several per second.
 */
export const DB_RECONNECT_BACKOFF: Backoff = { firstMs: 250, maxMs: 10_000 };

type GateState = {
  failures: number;
  /** No new connection is tried before this time (ms since epoch). */
  nextAttemptAt: number;
  /** One trial connection at a time while the database is failing. */
  trialInFlight: boolean;
  lastError: string;
  downSince: number;
  /** When the last failure was recorded: attempts begun before it fail in the same round and don't count again. */
  lastFailureAt: number;
};

/**
 * One gate per database per process, shared by every pool and LISTEN client
 * of the process: whatever component asks (a queue worker's poll, a health
 * check, a request, the heartbeat), while the database is failing at most one
 * connection attempt is in flight, and none before the backoff allows. The
 * others fail at once without opening a socket. Connections already open and
 * idle clients are not affected: only new ones pass here.
 */
const gates = new Map<string, GateState>();

function gateOf(key: string): GateState {
  let gate = gates.get(key);
  if (!gate) {
    gate = { failures: 0, nextAttemptAt: 0, trialInFlight: false, lastError: "", downSince: 0, lastFailureAt: 0 };
    gates.set(key, gate);
  }
  return gate;
}

/** The error a gated connection fails with: the reason the last real attempt failed, and when the next is due. */
export class DatabaseUnavailableError extends Error {
  constructor(gate: GateState) {
    const wait = Math.max(0, gate.nextAttemptAt - Date.now());
    super(`Database unavailable (${gate.lastError}); next connection attempt in ${Math.ceil(wait / 1000)} s`);
    this.name = "DatabaseUnavailableError";
  }
}

/** Where a connection goes, so two pools on one database share a gate and two databases don't. */
function keyOf(config: pg.ClientConfig | string | undefined): string {
  if (typeof config === "string") {
    return config;
  }
  return config?.connectionString ?? `${config?.host ?? ""}:${config?.port ?? ""}/${config?.database ?? ""}`;
}

function record(gate: GateState, startedAt: number, error: Error | null, log: (line: string) => void): void {
  gate.trialInFlight = false;
  if (!error) {
    if (gate.failures > 0) {
      log(`[db] PostgreSQL reachable again after ${((Date.now() - gate.downSince) / 1000).toFixed(1)} s`);
    }
    gate.failures = 0;
    gate.nextAttemptAt = 0;
    return;
  }
  if (gate.failures > 0 && startedAt < gate.lastFailureAt) {
    return; // several connections failed at once: one failure, one step of backoff
  }
  if (gate.failures === 0) {
    gate.downSince = Date.now();
    log(
      `[db] PostgreSQL unreachable (${error.message}); reconnecting with backoff (at most every ${DB_RECONNECT_BACKOFF.maxMs / 1000} s)`,
    );
  }
  gate.failures++;
  gate.lastError = error.message;
  gate.lastFailureAt = Date.now();
  gate.nextAttemptAt = Date.now() + backoffDelay(gate.failures, DB_RECONNECT_BACKOFF);
}

type ConnectCallback = ((err: Error) => void) | ((err: null, c: pg.Client) => void);

/**
 * `pg.Client` whose `connect()` passes the gate: `createDb` gives it to its
 * pool and `listen()` uses it, so every connection this process opens backs off.
 */
export class GatedClient extends pg.Client {
  private readonly gate: GateState;

  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.gate = gateOf(keyOf(config));
  }

  override connect(): Promise<pg.Client>;
  override connect(callback: ConnectCallback): void;
  override connect(cb?: ConnectCallback): Promise<pg.Client> | undefined {
    const callback = cb as ((err: Error | null, c?: pg.Client) => void) | undefined;
    const gate = this.gate;
    const log = (line: string) => logger().error(line);
    const refused =
      gate.failures > 0 && (gate.trialInFlight || Date.now() < gate.nextAttemptAt)
        ? new DatabaseUnavailableError(gate)
        : null;
    if (refused) {
      if (callback) {
        process.nextTick(() => callback(refused));
        return;
      }
      return Promise.reject(refused);
    }
    if (gate.failures > 0) {
      gate.trialInFlight = true;
    }
    const startedAt = Date.now();
    if (callback) {
      super.connect((error: Error | null) => {
        record(gate, startedAt, error ?? null, log);
        callback(error ?? null, this);
      });
      return;
    }
    return super.connect().then(
      (client) => {
        record(gate, startedAt, null, log);
        return client;
      },
      (error: Error) => {
        record(gate, startedAt, error, log);
        throw error;
      },
    );
  }
}
