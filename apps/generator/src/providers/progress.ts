import { truncateText } from "@sorami/contracts";
import type { ProviderProgress } from "./types";

/**
 * A percentage from a model's logs, only when a line carries one: tqdm's
 * progress bars ("45%|████▌     | 9/20 [00:03<00:04]"), which both fal and
 * Replicate relay from the models they run (Replicate's own client reads
 * them the same way). The last such line wins. Nothing else is guessed.
 */
const TQDM = /^\s*(\d{1,3})%\s*\|.*?\|\s*(\d+)\/(\d+)/;

export function percentFromLogs(lines: readonly string[]): number | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = TQDM.exec(lines[i] ?? "");
    if (m) {
      const percent = Number(m[1]);
      return percent <= 100 ? percent : undefined;
    }
  }
  return undefined;
}

/** The last non-empty log line, shortened: what the provider last said. */
export function lastLogLine(lines: readonly string[], max = 200): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = (lines[i] ?? "").replace(/\s+/g, " ").trim();
    if (line) {
      return truncateText(line, max, { ellipsis: "…" });
    }
  }
  return undefined;
}

/** Calls `onProgress` only when what the provider says changes (polls repeat themselves). */
export function changesOnly(onProgress: (p: ProviderProgress) => void): (p: ProviderProgress) => void {
  let last = "";
  return (p) => {
    const key = JSON.stringify({ ...p, preview: undefined });
    if (key !== last) {
      last = key;
      onProgress(p);
    }
  };
}
