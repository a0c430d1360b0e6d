import { describe, expect, it } from "vitest";
import type { ProviderProgress } from "../providers/types";
import { providerUpdates } from "./provider-updates";

const HOUR_MS = 3_600_000;

describe("provider updates", () => {
  it("sends every report in order when nothing limits them", async () => {
    const sent: string[] = [];
    const updates = providerUpdates(
      async (p) => void sent.push(p.message ?? ""),
      () => {},
      0,
    );
    for (const message of ["a", "b", "c"]) {
      updates.report({ message });
      await new Promise((r) => setTimeout(r, 0));
    }
    await updates.stop();
    expect(sent).toEqual(["a", "b", "c"]);
  });

  it("sends the first at once, keeps only the newest of those that come within the interval, and drops it at stop", async () => {
    const sent: ProviderProgress[] = [];
    const updates = providerUpdates(
      async (p) => void sent.push(p),
      () => {},
      HOUR_MS,
    );
    updates.report({ message: "In queue — position 3" });
    updates.report({ message: "In queue — position 2" });
    updates.report({ message: "In queue — position 1" });
    await updates.stop();
    updates.report({ message: "after the run moved on" });
    expect(sent).toEqual([{ message: "In queue — position 3" }]);
  });

  it("loses one update, never the run, when writing it fails", async () => {
    const errors: unknown[] = [];
    const sent: string[] = [];
    let fail = true;
    const updates = providerUpdates(
      async (p) => {
        if (fail) {
          fail = false;
          throw new Error("database away");
        }
        sent.push(p.message ?? "");
      },
      (e) => errors.push(e),
      0,
    );
    updates.report({ message: "lost" });
    await new Promise((r) => setTimeout(r, 0));
    updates.report({ message: "kept" });
    await updates.stop();
    expect([errors.length, sent]).toEqual([1, ["kept"]]);
  });
});
