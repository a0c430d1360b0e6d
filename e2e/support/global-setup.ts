import { ensureWebBuilt } from "../../scripts/lib/build";

/** Builds the web app once (only if its sources changed) before any end-to-end test starts a stack. */
export default async function setup(): Promise<void> {
  await ensureWebBuilt((line) => console.log(line));
}
