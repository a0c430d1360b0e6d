import net from "node:net";

/** What an oversized upload achieved before the server stopped it. */
export type StreamOutcome = {
  /** The status the server answered, or null when it answered nothing. */
  status: number | null;
  body: string;
  /** Body bytes handed to the socket (kernel buffers included) when the answer came. */
  sentAtAnswer: number;
  /** Body bytes handed to the socket until the server closed it: bounded only if the server stopped reading. */
  sentBytes: number;
  /** The server closed (or reset) the connection. */
  closed: boolean;
};

/** How much an "endless" body may be at most: 100 MiB. */
export const HUGE_BODY_BYTES = 100 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);
/** Only stops a hung test; nothing here measures time. */
const GUARD_MS = 60_000;

/**
 * Uploads a body of HUGE_BODY_BYTES over a raw socket — chunked, or as a
 * Content-Length lie (`lie: true`: 100 MiB declared, a few bytes sent) —
 * and keeps sending after the answer until the server closes the
 * connection. A server that stops reading lets through only what the
 * socket buffers hold; one that reads on takes all 100 MiB.
 */
export function uploadHugeBody(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  options: { lie?: boolean } = {},
): Promise<StreamOutcome> {
  const u = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname, port: Number(u.port) });
    let sent = 0;
    let response = "";
    let status: number | null = null;
    let sentAtAnswer: number | null = null;
    let done = false;
    const finish = (closed: boolean) => {
      if (done) {
        return;
      }
      done = true;
      clearTimeout(guard);
      socket.destroy();
      const body = response.includes("\r\n\r\n") ? response.slice(response.indexOf("\r\n\r\n") + 4) : "";
      resolve({ status, body, sentAtAnswer: sentAtAnswer ?? sent, sentBytes: sent, closed });
    };
    const guard = setTimeout(() => finish(false), GUARD_MS);
    socket.on("data", (chunk: Buffer) => {
      response += chunk.toString("latin1");
      const m = /^HTTP\/1\.1 (\d{3})/.exec(response);
      if (m && status === null) {
        status = Number(m[1]);
        sentAtAnswer = sent;
      }
    });
    socket.on("error", () => finish(true));
    socket.on("close", () => finish(true));
    socket.on("connect", () => {
      const head = [
        `POST ${path} HTTP/1.1`,
        `Host: ${u.host}`,
        "Content-Type: application/json",
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
        options.lie ? `Content-Length: ${HUGE_BODY_BYTES}` : "Transfer-Encoding: chunked",
        "",
        "",
      ].join("\r\n");
      socket.write(head);
      if (options.lie) {
        socket.write('{"prompt":"a lie about the length"');
        return;
      }
      const pump = () => {
        while (!done && sent < HUGE_BODY_BYTES) {
          sent += CHUNK.length;
          const framed = Buffer.concat([Buffer.from(`${CHUNK.length.toString(16)}\r\n`), CHUNK, Buffer.from("\r\n")]);
          if (!socket.write(framed)) {
            socket.once("drain", pump);
            return;
          }
        }
        if (!done) {
          socket.write("0\r\n\r\n");
        }
      };
      pump();
    });
  });
}

/** Resident memory of a process, in MiB (Linux /proc). */
export async function rssMiB(pid: number | null): Promise<number | null> {
  if (!pid) {
    return null;
  }
  try {
    const { readFile } = await import("node:fs/promises");
    const m = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}
