/**
 * `tsx bench/profile-top.ts <file.cpuprofile> [n]`: the functions with the
 * most self time in a V8 CPU profile (as written by `npm run bench -- --profile <dir>`),
 * and the same grouped by package, for a first look without DevTools.
 */
import { readFileSync } from "node:fs";

type Node = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

const [file, n = "30"] = process.argv.slice(2);
if (!file) {
  throw new Error("usage: tsx bench/profile-top.ts <file.cpuprofile> [n]");
}
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map<number, number>();
for (const [i, id] of profile.samples.entries()) {
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const totalUs = [...self.values()].reduce((a, b) => a + b, 0);

const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const [id, us] of self) {
  const frame = byId.get(id)?.callFrame;
  if (!frame) {
    continue;
  }
  const where = frame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*?\/(apps|packages)\//, "$1/");
  const key = `${frame.functionName || "(anonymous)"}  ${where}:${frame.lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  const pkg = frame.url.includes("node_modules/")
    ? (/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url)?.[1] ?? "?")
    : frame.url.startsWith("node:") || frame.url === ""
      ? frame.functionName.startsWith("(")
        ? frame.functionName
        : "node internals"
      : "app code";
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
}
const show = (title: string, map: Map<string, number>, limit: number) => {
  console.log(`\n${title} (of ${(totalUs / 1000).toFixed(0)} ms sampled)`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    console.log(`${((us / totalUs) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`);
  }
};
show("by package", byPackage, 15);
show("by function (self time)", byFunction, Number(n));
