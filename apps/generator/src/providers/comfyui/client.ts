import { z } from "zod";
import {
  type EngineInstance,
  type EngineRequest,
  engineFetch,
  HEALTH_TIMEOUT_MS,
  readCapped,
  readJson,
} from "../engines/instances";
import { excerpt } from "../retry";
import { ProviderError } from "../types";

/**
 * ComfyUI's HTTP API (server.py), one instance. Answers are parsed on
 * arrival; ComfyUI adds fields between versions, so objects are loose and
 * only what Sorami reads is required.
 */

const ENGINE = "ComfyUI";

const promptAcceptedSchema = z.looseObject({ prompt_id: z.string().min(1), number: z.number().optional() });

/** `/prompt`'s refusal: `error` is an object on current versions, a string on old ones. */
const promptRefusedSchema = z.looseObject({
  error: z
    .union([
      z.string(),
      z.looseObject({ type: z.string().optional(), message: z.string().optional(), details: z.string().optional() }),
    ])
    .optional(),
  node_errors: z
    .union([
      z.record(
        z.string(),
        z.looseObject({
          class_type: z.string().optional(),
          errors: z
            .array(z.looseObject({ message: z.string().optional(), details: z.string().optional() }))
            .default([]),
        }),
      ),
      z.array(z.unknown()),
    ])
    .optional(),
});

/** A queue entry: [number, prompt_id, prompt, extra_data, outputs_to_execute, …]. */
const queueItemSchema = z.array(z.unknown()).min(2);
const queueSchema = z.looseObject({
  queue_running: z.array(queueItemSchema).default([]),
  queue_pending: z.array(queueItemSchema).default([]),
});

export const fileRefSchema = z.looseObject({
  filename: z.string().min(1),
  subfolder: z.string().default(""),
  type: z.string().default("output"),
});
export type FileRef = z.infer<typeof fileRefSchema>;

const historyEntrySchema = z.looseObject({
  prompt: z.array(z.unknown()).optional(),
  outputs: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  status: z
    .looseObject({
      status_str: z.string().optional(),
      completed: z.boolean().optional(),
      messages: z.array(z.tuple([z.string(), z.unknown()])).default([]),
    })
    .nullish(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

const uploadSchema = z.looseObject({ name: z.string().min(1), subfolder: z.string().default("") });
const promptInfoSchema = z.looseObject({ exec_info: z.looseObject({ queue_remaining: z.number().int().min(0) }) });

export type QueueItem = { promptId: string; number: number; clientId?: string };
export type QueueSnapshot = { running: QueueItem[]; pending: QueueItem[] };

const itemOf = (item: unknown[]): QueueItem => {
  const extra = item[3] as { client_id?: unknown } | undefined;
  return {
    number: typeof item[0] === "number" ? item[0] : 0,
    promptId: String(item[1]),
    ...(typeof extra?.client_id === "string" ? { clientId: extra.client_id } : {}),
  };
};

/** A prompt ComfyUI refused: the first node error, naming the node and its class, else its top-level error. */
export function refusalMessage(body: unknown, workflow: string): string {
  const parsed = promptRefusedSchema.safeParse(body);
  if (!parsed.success) {
    return `ComfyUI refused the workflow ${workflow}`;
  }
  const { error, node_errors } = parsed.data;
  if (node_errors && !Array.isArray(node_errors)) {
    for (const [node, info] of Object.entries(node_errors)) {
      const first = info.errors[0];
      if (first) {
        const detail = [first.message, first.details].filter(Boolean).join(": ");
        return `ComfyUI refused the workflow ${workflow}: node ${node}${info.class_type ? ` (${info.class_type})` : ""}: ${excerpt(detail)}`;
      }
    }
  }
  if (typeof error === "string") {
    return `ComfyUI refused the workflow ${workflow}: ${excerpt(error)}`;
  }
  const said = [error?.message, error?.details].filter(Boolean).join(" ");
  return `ComfyUI refused the workflow ${workflow}${said ? `: ${excerpt(said)}` : ""}`;
}

export class ComfyClient {
  constructor(
    readonly instance: EngineInstance,
    private readonly authHint: string,
  ) {}

  private async call(path: string, request: EngineRequest = {}): Promise<Response> {
    const response = await engineFetch(ENGINE, this.instance, path, request);
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw new ProviderError(
        "invalid_request",
        `ComfyUI at ${this.instance.name} refused Sorami (HTTP ${response.status}); the operator should check ${this.authHint}`,
      );
    }
    if (response.status >= 500) {
      const text = excerpt(await response.text(), 200);
      throw new ProviderError(
        "transient",
        `ComfyUI at ${this.instance.name} had an error (HTTP ${response.status})${text ? `: ${text}` : ""}`,
      );
    }
    return response;
  }

  private async json<T>(path: string, schema: z.ZodType<T>, request: EngineRequest = {}): Promise<T> {
    const response = await this.call(path, request);
    if (response.status === 404) {
      await response.body?.cancel();
      throw new ProviderError(
        "invalid_request",
        `${this.instance.name} has no ${path.split("?")[0]} (HTTP 404): the operator should check that COMFYUI_URLS names ComfyUI itself`,
      );
    }
    const body = await readJson(ENGINE, this.instance, response);
    if (!response.ok) {
      throw new ProviderError(
        "transient",
        `ComfyUI at ${this.instance.name} answered HTTP ${response.status} to ${path}`,
      );
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new ProviderError("transient", `ComfyUI at ${this.instance.name} answered ${path} in an unexpected shape`);
    }
    return parsed.data;
  }

  /** Health: `/system_stats` answers while the server runs (it reads the device, so a wedged GPU shows up here). */
  async healthy(signal?: AbortSignal): Promise<void> {
    const response = await this.call("/system_stats", { signal, timeoutMs: HEALTH_TIMEOUT_MS });
    await response.body?.cancel();
    if (response.status === 404) {
      throw new ProviderError(
        "invalid_request",
        `${this.instance.name} has no /system_stats (HTTP 404): the operator should check that COMFYUI_URLS names ComfyUI itself`,
      );
    }
    if (!response.ok) {
      throw new ProviderError("transient", `ComfyUI at ${this.instance.name} answered HTTP ${response.status}`);
    }
  }

  /** Prompts queued or running (`GET /prompt` → exec_info.queue_remaining): the load used to pick an instance. */
  async queueRemaining(signal?: AbortSignal): Promise<number> {
    const info = await this.json("/prompt", promptInfoSchema, { signal, timeoutMs: HEALTH_TIMEOUT_MS });
    return info.exec_info.queue_remaining;
  }

  async queue(signal?: AbortSignal): Promise<QueueSnapshot> {
    const q = await this.json("/queue", queueSchema, { signal });
    const pending = q.queue_pending.map(itemOf).sort((a, b) => a.number - b.number);
    return { running: q.queue_running.map(itemOf), pending };
  }

  /** The prompt's history entry (written once, when it finished), or null when ComfyUI has none. */
  async history(promptId: string, signal?: AbortSignal): Promise<HistoryEntry | null> {
    const all = await this.json(`/history/${encodeURIComponent(promptId)}`, z.record(z.string(), historyEntrySchema), {
      signal,
    });
    return all[promptId] ?? null;
  }

  /** Queues a filled workflow; a refusal (node_errors) is an invalid request naming the node. */
  async postPrompt(
    body: { prompt: unknown; client_id: string; prompt_id: string; extra_data: Record<string, unknown> },
    workflow: string,
    signal?: AbortSignal,
  ): Promise<string> {
    const response = await this.call("/prompt", { json: body, signal });
    const answer = await readJson(ENGINE, this.instance, response);
    if (response.status === 400) {
      throw new ProviderError("invalid_request", refusalMessage(answer, workflow));
    }
    const accepted = promptAcceptedSchema.safeParse(answer);
    if (!response.ok || !accepted.success) {
      throw new ProviderError(
        "transient",
        `ComfyUI at ${this.instance.name} answered POST /prompt with HTTP ${response.status} and no prompt_id`,
      );
    }
    return accepted.data.prompt_id;
  }

  /** `POST /upload/image` (multipart), overwriting a file of the same name; returns the value a LoadImage takes. */
  async upload(bytes: Buffer, filename: string, subfolder: string, signal?: AbortSignal): Promise<string> {
    const form = new FormData();
    form.append("image", new Blob([new Uint8Array(bytes)]), filename);
    form.append("subfolder", subfolder);
    form.append("type", "input");
    form.append("overwrite", "true");
    const uploaded = await this.json("/upload/image", uploadSchema, { body: form, signal });
    return uploaded.subfolder ? `${uploaded.subfolder}/${uploaded.name}` : uploaded.name;
  }

  /** One output file through `GET /view`, capped at `max` bytes. */
  async view(file: FileRef, max: number, signal?: AbortSignal): Promise<Buffer> {
    const query = new URLSearchParams({ filename: file.filename, subfolder: file.subfolder, type: file.type });
    const response = await this.call(`/view?${query}`, { signal });
    if (!response.ok) {
      await response.body?.cancel();
      throw new ProviderError(
        response.status === 404 ? "no_output" : "transient",
        `ComfyUI at ${this.instance.name} could not serve its output ${file.filename} (HTTP ${response.status})`,
      );
    }
    return readCapped(response, max, `ComfyUI's output ${file.filename}`);
  }

  /** Stops the running prompt; current versions interrupt only if `prompt_id` is the one running. */
  async interrupt(promptId: string, signal?: AbortSignal): Promise<void> {
    const response = await this.call("/interrupt", { json: { prompt_id: promptId }, signal });
    await response.body?.cancel();
  }

  /** Removes queued (not running) prompts. */
  async deleteQueued(promptIds: string[], signal?: AbortSignal): Promise<void> {
    const response = await this.call("/queue", { json: { delete: promptIds }, signal });
    await response.body?.cancel();
  }

  /** Forgets finished prompts (a failed one, before its id is queued again). */
  async deleteHistory(promptIds: string[], signal?: AbortSignal): Promise<void> {
    const response = await this.call("/history", { json: { delete: promptIds }, signal });
    await response.body?.cancel();
  }
}
