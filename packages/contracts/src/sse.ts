/** One Server-Sent Events message as a client sees it. */
export type SseMessage = { id: string | null; event: string; data: string };

/**
 * Reads a `text/event-stream` body into messages, as EventSource would
 * (comments skipped, multi-line data joined). For scripts, tests and
 * benchmarks that read the stream with fetch.
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return;
      }
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
      let end = buffer.indexOf("\n\n");
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        let id: string | null = null;
        let event = "message";
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) {
            continue;
          }
          const colon = line.indexOf(":");
          const field = colon === -1 ? line : line.slice(0, colon);
          const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "id") {
            id = value;
          } else if (field === "event") {
            event = value;
          } else if (field === "data") {
            data.push(value);
          }
        }
        if (data.length > 0) {
          yield { id, event, data: data.join("\n") };
        }
      }
    }
  } finally {
    // The reader stopped early (break, throw): the stream is of no more use.
    await reader.cancel().catch(() => {});
  }
}
