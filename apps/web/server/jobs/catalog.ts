/** The web app's queue tasks. Payloads carry ids only. */
export const WEB_TASKS = {
  /** Hand a new job to the generator; retried with backoff while it is unreachable. */
  dispatch: "dispatch-generation",
  /** Tell the generator a job was canceled, so it stops the provider call. */
  cancel: "cancel-generation",
  /** Find jobs with no news past their kind's SLA and ask the generator for the truth. */
  reconcile: "reconcile-generations",
} as const;

export type DispatchPayload = { jobId: string };
