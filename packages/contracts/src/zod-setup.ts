import { z } from "zod";

// In a browser, zod probes `new Function` once to compile faster object parsers. The web app's
// CSP has no 'unsafe-eval', and browsers report the probe as a violation even though zod catches
// the refusal, so browsers parse without it (the same results; forms never notice the speed).
// This module is the first import of the package's entry, so it runs before any schema exists.
if (typeof window !== "undefined") {
  z.config({ jitless: true });
}
