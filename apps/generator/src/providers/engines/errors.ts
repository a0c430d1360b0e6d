import { ProviderError, type ProviderErrorKind, RemoteLostError } from "../types";

/**
 * The engine finished the work behind a handle, and it failed (a node
 * raised, ComfyUI's queue was interrupted by someone else, the GPU ran out
 * of memory). The handle is spent: waiting on it again only repeats this
 * failure. The pipeline clears the stored handle before it retries a
 * retryable one, so the next run submits afresh. Any other ProviderError
 * from `wait` leaves the handle worth resuming (the engine was unreachable,
 * a download failed).
 */
export class SpentHandleError extends ProviderError {
  readonly handleSpent = true;

  constructor(kind: ProviderErrorKind, message: string) {
    super(kind, message);
    this.name = "SpentHandleError";
  }
}

/**
 * The work behind a handle was queued (never started) on an instance that
 * has stopped answering: it can run elsewhere. The pipeline treats it as any
 * RemoteLostError (submit once more, recorded: "moved from <instance>"); the
 * provider's next submission skips the dead instance, and if that instance
 * comes back with its queue, the old prompt is removed from it.
 */
export class InstanceDownError extends RemoteLostError {
  readonly reason = "instance_down";

  constructor(
    readonly instance: string,
    readonly remoteId: string,
    message: string,
  ) {
    super(message);
    this.name = "InstanceDownError";
  }
}

/** Whether an error from `wait` means the stored handle must be dropped before the job runs again. */
export function handleIsSpent(error: unknown): boolean {
  return error instanceof SpentHandleError || error instanceof RemoteLostError;
}
