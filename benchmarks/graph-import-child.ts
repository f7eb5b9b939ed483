/** Child process of the graph suite: imports one file phase by phase and reports timings as JSON. */
import { statSync } from "node:fs";
import { importCurriculum, planChanges } from "../src/curriculum/importer.js";
import { loadPackages } from "../src/curriculum/load.js";
import { validatePackages } from "../src/curriculum/validate.js";
import { KnowledgeGraphIndex } from "../src/graph/knowledge-graph-index.js";
import { SqliteStore } from "../src/graph/sqlite/sqlite-store.js";
import { percentile } from "./lib/suite.js";

const [file, database] = process.argv.slice(2) as [string, string];
const seconds = (start: number) => (performance.now() - start) / 1000;

const store = new SqliteStore({ file: database });
await store.migrate();
/** The first import, phase by phase; its data is dropped before the re-import, so peak memory is one import's. */
async function firstImport() {
  const t0 = performance.now();
  let t = performance.now();
  const { packages, issues } = loadPackages(file);
  if (issues.length) throw new Error(JSON.stringify(issues));
  const parse = seconds(t);
  t = performance.now();
  const validated = validatePackages(packages);
  const validate = seconds(t);
  t = performance.now();
  const changes = planChanges(validated, await store.curriculum.curriculumFingerprints(), new Date().toISOString());
  const diff = seconds(t);
  t = performance.now();
  await store.curriculum.applyCurriculumChanges(changes);
  const write = seconds(t);
  const total = seconds(t0);
  const { data } = validated;
  const rows = {
    knowledgePoints: data.knowledgePoints.length,
    prerequisites: data.prerequisites.length,
    items: data.items.length,
    linkRows: data.items.reduce((n, item) => n + item.knowledgePoints.length, 0),
  };
  return { rows, parse, validate, diff, write, total };
}
const { rows, parse, validate, diff, write, total } = await firstImport();

let t = performance.now();
const again = await importCurriculum(store, file);
const reimport = seconds(t);
if (again.changeCount !== 0) throw new Error("re-import was not idempotent");

t = performance.now();
const snapshotData = await store.curriculum.loadGraphSnapshot();
const snapshot = seconds(t);
t = performance.now();
const index = KnowledgeGraphIndex.build(snapshotData);
const indexBuild = seconds(t);

// Deep points: the last 1,000 in teaching order have the longest prerequisite chains.
const order = index.topologicalOrder();
const deep = order.slice(-1000);
for (const id of deep.slice(0, 200)) index.prerequisiteClosure(id); // warm up the JIT
const samples = new Float64Array(10_000);
let size = 0;
for (let i = 0; i < samples.length; i++) {
  const id = deep[i % deep.length] as string;
  const start = process.hrtime.bigint();
  size += index.prerequisiteClosure(id).length;
  samples[i] = Number(process.hrtime.bigint() - start) / 1e6;
}
samples.sort();

process.stdout.write(
  JSON.stringify({
    rows,
    seconds: { parse, validate, diff, write, total, reimport, snapshot, indexBuild },
    closure: {
      queries: samples.length,
      meanSize: size / samples.length,
      p50Ms: percentile(samples, 50),
      p99Ms: percentile(samples, 99),
      maxMs: samples[samples.length - 1],
    },
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    fileMB: statSync(file).size / 1e6,
  }),
);
await store.close();
