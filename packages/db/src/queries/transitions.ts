import { randomUUID } from "node:crypto";
import { eq, type SQLWrapper } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import type { Tx } from "../client";
import { generations, mediaFiles, type NotificationRow, notifications } from "../schema";
import { publishUserEvents, type UserEventInput } from "./events";

/** A file a job produced, as stored: its index is its place in the list; its id is made here unless given. */
export type NewMediaFile = Omit<typeof mediaFiles.$inferInsert, "id" | "generationId" | "index" | "createdAt"> & {
  id?: string;
};

/**
 * Writes one status change of a job — its new column values, its files
 * (unique per job and index, so a repeat adds none), its notification — and
 * the owner's live events, in one statement: every status change of every
 * job comes through here, and a round trip is measurable (see bench/).
 */
export async function writeTransition(
  tx: Tx,
  change: {
    generationId: string;
    ownerId: string;
    set: PgUpdateSetSource<typeof generations>;
    files: readonly NewMediaFile[];
    notification: NotificationRow | null;
    events: readonly UserEventInput[];
  },
): Promise<void> {
  const writes: SQLWrapper[] = [tx.update(generations).set(change.set).where(eq(generations.id, change.generationId))];
  if (change.files.length > 0) {
    writes.push(
      tx
        .insert(mediaFiles)
        .values(
          change.files.map((f, index) => ({
            ...f,
            id: f.id ?? randomUUID(),
            generationId: change.generationId,
            index,
          })),
        )
        .onConflictDoNothing(),
    );
  }
  if (change.notification) {
    writes.push(tx.insert(notifications).values(change.notification));
  }
  await publishUserEvents(tx, change.ownerId, change.events, writes);
}
