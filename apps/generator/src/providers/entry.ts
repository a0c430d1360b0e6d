import {
  type CatalogEntry,
  capabilityViolation,
  type ImageParams,
  type JobKind,
  type ParamsOf,
  type VideoParams,
} from "@sorami/contracts";
import { ProviderError } from "./types";

/** What every provider does with its catalog entry before a paid call. */

/** Refuses what the entry's capabilities do not allow (the web app and the generator's submit checked it already). */
export function checkCapabilities<K extends JobKind>(entry: CatalogEntry, params: ParamsOf<K>, inputImage?: Buffer) {
  // With the image in hand it is there; otherwise the request says whether it names one (a URL not fetched yet).
  const violation = capabilityViolation(entry, params as ImageParams & VideoParams, inputImage ? true : undefined);
  if (violation) {
    throw new ProviderError("invalid_request", violation.message);
  }
}

/** The vendor's name for a built-in entry's model: its options.model (GEMINI_IMAGE_MODEL, VEO_MODEL…), else its id. */
export function vendorModelOf(entry: CatalogEntry): string {
  const model = (entry.options as { model?: unknown }).model;
  return typeof model === "string" && model ? model : entry.id;
}
