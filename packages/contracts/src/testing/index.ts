export * from "./arbitrary";
export * from "./edges";
export * from "./png";
