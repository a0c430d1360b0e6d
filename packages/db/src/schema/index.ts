export * from "./auth";
export * from "./events";
export * from "./generator";
export * from "./jobs";
export * from "./media";
export * from "./notifications";
export * from "./queue";
export * from "./webhooks";
