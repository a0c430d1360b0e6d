export * from "./arbitrary";
export * from "./edges";
