import { eq } from "drizzle-orm";
import type { Tx } from "../client";
import { type ProviderCallRow, providerCalls } from "../schema";

/** A provider call that ended, as the generator records it (one statement a call). */
export async function recordProviderCall(
  db: Tx,
  call: {
    jobId: string;
    attempt: number;
    provider: string;
    model: string | null;
    startedAt: Date;
    durationMs: number;
    outcome: "ok" | "error";
    requestId?: string | null;
    errorKind?: string | null;
    error?: string | null;
  },
): Promise<void> {
  await db.insert(providerCalls).values(call);
}

/** A job's provider calls, oldest first. */
export async function providerCallsOf(db: Tx, jobId: string): Promise<ProviderCallRow[]> {
  return db.select().from(providerCalls).where(eq(providerCalls.jobId, jobId)).orderBy(providerCalls.startedAt);
}
