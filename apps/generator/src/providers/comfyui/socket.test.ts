import { describe, expect, it } from "vitest";
import { parseBinaryFrame, parseTextFrame, wsUrl } from "./socket";

const frame = (type: number, second: number, rest: Buffer) => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(type, 0);
  head.writeUInt32BE(second, 4);
  return Buffer.concat([head, rest]);
};

describe("ComfyUI websocket frames", () => {
  it("reads a type 1 preview (4-byte event type, 4-byte image type, image)", () => {
    const image = Buffer.from([0xff, 0xd8, 0xff, 0x01]);
    expect(parseBinaryFrame(frame(1, 1, image))).toEqual({ type: "preview", image, mimeType: "image/jpeg" });
    expect(parseBinaryFrame(frame(1, 2, image))?.mimeType).toBe("image/png");
  });

  it("reads a type 4 preview with its metadata, and refuses a truncated one", () => {
    const meta = Buffer.from(JSON.stringify({ image_type: "image/png", prompt_id: "p1", node_id: "3" }));
    const image = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    expect(parseBinaryFrame(frame(4, meta.length, Buffer.concat([meta, image])))).toEqual({
      type: "preview",
      image,
      mimeType: "image/png",
      promptId: "p1",
    });
    expect(parseBinaryFrame(frame(4, 500, meta))).toBeNull();
    expect(parseBinaryFrame(frame(3, 1, Buffer.from("text")))).toBeNull();
    expect(parseBinaryFrame(Buffer.from([0, 0, 0, 1]))).toBeNull();
  });

  it("reads the JSON events it follows and ignores the rest", () => {
    const text = (type: string, data: unknown) => parseTextFrame(JSON.stringify({ type, data }));
    expect(text("progress", { value: 3, max: 20, prompt_id: "p", node: "3" })).toEqual({
      type: "progress",
      promptId: "p",
      node: "3",
      value: 3,
      max: 20,
    });
    expect(text("executing", { node: null, prompt_id: "p" })).toEqual({ type: "executing", promptId: "p", node: null });
    expect(text("execution_error", { prompt_id: "p", exception_message: "x" })).toEqual({
      type: "execution_error",
      promptId: "p",
    });
    expect(text("progress", { value: 1, max: 0 })).toBeNull();
    expect(text("status", { status: { exec_info: { queue_remaining: 2 } } })).toBeNull();
    expect(parseTextFrame("{not json")).toBeNull();
  });

  it("builds the websocket URL from the base URL, keeping its path", () => {
    const base = { name: "", headers: {} };
    expect(wsUrl({ ...base, baseUrl: "https://h/comfy" }, "c1")).toBe("wss://h/comfy/ws?clientId=c1");
    expect(wsUrl({ ...base, baseUrl: "http://h:8188" }, "c 2")).toBe("ws://h:8188/ws?clientId=c+2");
  });
});
