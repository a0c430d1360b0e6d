import http from "node:http";

const installed = Symbol.for("sorami.requestGuard");

/** Whether every segment of a request target's path percent-decodes to UTF-8. */
export function isDecodablePath(target: string): boolean {
  const path = target.split("?")[0] ?? "";
  try {
    for (const segment of path.split("/")) {
      decodeURIComponent(segment);
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * What a request looks like before Next.js routes it, fixed in two ways:
 *
 * - A path holding an escape that does not decode (`%zz`, `%c0`) is a 400
 *   in the API's error shape. Next.js 16.4 answers one in a dynamic route
 *   with a bare 500 (vercel/next.js#92527; the fix, PR #92557, is not
 *   released); remove this part when it is (e2e/bad-input checks).
 * - Unless `trustProxy`, X-Forwarded-For is set to the connection's peer.
 *   better-auth's sign-in limiter keys on it, and Next.js keeps whatever a
 *   client sends, so a client could otherwise pick a fresh "address" per
 *   attempt. Behind a reverse proxy that sets the header, trust it instead.
 *
 * Installed once per process, from instrumentation.ts, on every HTTP server
 * of the process (there is one: Next.js's).
 */
export function installRequestGuard(options: { trustProxy: boolean }): void {
  const proto = http.Server.prototype as http.Server & { [installed]?: boolean };
  if (proto[installed]) {
    return;
  }
  proto[installed] = true;
  const emit = proto.emit;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "request") {
      const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
      if (!isDecodablePath(req.url ?? "/")) {
        const body = JSON.stringify({
          error: { code: "invalid_request", message: "The URL path is not valid percent-encoded UTF-8" },
        });
        res.writeHead(400, {
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(body),
          "X-Content-Type-Options": "nosniff",
          // Its body was never read: close rather than read what follows.
          Connection: "close",
        });
        res.end(body);
        return true;
      }
      if (!options.trustProxy) {
        req.headers["x-forwarded-for"] = req.socket.remoteAddress ?? "";
      }
    }
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as typeof proto.emit;
}
