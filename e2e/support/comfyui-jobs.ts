import { type api, sql, waitFor } from "./client";
import type { FakeComfyUI } from "./fakes/comfyui";

/** What the ComfyUI provider stores in generator.jobs.remote_handle: its prompt_id and the instance it went to. */
export type ComfyHandle = { id: string; instance: string };

/** The prompt the generator committed for a job before waiting; with `notOn`, once it is stored for another instance. */
export async function storedComfyHandle(databaseUrl: string, jobId: string, notOn?: string): Promise<ComfyHandle> {
  return waitFor(async () => {
    const [row] = await sql<{ remote_handle: ComfyHandle | null }>(
      databaseUrl,
      "select remote_handle from generator.jobs where id = $1",
      [jobId],
    );
    return row?.remote_handle && row.remote_handle.instance !== notOn ? row.remote_handle : null;
  }, `the stored prompt of ${jobId}`);
}

/** Which of the stand-ins an instance name (its URL, credentials left out) designates; -1 for none. */
export const instanceIndex = (gpus: FakeComfyUI[], handle: ComfyHandle) =>
  gpus.findIndex((g) => handle.instance.includes(new URL(g.url).host));

/** An image job's status once it has ended (completed, failed or canceled). */
export async function finishedImage(call: ReturnType<typeof api>, jobId: string) {
  return waitFor(
    async () => {
      const r = await call("GET", `/api/images/${jobId}/status`);
      return ["COMPLETED", "FAILED", "CANCELED"].includes(r.data.status) ? r.data : null;
    },
    `image job ${jobId}`,
    180_000,
  );
}
