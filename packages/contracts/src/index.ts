// Before any schema is built: see the module.
import "./zod-setup";

export * from "./catalog";
export * from "./catalog-builtins";
export * from "./catalog-mapping";
export * from "./catalog-options";
export * from "./catalog-rules";
export * from "./errors";
export * from "./events";
export * from "./gallery";
export * from "./generator";
export * from "./health";
export * from "./images";
export * from "./jobs";
export * from "./keys";
export * from "./library";
export * from "./limits";
export * from "./media";
export * from "./notifications";
export * from "./providers";
export * from "./retry-after";
export * from "./sse";
export * from "./status";
export * from "./storable";
export * from "./storage-keys";
export * from "./text";
export * from "./video";
export * from "./webhooks";
