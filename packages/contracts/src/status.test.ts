import { describe, expect, it } from "vitest";
import { decideTransition, JOB_STATUSES, type JobStatus, statusesMovingTo, TERMINAL_STATUSES } from "./status";

const FORWARD: JobStatus[] = ["PENDING", "INITIALIZING", "GENERATING", "SAVING"];

describe("decideTransition", () => {
  // Every (from, to) pair, checked against the rule written out independently.
  for (const from of JOB_STATUSES) {
    for (const to of JOB_STATUSES) {
      it(`${from} → ${to}`, () => {
        const decision = decideTransition({ status: from, progress: 10 }, { status: to, progress: 50 });
        const fromTerminal = TERMINAL_STATUSES.includes(from);
        const toTerminal = TERMINAL_STATUSES.includes(to);
        const forward =
          toTerminal || (FORWARD.includes(to) && FORWARD.indexOf(to) >= FORWARD.indexOf(from) && !fromTerminal);
        if (fromTerminal) {
          expect(decision).toEqual({ apply: false, reason: "terminal" });
        } else if (!forward) {
          expect(decision).toEqual({ apply: false, reason: "backwards" });
        } else {
          expect(decision.apply).toBe(true);
        }
      });
    }
  }

  it("never lowers progress", () => {
    expect(decideTransition({ status: "GENERATING", progress: 70 }, { status: "SAVING", progress: 40 })).toEqual({
      apply: true,
      status: "SAVING",
      progress: 70,
    });
  });

  it("lets a same-status event raise progress but not repeat itself", () => {
    expect(decideTransition({ status: "GENERATING", progress: 60 }, { status: "GENERATING", progress: 80 })).toEqual({
      apply: true,
      status: "GENERATING",
      progress: 80,
    });
    expect(decideTransition({ status: "GENERATING", progress: 60 }, { status: "GENERATING", progress: 60 }).apply).toBe(
      false,
    );
  });

  it("takes a provider's new words at the same progress only from an event known to be newer", () => {
    const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms));
    const now = { status: "GENERATING" as const, progress: 60, message: "In queue — position 3", reportedAt: at(10) };
    const next = { status: "GENERATING" as const, progress: 60, message: "In queue — position 2" };
    expect(decideTransition(now, { ...next, reportedAt: at(20) })).toEqual({
      apply: true,
      status: "GENERATING",
      progress: 60,
    });
    // Older (a delivery that arrived late), the same words, or no time to compare: nothing changes.
    expect(decideTransition(now, { ...next, reportedAt: at(5) }).apply).toBe(false);
    expect(decideTransition(now, { ...next, message: now.message, reportedAt: at(20) }).apply).toBe(false);
    expect(decideTransition(now, next).apply).toBe(false);
    expect(decideTransition({ ...now, reportedAt: null }, { ...next, reportedAt: at(20) }).apply).toBe(false);
  });

  it("uses document 000's progress when the event has none, and 100 on completion", () => {
    expect(decideTransition({ status: "PENDING", progress: 0 }, { status: "INITIALIZING" })).toMatchObject({
      progress: 25,
    });
    expect(decideTransition({ status: "PENDING", progress: 0 }, { status: "COMPLETED", progress: 3 })).toMatchObject({
      progress: 100,
    });
  });

  it("ignores a late `generating` after `completed`", () => {
    expect(decideTransition({ status: "COMPLETED", progress: 100 }, { status: "GENERATING" })).toEqual({
      apply: false,
      reason: "terminal",
    });
  });
});

describe("statusesMovingTo", () => {
  it("is every status decideTransition lets a job leave for that status", () => {
    for (const to of JOB_STATUSES) {
      // progress -1 → 100 always raises progress, so only the statuses decide.
      const allowed = JOB_STATUSES.filter(
        (from) => decideTransition({ status: from, progress: -1 }, { status: to, progress: 100 }).apply,
      );
      expect(statusesMovingTo(to), to).toEqual(allowed);
    }
  });
});
