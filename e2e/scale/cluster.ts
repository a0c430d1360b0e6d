import { startTestS3, type TestS3 } from "@sorami/storage/testing";
import type { ServiceInstance } from "../../scripts/lib/system";
import { freePort, type Stack, startStack } from "../support/stack";
import { type Balancer, startBalancer } from "./balancer";

/**
 * Several web and generator processes on one PostgreSQL and one S3 bucket,
 * as a scaled-out deployment runs them. Services reach each other through
 * balancers (as they would through a load balancer): the web processes call
 * the generators through `toGenerators`; each generator sends its webhooks
 * through its own entrance of `toWeb` ("gen1", "gen2"…), which spreads them
 * over the web processes — so the test can tell which generator ran a job.
 */
export type Cluster = {
  stack: Stack;
  s3: TestS3;
  /** The web processes' URLs, the first one's first ("A", "B"…). */
  webUrls: string[];
  webs: { label: string; url: string; kill(): Promise<void> }[];
  generators: { label: string; url: string; entrance: string; kill(): Promise<void> }[];
  toWeb: Balancer;
  toGenerators: Balancer;
  logs(): string;
  stop(): Promise<void>;
};

export async function startCluster(opts: {
  webs: number;
  generators: number;
  env?: Record<string, string>;
}): Promise<Cluster> {
  const s3 = await startTestS3();
  const entrances = Array.from({ length: opts.generators }, (_, i) => `gen${i + 1}`);
  const toWeb = await startBalancer(entrances);
  const toGenerators = await startBalancer(["web"]);
  let stack: Stack | undefined;
  try {
    stack = await startStack({
      env: { ...s3.env(), ...opts.env },
      serviceEnv: {
        web: { GENERATOR_URL: toGenerators.urls.web ?? "" },
        generator: { WEB_URL: toWeb.urls.gen1 ?? "" },
      },
    });
    const first = stack;
    const extraWebs: ServiceInstance[] = [];
    const extraGenerators: ServiceInstance[] = [];
    for (let i = 1; i < opts.webs; i++) {
      extraWebs.push(await first.addService("web", { port: await freePort() }));
    }
    for (let i = 1; i < opts.generators; i++) {
      const entrance = `gen${i + 1}`;
      extraGenerators.push(
        await first.addService("generator", { port: await freePort(), env: { WEB_URL: toWeb.urls[entrance] ?? "" } }),
      );
    }
    const label = (i: number) => String.fromCharCode(65 + i);
    const webs = [
      { label: "A", url: first.webUrl, kill: () => first.stopService("web", "SIGKILL") },
      ...extraWebs.map((w, i) => ({ label: label(i + 1), url: w.url, kill: () => w.stop("SIGKILL") })),
    ];
    const generators = [
      { label: "G1", url: first.generatorUrl, entrance: "gen1", kill: () => first.stopService("generator", "SIGKILL") },
      ...extraGenerators.map((g, i) => ({
        label: `G${i + 2}`,
        url: g.url,
        entrance: `gen${i + 2}`,
        kill: () => g.stop("SIGKILL"),
      })),
    ];
    toWeb.setUpstreams(webs.map((w) => ({ label: w.label, url: w.url })));
    toGenerators.setUpstreams(generators.map((g) => ({ label: g.label, url: g.url })));
    return {
      stack: first,
      s3,
      webUrls: webs.map((w) => w.url),
      webs,
      generators,
      toWeb,
      toGenerators,
      logs: () => first.logs(),
      stop: async () => {
        await first.stop();
        await Promise.all([toWeb.close(), toGenerators.close(), s3.stop()]);
      },
    };
  } catch (error) {
    await stack?.stop();
    await Promise.all([toWeb.close(), toGenerators.close(), s3.stop()]);
    throw error;
  }
}
