import { REQUEST_ID_HEADER, requestIdOf } from "@sorami/contracts";
import { logger } from "@sorami/log";
import { recordHttpRequest } from "@sorami/metrics";
import { withLogContext } from "../log";
import { type RouteParams, routePattern } from "./route-pattern";

/** A response's headers may be immutable (Response.redirect, a fetched body): then it is copied to add one. */
function withHeader(response: Response, name: string, value: string): Response {
  try {
    response.headers.set(name, value);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.set(name, value);
    return copy;
  }
}

/**
 * What every request of every route goes through first: its request id (the
 * caller's X-Request-Id when sane, else a new one; echoed in the answer), a
 * logger carrying it for everything the request runs (`log()`), one log line
 * and the HTTP metrics per answer, labelled with the route's pattern.
 */
export async function observed(
  req: Request,
  params: RouteParams | undefined,
  handle: () => Promise<Response>,
): Promise<Response> {
  const started = performance.now();
  const requestId = requestIdOf(req.headers.get(REQUEST_ID_HEADER));
  const child = logger().child({ request_id: requestId });
  const response = await withLogContext({ logger: child, requestId }, handle);
  const ms = performance.now() - started;
  const route = routePattern(new URL(req.url).pathname, params);
  recordHttpRequest({ method: req.method, route, status: response.status, seconds: ms / 1000 });
  child.info({ method: req.method, route, status: response.status, ms: Math.round(ms) }, "request");
  return withHeader(response, REQUEST_ID_HEADER, requestId);
}
