import {
  type CatalogEntry,
  type ImageParams,
  type OpenAICompatibleOptions,
  openaiCompatibleOptionsSchema,
  sniffMediaType,
} from "@sorami/contracts";
import OpenAI from "openai";
import { checkCapabilities } from "./hosted";
import { OPENAI_REQUEST_TIMEOUT_MS, type OpenAIVendor, openaiError } from "./openai-image";
import { type Downloaded, downloadOutputs, hostOf, toImageFiles } from "./outputs";
import { DEFAULT_RETRY, type RetryPolicy, withRetries } from "./retry";
import { type Provider, type ProviderContext, ProviderError } from "./types";

/**
 * An OpenAI-compatible image server (LocalAI, a vLLM-style gateway, an
 * Azure-style proxy), declared in MODELS_FILE under `servers:` with the NAME
 * of the env variable holding its key: `POST {base_url}/v1/images/generations`
 * with the catalog entry's model name, answered with `b64_json` or `url`
 * (URLs fetched at once, the server's own host allowed even on the LAN).
 * One HTTP call, so a plain Provider: there is no remote request to resume.
 * Separate from the built-in OpenAI provider; several servers may be active.
 */
export type OpenAICompatibleServerConfig = {
  name: string;
  /** Without the trailing /v1 (it is added; given with it, it is not doubled). */
  baseUrl: string;
  /** The key read from the env variable the file names; absent for a server that takes none. */
  apiKey?: string;
  /** That variable's name, for messages. */
  keyVariable?: string;
};

/**
 * The openai client, told everything explicitly: left to itself it would
 * read OPENAI_API_KEY, OPENAI_ORG_ID and OPENAI_PROJECT_ID from the
 * environment and send OpenAI's credentials to a third-party server.
 */
export function createCompatibleClient(server: OpenAICompatibleServerConfig): OpenAI {
  return new OpenAI({
    apiKey: server.apiKey ?? "unused",
    organization: null,
    project: null,
    baseURL: `${server.baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "")}/v1`,
    maxRetries: 0,
    timeout: OPENAI_REQUEST_TIMEOUT_MS,
    ...(server.apiKey ? {} : { defaultHeaders: { authorization: null } }),
  });
}

export class OpenAICompatibleProvider implements Provider<"image"> {
  readonly name = "openai-compatible";
  readonly model: string;
  private readonly options: OpenAICompatibleOptions;
  private readonly vendor: OpenAIVendor;

  constructor(
    private readonly client: OpenAI,
    private readonly server: OpenAICompatibleServerConfig,
    private readonly entry: CatalogEntry,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.model = entry.id;
    this.options = openaiCompatibleOptionsSchema.parse(entry.options);
    this.vendor = {
      api: `The ${server.name} server`,
      keyVariable: server.keyVariable ?? `the api_key_env of server ${server.name} in MODELS_FILE`,
      safety: `the ${server.name} server's safety system`,
    };
  }

  async generate(params: ImageParams, ctx: ProviderContext) {
    checkCapabilities(this.entry, params, ctx.inputImage);
    const body = {
      ...this.options.fixed,
      model: this.options.model,
      prompt: params.prompt,
      n: params.num_images,
      size: params.size,
      ...(this.options.response_format ? { response_format: this.options.response_format } : {}),
    } as OpenAI.Images.ImageGenerateParamsNonStreaming;
    const response = await withRetries(
      () => this.client.images.generate(body, { signal: ctx.signal }),
      (error) => openaiError(error, this.vendor),
      ctx.signal,
      this.retry,
    );
    const data = response.data ?? [];
    const downloads: Downloaded[] = [];
    for (const item of data) {
      if (item.b64_json) {
        const bytes = Buffer.from(item.b64_json, "base64");
        const type = sniffMediaType(bytes);
        if (!type || type === "MP4" || type === "WEBM") {
          throw new ProviderError(
            "no_output",
            `${this.vendor.api} returned b64_json that is not a PNG, JPEG or WEBP image`,
          );
        }
        downloads.push({ bytes, type });
      } else if (item.url) {
        downloads.push(
          ...(await downloadOutputs(
            [item.url],
            "image",
            { allowHosts: [hostOf(this.server.baseUrl)], vendor: `The ${this.server.name} server` },
            ctx.signal,
          )),
        );
      }
    }
    if (downloads.length === 0) {
      throw new ProviderError("no_output", `${this.vendor.api} returned no image and gave no reason`);
    }
    return {
      files: await toImageFiles(downloads, params),
      metadata: { provider: this.name, model_name: this.entry.id, server: this.server.name },
    };
  }
}
