import WebSocket from "ws";
import { z } from "zod";
import type { EngineInstance } from "../engines/instances";

/**
 * ComfyUI's websocket (`/ws?clientId=`): JSON frames `{type, data}` and
 * binary preview frames. ComfyUI sends a prompt's execution messages only to
 * the client_id that queued it, so each job has its own client_id (kept in
 * its handle) and reconnects with it after a generator restart.
 */

/** Binary frame types (server.py BinaryEventTypes). */
const PREVIEW_IMAGE = 1;
const PREVIEW_IMAGE_WITH_METADATA = 4;
/** A frame larger than this is dropped unread (previews are small; see PREVIEW_MAX_INPUT_BYTES). */
export const WS_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
/** Reconnecting after a drop: first after 1 s, doubling up to 10 s (the poller covers the gap). */
export const WS_RECONNECT_MIN_MS = 1000;
export const WS_RECONNECT_MAX_MS = 10_000;

export type ComfyEvent =
  | { type: "execution_start"; promptId?: string }
  | { type: "executing"; promptId?: string; node: string | null }
  | { type: "progress"; promptId?: string; node?: string; value: number; max: number }
  | { type: "executed"; promptId?: string; node: string }
  | { type: "execution_success"; promptId?: string }
  | { type: "execution_error"; promptId?: string }
  | { type: "execution_interrupted"; promptId?: string }
  | { type: "preview"; promptId?: string; image: Buffer; mimeType: string };

const dataSchema = z.looseObject({
  prompt_id: z.string().optional(),
  node: z.string().nullish(),
  value: z.number().optional(),
  max: z.number().optional(),
});

/** One JSON frame as an event Sorami follows, or null for the others (status, progress_state, custom nodes'…). */
export function parseTextFrame(text: string): ComfyEvent | null {
  let message: { type?: unknown; data?: unknown };
  try {
    message = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = dataSchema.safeParse(message?.data);
  if (!parsed.success) {
    return null;
  }
  const d = parsed.data;
  const promptId = d.prompt_id;
  switch (message.type) {
    case "execution_start":
    case "execution_success":
    case "execution_error":
    case "execution_interrupted":
      return { type: message.type, promptId };
    case "executing":
      return { type: "executing", promptId, node: d.node ?? null };
    case "executed":
      return d.node ? { type: "executed", promptId, node: d.node } : null;
    case "progress":
      return typeof d.value === "number" && typeof d.max === "number" && d.max > 0
        ? { type: "progress", promptId, node: d.node ?? undefined, value: d.value, max: d.max }
        : null;
    default:
      return null;
  }
}

/**
 * A binary frame: `[u32 BE type][payload]`. Type 1: `[u32 image type (1 JPEG,
 * 2 PNG)][image]`. Type 4: `[u32 metadata length][metadata JSON][image]`, the
 * metadata naming `image_type` and `prompt_id`. Anything else → null.
 */
export function parseBinaryFrame(frame: Buffer): Extract<ComfyEvent, { type: "preview" }> | null {
  if (frame.length < 8) {
    return null;
  }
  const type = frame.readUInt32BE(0);
  if (type === PREVIEW_IMAGE) {
    const format = frame.readUInt32BE(4);
    return { type: "preview", image: frame.subarray(8), mimeType: format === 2 ? "image/png" : "image/jpeg" };
  }
  if (type === PREVIEW_IMAGE_WITH_METADATA) {
    const length = frame.readUInt32BE(4);
    if (8 + length > frame.length) {
      return null;
    }
    let meta: { image_type?: unknown; prompt_id?: unknown } = {};
    try {
      meta = JSON.parse(frame.subarray(8, 8 + length).toString("utf8"));
    } catch {
      return null;
    }
    return {
      type: "preview",
      image: frame.subarray(8 + length),
      mimeType: typeof meta.image_type === "string" ? meta.image_type : "image/jpeg",
      ...(typeof meta.prompt_id === "string" ? { promptId: meta.prompt_id } : {}),
    };
  }
  return null;
}

export function wsUrl(instance: EngineInstance, clientId: string): string {
  const url = new URL(`${instance.baseUrl}/ws`);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("clientId", clientId);
  return url.toString();
}

/**
 * Follows one client_id's events until `close()`: reconnects after a drop
 * (ComfyUI restarted, a proxy timed out) with backoff. Losing frames is
 * harmless: completion and loss are decided by polling /queue and /history.
 */
export function followComfySocket(
  instance: EngineInstance,
  clientId: string,
  onEvent: (event: ComfyEvent) => void,
): { close(): void } {
  let closed = false;
  let socket: WebSocket | undefined;
  let timer: NodeJS.Timeout | undefined;
  let delay = WS_RECONNECT_MIN_MS;

  const connect = () => {
    if (closed) {
      return;
    }
    const ws = new WebSocket(wsUrl(instance, clientId), {
      headers: instance.headers,
      maxPayload: WS_MAX_PAYLOAD_BYTES,
      handshakeTimeout: 10_000,
    });
    socket = ws;
    ws.on("open", () => {
      delay = WS_RECONNECT_MIN_MS;
    });
    ws.on("message", (data, isBinary) => {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      const event = isBinary ? parseBinaryFrame(buffer) : parseTextFrame(buffer.toString("utf8"));
      if (event) {
        onEvent(event);
      }
    });
    // An error is always followed by close; reconnecting happens there.
    ws.on("error", () => {});
    ws.on("close", () => {
      if (closed) {
        return;
      }
      timer = setTimeout(connect, delay);
      timer.unref();
      delay = Math.min(delay * 2, WS_RECONNECT_MAX_MS);
    });
  };
  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      socket?.terminate();
    },
  };
}
