import { NextResponse } from "next/server";
import { env } from "./env";
import { contentSecurityPolicy, mediaOrigin } from "./server/http/csp";

let csp: string | undefined;

/**
 * Sets the Content-Security-Policy at run time rather than in next.config's
 * build-time headers: it names the media bucket, which is deployment
 * configuration (STORAGE=s3), not something baked into a build.
 */
export function proxy() {
  csp ??= contentSecurityPolicy({
    dev: process.env.NODE_ENV === "development",
    mediaOrigin: mediaOrigin(env().storage),
  });
  const response = NextResponse.next();
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

export const config = {
  // Pages only: API answers get theirs from next.config (a proxy there would buffer request bodies), and
  // /metrics is text for Prometheus.
  matcher: ["/((?!api/|metrics|_next/static|_next/image).*)"],
};
