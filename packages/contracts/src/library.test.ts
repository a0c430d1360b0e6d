import { describe, expect, it } from "vitest";
import {
  createShareSchema,
  libraryQuerySchema,
  SEARCH_TERMS_MAX,
  SHARE_EXPIRY_MAX_SECONDS,
  SHARE_EXPIRY_MIN_SECONDS,
  searchTerms,
} from "./library";

describe("searchTerms", () => {
  it("splits on any white space, keeps each term once, and at most SEARCH_TERMS_MAX", () => {
    expect(searchTerms("  black\tcat\u3000窓辺 cat ")).toEqual(["black", "cat", "窓辺"]);
    expect(searchTerms(undefined)).toEqual([]);
    expect(searchTerms(Array.from({ length: 20 }, (_, i) => `w${i}`).join(" "))).toHaveLength(SEARCH_TERMS_MAX);
  });
});

describe("the library query", () => {
  it("takes dates PostgreSQL holds, in order, and booleans spelled true or false", () => {
    const ok = libraryQuerySchema.parse({
      from: "2026-01-01T00:00:00Z",
      to: "2026-01-01T00:00:00Z",
      favorite: "false",
    });
    expect([ok.favorite, ok.limit, ok.status]).toEqual([false, 20, "all"]);
    const issue = (q: Record<string, string>) => libraryQuerySchema.safeParse(q).error?.issues[0]?.path.join(".");
    expect(issue({ from: "0000-12-31T00:00:00Z" })).toBe("from");
    expect(issue({ from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z" })).toBe("to");
    expect(issue({ favorite: "1" })).toBe("favorite");
    expect(issue({ kind: "audio" })).toBe("kind");
    expect(issue({ q: "a\u0000b" })).toBe("q");
  });
});

describe("a share link request", () => {
  it("names one target and an expiry from an hour to thirty days, or null for never", () => {
    const base = { generation_id: "job-1" };
    expect(createShareSchema.safeParse({ ...base, expires_in_seconds: null }).success).toBe(true);
    expect(createShareSchema.safeParse({ ...base, expires_in_seconds: SHARE_EXPIRY_MIN_SECONDS }).success).toBe(true);
    expect(createShareSchema.safeParse({ ...base, expires_in_seconds: SHARE_EXPIRY_MAX_SECONDS }).success).toBe(true);
    expect(createShareSchema.safeParse({ ...base, expires_in_seconds: SHARE_EXPIRY_MIN_SECONDS - 1 }).success).toBe(
      false,
    );
    expect(createShareSchema.safeParse({ ...base, expires_in_seconds: SHARE_EXPIRY_MAX_SECONDS + 1 }).success).toBe(
      false,
    );
    expect(createShareSchema.safeParse({ ...base }).success).toBe(false);
    expect(createShareSchema.safeParse({ expires_in_seconds: null }).success).toBe(false);
    expect(
      createShareSchema.safeParse({ ...base, collection_id: "c-1", expires_in_seconds: null }).error?.issues[0]?.path,
    ).toEqual(["generation_id"]);
  });
});
