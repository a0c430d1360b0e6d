// Before any schema is built: see the module.
import "./zod-setup";

export * from "./admin";
export * from "./catalog";
export * from "./cursor";
export * from "./errors";
export * from "./events";
export * from "./gallery";
export * from "./generator";
export * from "./generator-admin";
export * from "./health";
export * from "./images";
export * from "./jobs";
export * from "./limits";
export * from "./moderation";
export * from "./notifications";
export * from "./prompt-policy";
export * from "./providers";
export * from "./retry-after";
export * from "./sse";
export * from "./status";
export * from "./storage-keys";
export * from "./text";
export * from "./video";
export * from "./webhooks";
