import { ensureWebBuilt } from "./lib/build";

/** `npm run build`: builds the web app for production (skipped when its sources have not changed). */
await ensureWebBuilt((line) => console.log(line));
