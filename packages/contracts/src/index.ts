// Before any schema is built: see the module.
import "./zod-setup";

export * from "./api";
export * from "./auth";
export * from "./catalog";
export * from "./errors";
export * from "./events";
export * from "./gallery";
export * from "./generator";
export * from "./health";
export * from "./images";
export * from "./jobs";
export * from "./limits";
export * from "./notifications";
export * from "./providers";
export * from "./request-id";
export * from "./retry-after";
export * from "./sse";
export * from "./status";
export * from "./storage-keys";
export * from "./text";
export * from "./video";
export * from "./webhooks";
