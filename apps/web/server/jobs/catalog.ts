/** The web app's queue tasks. Payloads carry ids only. */
export const WEB_TASKS = {
  /** Hand a new job to the generator; retried with backoff while it is unreachable. */
  dispatch: "dispatch-generation",
} as const;

export type DispatchPayload = { jobId: string };
