import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { AppError, MEDIA_LINK_SECONDS_DEFAULT } from "@sorami/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let links: typeof import("./links");
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "sorami-links-test-"));
  // The web app's env module reads these on first use.
  process.env.DATA_DIR = dataDir;
  process.env.WEB_URL = "https://sorami.example";
  process.env.DATABASE_URL = "postgres://unused@127.0.0.1:1/unused";
  links = await import("./links");
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const KEY = "images/0b6a/image_1.png";
const search = (url: string) => new URL(url).searchParams;

function refusal(fn: () => void): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("accepted");
}

describe("signed media links", () => {
  it("name the file on this server and expire MEDIA_LINK_SECONDS later", () => {
    const now = Date.UTC(2026, 0, 1);
    const url = new URL(links.signedMediaUrl(KEY, undefined, now));
    expect(`${url.origin}${url.pathname}`).toBe(`https://sorami.example/api/media/${KEY}`);
    expect(Number(url.searchParams.get("expires"))).toBe(now / 1000 + MEDIA_LINK_SECONDS_DEFAULT);
    expect(() => links.assertValidMediaLink(KEY, url.searchParams, now)).not.toThrow();
    expect(links.isSignedMediaRequest(url.searchParams)).toBe(true);
    expect(links.isSignedMediaRequest(new URLSearchParams("download=1"))).toBe(false);
  });

  it("are refused (403) once expired, and when anything in them is changed", () => {
    const now = Date.now();
    const url = links.signedMediaUrl(KEY, 60, now);
    const expired = refusal(() => links.assertValidMediaLink(KEY, search(url), now + 60_000));
    expect(expired).toMatchObject({ status: 403, field: "expires", message: "This media link has expired" });

    const later = search(url);
    later.set("expires", String(Number(later.get("expires")) + 3600));
    const tampered: URLSearchParams[] = [later];
    for (const signature of ["", "AAAA", `${search(url).get("signature")}A`]) {
      const p = search(url);
      p.set("signature", signature);
      tampered.push(p);
    }
    for (const expires of ["", "soon", "1e12", "-5"]) {
      const p = search(url);
      p.set("expires", expires);
      tampered.push(p);
    }
    for (const p of tampered) {
      expect(refusal(() => links.assertValidMediaLink(KEY, p, now)).field, p.toString()).toBe("signature");
    }
    // Another file, with this file's signature.
    expect(refusal(() => links.assertValidMediaLink("images/0b6a/image_2.png", search(url), now)).field).toBe(
      "signature",
    );
  });
});
