import { getTableColumns, type Table } from "drizzle-orm";

/**
 * A table's row read with raw SQL (`select *`, `returning *`: column names,
 * driver values), as Drizzle's own select returns it (property names, mapped
 * values): for statements Drizzle's builder cannot write in one round trip.
 */
export function rowOf<T extends Table>(table: T, row: Record<string, unknown>): T["$inferSelect"] {
  const out: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = row[column.name];
    out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return out as T["$inferSelect"];
}
