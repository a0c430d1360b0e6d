import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createStorage } from "@sorami/storage";
import { afterAll, describe, expect, it } from "vitest";
import yauzl from "yauzl";
import { attachmentHeader, safeName, zipResponse } from "./archive";

const dir = mkdtempSync(path.join(os.tmpdir(), "sorami-archive-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function entriesOf(zip: Buffer): Promise<Map<string, Buffer>> {
  const archive = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  const files = new Map<string, Buffer>();
  return new Promise((resolve, reject) => {
    archive.on("end", () => resolve(files));
    archive.on("error", reject);
    archive.on("entry", (entry: yauzl.Entry) =>
      archive.openReadStream(entry, (error, stream) => {
        if (error || !stream) {
          reject(error);
          return;
        }
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          files.set(entry.fileName, Buffer.concat(chunks));
          archive.readEntry();
        });
      }),
    );
    archive.readEntry();
  });
}

describe("names in archives", () => {
  it("keep a person's words, any script, without separators, controls or reserved marks", () => {
    expect(safeName('Sea / shore: "best"', "x")).toBe("Sea _ shore_ _best_");
    expect(safeName("猫たち 🐈", "x")).toBe("猫たち 🐈");
    expect(safeName("a\u0000b\u202ec", "x")).toBe("a_b_c");
    expect(safeName(" .. ", "collection")).toBe("collection");
    expect(safeName("x".repeat(200), "c")).toHaveLength(60);
  });

  it("are given to the browser in ASCII and in UTF-8", () => {
    expect(attachmentHeader('猫 "x".zip')).toBe(
      `attachment; filename="_ _x_.zip"; filename*=UTF-8''${encodeURIComponent('猫 "x".zip')}`,
    );
  });
});

describe("zipResponse", () => {
  const storage = createStorage({ kind: "local", root: dir });

  it("streams the stored files, byte for byte, under their names", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    await storage.put("images/j1/image_1.png", Buffer.from("first"), "image/png");
    await storage.put("images/j1/image_2.png", big, "image/png");
    const res = zipResponse(
      storage,
      [
        { key: "images/j1/image_1.png", name: "f/one.png", mtime: new Date() },
        { key: "images/j1/image_2.png", name: "f/two.png", mtime: new Date() },
      ],
      "f.zip",
    );
    expect(res.headers.get("content-type")).toBe("application/zip");
    const files = await entriesOf(Buffer.from(await res.arrayBuffer()));
    expect([...files.keys()]).toEqual(["f/one.png", "f/two.png"]);
    expect(files.get("f/one.png")?.toString()).toBe("first");
    expect(files.get("f/two.png")?.equals(big)).toBe(true);
  });

  it("ends in error, not in a silently shorter archive, when a file is missing", async () => {
    const res = zipResponse(storage, [{ key: "images/j1/missing.png", name: "m.png", mtime: new Date() }], "m.zip");
    await expect(res.arrayBuffer()).rejects.toThrow();
  });
});
