import { UNMATCHED_ROUTE } from "@sorami/metrics";

/** Route params as Next.js gives them: one segment per `[name]`, a list for `[...name]`. */
export type RouteParams = Record<string, string | string[] | undefined>;

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The route pattern a request matched (`/api/images/[id]/status`), rebuilt
 * from its path and the params Next.js resolved, for metric labels: one
 * series per route, never one per id. A catch-all is the path's last
 * segments; each other param takes the rightmost segment equal to it. If a
 * param cannot be placed the request counts as `unmatched`, so a raw path
 * never becomes a label; a crafted id equal to a fixed segment at most
 * mislabels its own request, with fixed words only.
 */
export function routePattern(pathname: string, params: RouteParams | undefined): string {
  const entries = Object.entries(params ?? {}).filter((e): e is [string, string | string[]] => e[1] !== undefined);
  if (entries.length === 0) {
    return pathname;
  }
  const segments = pathname.split("/");
  let placed = 0;
  for (const [name, value] of entries) {
    if (Array.isArray(value)) {
      const start = segments.length - value.length;
      if (value.length > 0 && start > 0 && value.every((v, i) => decoded(segments[start + i] ?? "") === v)) {
        segments.splice(start, value.length, `[...${name}]`);
        placed++;
      }
    }
  }
  for (const [name, value] of entries) {
    if (typeof value === "string") {
      for (let i = segments.length - 1; i > 0; i--) {
        if (decoded(segments[i] ?? "") === value) {
          segments[i] = `[${name}]`;
          placed++;
          break;
        }
      }
    }
  }
  return placed === entries.length ? segments.join("/") : UNMATCHED_ROUTE;
}
