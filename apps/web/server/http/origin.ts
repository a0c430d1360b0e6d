import { AppError } from "@sorami/contracts";
import { env } from "../../env";
import { credentialOf } from "./credential";

/** The origins this app is reached at: WEB_URL, and its localhost/127.0.0.1 twin. */
export function trustedOrigins(): string[] {
  const url = env().webUrl;
  return [...new Set([url, url.replace("localhost", "127.0.0.1"), url.replace("127.0.0.1", "localhost")])];
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function originOf(url: string | null): string | null {
  if (!url) {
    return null;
  }
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * CSRF defence for cookie sessions: a request that changes something and
 * authenticates by cookie must say it comes from one of our pages (`Origin`,
 * or `Referer` when a browser leaves Origin out). Browsers send Origin on
 * every POST; another site cannot forge it. A request carrying an
 * Authorization header is not checked, because it is authenticated by that
 * header alone, never by its cookie (`credentialOf`): a browser never
 * attaches an Authorization header by itself, and another site cannot add
 * one without a CORS preflight we never grant.
 */
export function assertSameOrigin(req: Request): void {
  if (SAFE_METHODS.has(req.method) || credentialOf(req.headers) !== "cookie") {
    return;
  }
  const origin = req.headers.get("origin") ?? originOf(req.headers.get("referer"));
  if (origin && trustedOrigins().includes(origin)) {
    return;
  }
  throw new AppError(
    "forbidden",
    origin ? `Cross-site request refused: ${origin} is not this site` : "Cross-site request refused: no Origin header",
    { field: "Origin" },
  );
}
