import { describe, expect, it } from "vitest";
import { MEDIA_TYPES, sniffMediaType } from "./media";

const box = (brand: string) => Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from(`ftyp${brand}`)]);

describe("sniffMediaType", () => {
  it("recognises images and videos by their first bytes", () => {
    expect(sniffMediaType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]))).toBe("PNG");
    expect(sniffMediaType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe("JPEG");
    expect(sniffMediaType(Buffer.concat([Buffer.from("RIFF"), Buffer.alloc(4), Buffer.from("WEBP")]))).toBe("WEBP");
    expect(sniffMediaType(box("isom"))).toBe("MP4");
    expect(sniffMediaType(box("mp42"))).toBe("MP4");
    expect(sniffMediaType(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x01]))).toBe("WEBM");
    expect(MEDIA_TYPES.MP4.kind).toBe("video");
  });

  it("refuses still-image ISO-BMFF brands, text and short prefixes", () => {
    expect(sniffMediaType(box("avif"))).toBeNull();
    expect(sniffMediaType(box("heic"))).toBeNull();
    expect(sniffMediaType(Buffer.from("<html><body>expired</body></html>"))).toBeNull();
    expect(sniffMediaType(Buffer.from("....ftyp"))).toBeNull();
  });
});
