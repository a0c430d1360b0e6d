import { listen } from "@sorami/db/listen";
import { CANCEL_CHANNEL } from "../domain/jobs";
import { abortLocalJob } from "./generate";

/**
 * Stops the provider call of any canceled job this process is running.
 * A cancel missed while the database restarted is caught at the job's next
 * stage change, which refuses to advance a canceled job.
 */
export function listenForCancels(databaseUrl: string): { stop: () => Promise<void> } {
  return listen(databaseUrl, CANCEL_CHANNEL, {
    applicationName: "sorami-generator-cancel",
    onMessage: abortLocalJob,
  });
}
