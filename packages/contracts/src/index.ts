export * from "./errors";
export * from "./images";
export * from "./jobs";
export * from "./limits";
export * from "./notifications";
export * from "./status";
export * from "./video";
export * from "./webhooks";
