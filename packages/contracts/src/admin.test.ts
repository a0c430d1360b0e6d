import { describe, expect, it } from "vitest";
import { adminJobsQuerySchema } from "./admin";
import { decodeKeysetCursor } from "./cursor";

describe("instants a client names, checked against what PostgreSQL holds", () => {
  it("refuses year 0000 in the admin job filters (it passed z.iso.datetime and failed the database's cast)", () => {
    expect(adminJobsQuerySchema.safeParse({ from: "0000-12-31T23:59:59.999Z" }).success).toBe(false);
    expect(adminJobsQuerySchema.safeParse({ to: "0001-01-01T00:00:00+01:00" }).success).toBe(false);
    expect(adminJobsQuerySchema.safeParse({ from: "2026-01-01T00:00:00+01:00" }).success).toBe(true);
  });

  it("refuses a keyset cursor dated year 0000 as not a cursor of this API", () => {
    const forged = Buffer.from(JSON.stringify(["0000-01-01T00:00:00.000Z", "x"])).toString("base64url");
    expect(() => decodeKeysetCursor(forged)).toThrow(/cursor/);
    const real = Buffer.from(JSON.stringify(["2026-01-01T00:00:00.000Z", "x"])).toString("base64url");
    expect(decodeKeysetCursor(real).id).toBe("x");
  });
});
