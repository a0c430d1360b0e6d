import sharp from "sharp";
import { executionOrder, type Graph, linked, makeMp4, makePng, type Value } from "./comfyui-graph";

/**
 * The stand-in's "execution" of a validated prompt (execution.py's loop):
 * nodes in dependency order, `executing` per node, each sampler step a
 * `progress` message and a preview frame, output nodes writing real files.
 */

export type Item = { number: number; id: string; prompt: Graph; extra: Record<string, unknown>; outputs: string[] };
type FileRef = { filename: string; subfolder: string; type: string };

/** What a running prompt reaches of its server. */
export type Run = {
  /** A JSON message to the client that queued the prompt. */
  send(type: string, data: unknown): void;
  /** A binary preview frame to that client. */
  preview(node: string, step: number): void;
  /** One sampler step: waits the step time and any hold; throws once interrupted. */
  tick(): Promise<void>;
  onNode(id: string): void;
  nextFile(): number;
  inputs: Map<string, Buffer>;
  files: Map<string, Buffer>;
};

export class Interrupted extends Error {}
/** A node that raised: execution_error names it and the exception. */
export class NodeFailure extends Error {
  constructor(
    readonly node: string,
    readonly exceptionType: string,
    message: string,
  ) {
    super(message);
  }
}

export async function executePrompt(item: Item, run: Run): Promise<Record<string, Record<string, unknown>>> {
  const values = new Map<string, Value>();
  const ui: Record<string, Record<string, unknown>> = {};
  const g = item.prompt;
  for (const id of executionOrder(g, item.outputs)) {
    const node = g[id] as { class_type: string; inputs: Record<string, unknown> };
    const inp = node.inputs;
    run.onNode(id);
    run.send("executing", { node: id, display_node: id, prompt_id: item.id });
    const from = (name: string) => linked(g, values, id, name);
    switch (node.class_type) {
      case "CLIPTextEncode":
        values.set(id, { width: 0, height: 0, batch: 1, text: String(inp.text) });
        break;
      case "EmptyLatentImage":
        values.set(id, { width: Number(inp.width), height: Number(inp.height), batch: Number(inp.batch_size) });
        break;
      case "LoadImage": {
        const source = run.inputs.get(String(inp.image)) as Buffer;
        const meta = await sharp(source).metadata();
        values.set(id, { width: meta.width ?? 0, height: meta.height ?? 0, batch: 1, source });
        break;
      }
      case "ImageScale": {
        const v = from("image");
        values.set(id, { ...(v as Value), width: Number(inp.width), height: Number(inp.height) });
        break;
      }
      case "VAEEncode":
      case "VAEDecode":
        values.set(id, { ...(from(node.class_type === "VAEEncode" ? "pixels" : "samples") as Value) });
        break;
      case "RepeatLatentBatch": {
        const v = from("samples") as Value;
        values.set(id, { ...v, batch: v.batch * Number(inp.amount) });
        break;
      }
      case "KSampler": {
        const text = from("positive")?.text ?? "";
        const steps = Number(inp.steps);
        for (let step = 1; step <= steps; step++) {
          await run.tick();
          if (text.includes("[oom]") && step === 2) {
            throw new NodeFailure(id, "torch.OutOfMemoryError", "Allocation on device 0 would exceed allowed memory.");
          }
          if (text.includes("[error]") && step === 2) {
            throw new NodeFailure(
              id,
              "RuntimeError",
              "mat1 and mat2 shapes cannot be multiplied (77x2048 and 768x320)",
            );
          }
          run.send("progress", { value: step, max: steps, prompt_id: item.id, node: id });
          run.preview(id, step);
        }
        values.set(id, { ...(from("latent_image") as Value), seed: Number(inp.seed), text });
        break;
      }
      case "CreateVideo":
        values.set(id, { ...(from("images") as Value), fps: Number(inp.fps) });
        break;
      case "SaveImage":
      case "PreviewImage":
      case "SaveAnimatedWEBP":
      case "SaveVideo": {
        const v = from(node.class_type === "SaveVideo" ? "video" : "images") as Value;
        const type = node.class_type === "PreviewImage" ? "temp" : "output";
        const refs: FileRef[] = [];
        const animated = node.class_type === "SaveVideo" || node.class_type === "SaveAnimatedWEBP";
        const count = animated ? 1 : v.batch;
        for (let i = 0; i < count; i++) {
          const ext = { SaveVideo: "mp4", SaveAnimatedWEBP: "webp" }[node.class_type as string] ?? "png";
          // SaveImage's filename_prefix may name a subfolder: "sorami/sdxl" → sorami/sdxl_00001_.png.
          const parts = String(inp.filename_prefix ?? "ComfyUI").split("/");
          const base = parts.pop() ?? "ComfyUI";
          const filename = `${base}_${String(run.nextFile()).padStart(5, "0")}_.${ext}`;
          const ref = { filename, subfolder: parts.join("/"), type };
          const bytes =
            ext === "mp4"
              ? await makeMp4(v)
              : ext === "webp"
                ? await sharp(await makePng(v, i))
                    .webp()
                    .toBuffer()
                : await makePng(v, i);
          run.files.set(`${type}/${ref.subfolder}/${filename}`, bytes);
          refs.push(ref);
        }
        ui[id] = animated ? { images: refs, animated: [true] } : { images: refs };
        run.send("executed", { node: id, display_node: id, output: ui[id], prompt_id: item.id });
        break;
      }
      default:
        values.set(id, { width: 0, height: 0, batch: 1 });
    }
  }
  return ui;
}
