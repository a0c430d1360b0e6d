"use client";

import { type JobKind, KIND_INFO } from "@sorami/contracts";
import { useRouter } from "next/navigation";
import { useId, useRef, useState } from "react";
import { ApiError, deleteGeneration, newIdempotencyKey, rerunGeneration } from "@/lib/api-client";
import { galleryPath } from "@/lib/gallery-query";
import { Alert, primaryButtonClass, Spinner, secondaryButtonClass } from "./form-controls";
import { countLabel } from "./labels";
import { followPath } from "./media-kinds";

const dangerButtonClass =
  "inline-flex items-center justify-center gap-2 rounded-md bg-red-700 px-4 py-2 text-sm font-semibold text-white " +
  "shadow-sm hover:bg-red-800 disabled:cursor-not-allowed disabled:opacity-60";

const messageOf = (e: unknown, fallback: string) => (e instanceof ApiError ? e.message : fallback);

/**
 * Re-run and Delete for one generation. Re-run submits the same parameters
 * (the server reuses a stored input image) and follows the new job on its
 * generate page. Delete asks first, in a modal dialog whose safe choice has
 * the focus, then returns to the gallery.
 */
export function GenerationActions(props: { kind: JobKind; jobId: string; fileCount: number; running: boolean }) {
  const { noun, plural } = KIND_INFO[props.kind];
  const router = useRouter();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const deleteButtonRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const textId = useId();
  // One key per page view: a double click, or a retry after a network error, submits one job.
  const [rerunKey] = useState(newIdempotencyKey);
  const [busy, setBusy] = useState<"rerun" | "delete" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);

  async function rerun() {
    if (busy) {
      return;
    }
    setBusy("rerun");
    setError(null);
    try {
      const accepted = await rerunGeneration(props.kind, props.jobId, rerunKey);
      router.push(followPath(props.kind, accepted.job_id));
    } catch (e) {
      setError(messageOf(e, "Could not start the job again."));
      setBusy(null);
    }
  }

  async function confirmDelete() {
    if (busy) {
      return;
    }
    setBusy("delete");
    setDeleteError(null);
    try {
      await deleteGeneration(props.kind, props.jobId);
      router.push(galleryPath(props.kind));
      router.refresh();
    } catch (e) {
      setDeleteError(messageOf(e, "Could not delete this generation."));
      setBusy(null);
    }
  }

  function closeDialog() {
    dialogRef.current?.close();
  }

  const what =
    props.fileCount > 0 ? `this generation and its ${countLabel(props.fileCount, noun, plural)}` : "this generation";
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-3">
        <button
          type="button"
          onClick={() => void rerun()}
          aria-disabled={busy !== null}
          data-testid="detail-rerun"
          className={`${primaryButtonClass} aria-disabled:opacity-60`}
        >
          {busy === "rerun" ? <Spinner /> : null}
          {busy === "rerun" ? "Starting…" : "Re-run with the same settings"}
        </button>
        <button
          ref={deleteButtonRef}
          type="button"
          onClick={() => {
            setDeleteError(null);
            dialogRef.current?.showModal();
          }}
          aria-haspopup="dialog"
          data-testid="detail-delete"
          className={`${secondaryButtonClass} text-red-800`}
        >
          Delete
        </button>
      </div>
      {error ? <Alert>{error}</Alert> : null}

      {/* Escape closes it; focus goes back to the Delete button. */}
      <dialog
        ref={dialogRef}
        aria-labelledby={titleId}
        aria-describedby={textId}
        data-testid="delete-dialog"
        onClose={() => deleteButtonRef.current?.focus()}
        className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg p-0 shadow-xl backdrop:bg-black/40"
      >
        <div className="space-y-4 p-6">
          <h2 id={titleId} className="text-lg font-semibold text-gray-900">
            Delete this generation?
          </h2>
          <p id={textId} className="text-sm text-gray-700">
            This deletes {what} for good.
            {props.running ? " The job is still running: it will be canceled first." : ""}
          </p>
          {deleteError ? <Alert>{deleteError}</Alert> : null}
          <div className="flex flex-wrap justify-end gap-3">
            {/* biome-ignore lint/a11y/noAutofocus: the safe choice takes the focus when the dialog opens */}
            <button type="button" autoFocus onClick={closeDialog} className={secondaryButtonClass}>
              Keep it
            </button>
            <button
              type="button"
              onClick={() => void confirmDelete()}
              disabled={busy === "delete"}
              data-testid="detail-delete-confirm"
              className={dangerButtonClass}
            >
              {busy === "delete" ? <Spinner /> : null}
              {busy === "delete" ? "Deleting…" : "Delete for good"}
            </button>
          </div>
        </div>
      </dialog>
    </div>
  );
}
