import { imageParamsSchema } from "@sorami/contracts";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { downloadOutputs, toImageFiles } from "./outputs";
import { RemoteWorkFailed } from "./remote";

const policy = { allowHosts: [], vendor: "fal" };
const signal = new AbortController().signal;

describe("provider outputs", () => {
  it("decodes data URIs (fal's sync mode) and refuses one of the wrong kind", async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: "#09f" } })
      .png()
      .toBuffer();
    const [image] = await downloadOutputs([`data:image/png;base64,${png.toString("base64")}`], "image", policy, signal);
    expect([image?.type, image?.bytes]).toEqual(["PNG", png]);
    const refused = await downloadOutputs(
      [`data:image/png;base64,${png.toString("base64")}`],
      "video",
      policy,
      signal,
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RemoteWorkFailed);
    expect((refused as RemoteWorkFailed).message).toBe("fal returned a file that is not a video");
    const notBase64 = await downloadOutputs(["data:text/plain,hello"], "image", policy, signal).catch(
      (e: unknown) => e,
    );
    expect((notBase64 as Error).message).toMatch(/^fal returned a data URI Sorami cannot use/);
  });

  it("keeps a file that already is what was asked byte for byte, and converts any other", async () => {
    const exact = await sharp({ create: { width: 256, height: 256, channels: 3, background: "#f90" } })
      .png()
      .toBuffer();
    const other = await sharp({ create: { width: 300, height: 200, channels: 3, background: "#f90" } })
      .jpeg()
      .toBuffer();
    const params = imageParamsSchema.parse({ prompt: "p", size: "256x256", format: "PNG" });
    const [kept, converted] = await toImageFiles(
      [
        { bytes: exact, type: "PNG" },
        { bytes: other, type: "JPEG" },
      ],
      params,
    );
    expect(kept?.data).toBe(exact);
    expect(await sharp(converted?.data).metadata()).toMatchObject({ format: "png", width: 256, height: 256 });
    expect(converted).toMatchObject({ format: "PNG", ext: "png", width: 256, height: 256, description: "p" });
  });
});
