import { RemoteLostError } from "../types";

/**
 * The work behind a handle was queued (never started) on an instance that
 * has stopped answering: it can run elsewhere. The pipeline treats it as any
 * RemoteLostError (submit once more, recorded: "moved from <instance>"); the
 * provider's next submission skips the dead instance, and if that instance
 * comes back with its queue, the old prompt is removed from it.
 *
 * (An engine that finished the work with a failure throws RemoteWorkFailed,
 * from ../remote: the handle is spent, as with the hosted providers.)
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
