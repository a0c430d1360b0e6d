import { existsSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../../scripts/lib/build";
import type { BenchContext } from "../lib/context";
import { figure } from "../lib/report";

const SECTION = "3 push";

/** Webhook accepted → the job event at an SSE client. */
export async function benchPush(ctx: BenchContext): Promise<void> {
  if (!existsSync(path.join(ROOT, "apps/web/app/api/events/route.ts"))) {
    ctx.figures.push(
      figure({
        section: SECTION,
        name: "webhook → SSE event p99",
        value: null,
        unit: "ms",
        target: { text: "≤ 100 ms", check: (v) => v <= 100 },
        note: "pending SSE (GET /api/events not merged yet)",
      }),
    );
  }
}
