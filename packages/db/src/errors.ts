/**
 * PostgreSQL errors (SQLSTATE classes) that the statement's own content
 * causes: running the same statement again fails the same way, so retrying
 * it can only loop. 22: data exception (bad JSON text, a number out of
 * range, an invalid escape); 23: integrity constraint violation (a check, a
 * foreign key, a uniqueness the statement did not expect); 54: program limit
 * exceeded (an index row too large). Everything else (connection lost,
 * serialization failure, deadlock, disk full, shutdown) may pass.
 */
const DETERMINISTIC_SQLSTATE_CLASSES = ["22", "23", "54"];

/** The SQLSTATE of a PostgreSQL error, looking through Drizzle's wrapper (`cause`); undefined for anything else. */
export function sqlStateOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    // node-postgres' DatabaseError: a five-character SQLSTATE (Node's own errors have E… codes).
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && "severity" in e) {
      return code;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True when PostgreSQL refused a statement for its content (see DETERMINISTIC_SQLSTATE_CLASSES). */
export function isDeterministicDbError(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state !== undefined && DETERMINISTIC_SQLSTATE_CLASSES.includes(state.slice(0, 2));
}

/**
 * "SQLSTATE 22P02: invalid input syntax for type json": a PostgreSQL error
 * for a log line, without the query, its parameters or the error's detail,
 * which quote the row (a user's prompt).
 */
export function describeDbError(error: unknown): string {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === "string" && "severity" in e) {
      return `SQLSTATE ${code}: ${String(message)}`;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return String(error);
}
