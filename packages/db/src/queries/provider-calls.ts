import { eq } from "drizzle-orm";
import type { Tx } from "../client";
import { type ProviderCallRow, providerCalls } from "../schema";

/** A provider call starting: its row, to be finished with `finishProviderCall`. */
export async function startProviderCall(
  db: Tx,
  call: { jobId: string; attempt: number; provider: string; model: string | null },
): Promise<number> {
  const [row] = await db.insert(providerCalls).values(call).returning({ id: providerCalls.id });
  if (!row) {
    throw new Error("The provider call was not recorded");
  }
  return row.id;
}

/** How a provider call ended. */
export async function finishProviderCall(
  db: Tx,
  id: number,
  end: {
    outcome: "ok" | "error";
    durationMs: number;
    requestId?: string | null;
    errorKind?: string | null;
    error?: string | null;
  },
): Promise<void> {
  await db
    .update(providerCalls)
    .set({
      outcome: end.outcome,
      durationMs: end.durationMs,
      requestId: end.requestId ?? null,
      errorKind: end.errorKind ?? null,
      error: end.error ?? null,
    })
    .where(eq(providerCalls.id, id));
}

/** A job's provider calls, oldest first. */
export async function providerCallsOf(db: Tx, jobId: string): Promise<ProviderCallRow[]> {
  return db.select().from(providerCalls).where(eq(providerCalls.jobId, jobId)).orderBy(providerCalls.startedAt);
}
