/**
 * The analysts' benchmark runner: `npm run bench -- <suite> [--data <dir>] [suite options]`.
 * Each suite prints its figures (with targets and reference ratios) and writes
 * benchmarks/results/<suite>.json, <suite>.md and SVG charts. Speed and memory targets live
 * here, never in timed tests. See docs/benchmarks.md.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { printFigures, writeResults } from "./lib/report.js";
import type { Suite } from "./lib/suite.js";

const SUITES: Record<string, () => Promise<Suite>> = {
  api: async () => (await import("./api.js")).default,
  graph: async () => (await import("./graph.js")).default,
  "kt-accuracy": async () => (await import("./kt-accuracy.js")).default,
  "kt-speed": async () => (await import("./kt-speed.js")).default,
  "kt-online": async () => (await import("./kt-online.js")).default,
  "lesson-plans": async () => (await import("./lesson-plans.js")).default,
  "prompt-packing": async () => (await import("./prompt-packing.js")).default,
  recommender: async () => (await import("./recommender.js")).default,
  "recommender-efficiency": async () => (await import("./recommender-efficiency.js")).default,
};

const root = fileURLToPath(new URL("..", import.meta.url));
const argv = process.argv.slice(2);
const name = argv[0];
if (!name || !(name in SUITES)) {
  process.stderr.write(`usage: npm run bench -- <suite> [--data <dir>]\nsuites: ${Object.keys(SUITES).join(", ")}\n`);
  process.exit(2);
}
const dataFlag = argv.indexOf("--data");
const dataDir = resolve(dataFlag >= 0 && argv[dataFlag + 1] ? (argv[dataFlag + 1] as string) : resolve(root, "../shared/data/kt"));
const args = argv.slice(1).filter((_, i, all) => !(all[i] === "--data" || all[i - 1] === "--data"));

const suite = await (SUITES[name] as () => Promise<Suite>)();
process.stdout.write(`# ${suite.name}: ${suite.description}\n`);
const result = await suite.run({ dataDir, args, log: (message) => process.stderr.write(`  ${message}\n`) });
printFigures(result);
for (const file of writeResults(result, resolve(root, "benchmarks/results"))) process.stdout.write(`wrote ${file}\n`);
