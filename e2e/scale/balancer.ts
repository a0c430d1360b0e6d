import http from "node:http";
import type { AddressInfo } from "node:net";

/** One request the balancer passed on: where it came in, where it went, what came back. */
export type Hop = {
  entrance: string;
  upstream: string;
  method: string;
  path: string;
  webhookId: string | null;
  /** The upstream's status, or "refused" (tried the next one) / "error" (answered 502). */
  outcome: number | "refused" | "error";
};

export type Balancer = {
  /** Entrance label → its URL. */
  urls: Record<string, string>;
  setUpstreams(upstreams: { label: string; url: string }[]): void;
  hops: Hop[];
  close(): Promise<void>;
};

/**
 * What a load balancer in front of several processes does, reduced to what
 * the scale-out test needs: requests go round-robin; an upstream that
 * refuses the connection (a dead process) is skipped for the next one, as a
 * balancer's health check would; any other failure answers 502 and the
 * caller's own retry decides. Several entrances share one rotation, so the
 * test can tell callers apart (which generator sent a webhook).
 */
export async function startBalancer(entrances: string[]): Promise<Balancer> {
  let upstreams: { label: string; url: string }[] = [];
  let next = 0;
  const hops: Hop[] = [];
  const servers: http.Server[] = [];
  const urls: Record<string, string> = {};

  const forward = (
    entrance: string,
    req: http.IncomingMessage,
    body: Buffer,
    res: http.ServerResponse,
    tries: number,
  ): void => {
    const target = upstreams[next++ % Math.max(1, upstreams.length)];
    const hop: Hop = {
      entrance,
      upstream: target?.label ?? "none",
      method: req.method ?? "GET",
      path: req.url ?? "/",
      webhookId: (req.headers["webhook-id"] as string | undefined) ?? null,
      outcome: "error",
    };
    hops.push(hop);
    if (!target) {
      res.writeHead(502).end();
      return;
    }
    const url = new URL(req.url ?? "/", target.url);
    // The body is buffered, so it goes out with its length; one connection per request.
    const { connection: _c, "keep-alive": _k, "transfer-encoding": _t, ...headers } = req.headers;
    const out = http.request(
      url,
      {
        method: req.method,
        headers: { ...headers, host: url.host, "content-length": String(body.length) },
        agent: false,
      },
      (upstream) => {
        hop.outcome = upstream.statusCode ?? 502;
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(res);
        upstream.on("error", () => res.destroy());
      },
    );
    out.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED" && tries + 1 < upstreams.length) {
        hop.outcome = "refused";
        forward(entrance, req, body, res, tries + 1);
        return;
      }
      hop.outcome = "error";
      if (!res.headersSent) {
        res.writeHead(502).end();
      } else {
        res.destroy();
      }
    });
    out.end(body);
  };

  for (const entrance of entrances) {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => forward(entrance, req, Buffer.concat(chunks), res, 0));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    urls[entrance] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    servers.push(server);
  }
  return {
    urls,
    hops,
    setUpstreams: (list) => {
      upstreams = list;
    },
    close: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
}
