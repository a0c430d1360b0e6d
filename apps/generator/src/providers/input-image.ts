import { assertInputImagePixels } from "@sorami/contracts/image-pixels";
import { fetchImage, SafeFetchError } from "@sorami/safe-fetch";
import { ProviderError } from "./types";

/** Fetches a job's input_image_url; what it throws is already in the pipeline's terms. */
export type InputImageFetcher = (url: string, signal: AbortSignal) => Promise<Buffer>;

/**
 * Input images given by URL are fetched when the job runs, through the one
 * safe fetcher (public addresses only, 10 s, 7 MiB, image bytes). A refused
 * URL fails the job at once with the fetcher's reason; a timeout or a 5xx
 * is retried like any transient failure.
 */
export function createInputImageFetcher(allowHosts: readonly string[] = []): InputImageFetcher {
  return async (url, signal) => {
    let bytes: Buffer;
    try {
      bytes = (await fetchImage(url, { allowHosts, signal })).bytes;
    } catch (error) {
      if (error instanceof SafeFetchError) {
        throw new ProviderError(error.permanent ? "invalid_request" : "transient", error.message);
      }
      throw error;
    }
    // Checked like an uploaded one before any provider decodes it.
    try {
      await assertInputImagePixels(bytes, "input_image_url");
    } catch (error) {
      throw new ProviderError("invalid_request", (error as Error).message);
    }
    return bytes;
  };
}
