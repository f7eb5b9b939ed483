/**
 * Graph suite: a generated curriculum of 10,000 knowledge points, 30,000 prerequisite edges and
 * 100,000 items is imported into the embedded store through the real import path (parse,
 * validate, diff, write) in a child process, which also builds the index and times closures.
 * Targets (issue 2): import ≥ 50,000 rows/s; index build ≤ 1 s; closure p99 ≤ 1 ms.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SeededRandom } from "../src/bkt/random.js";
import type { Suite } from "./lib/suite.js";

export const POINTS = 10_000;
export const EDGES = 30_000;
export const ITEMS = 100_000;
const POINTS_PER_UNIT = 50;
const GRADES = 9;

/** A curriculum file of the benchmark's size; prerequisites come from the previous 300 points, so chains run deep. */
export function generateCurriculum(seed = 42): unknown {
  const random = new SeededRandom(seed);
  const pointsPerGrade = Math.ceil(POINTS / GRADES);
  const units: { id: string; name: object; grade: number; stage: string; domain: string; order: number; knowledgePoints: object[] }[] = [];
  let edges = 0;
  for (let i = 0; i < POINTS; i++) {
    const grade = Math.min(GRADES, 1 + Math.floor(i / pointsPerGrade));
    const unitIndex = Math.floor(i / POINTS_PER_UNIT);
    let unit = units[unitIndex];
    if (!unit) {
      unit = {
        id: `bench.u${unitIndex}`,
        name: { zh: `单元 ${unitIndex}`, en: `Unit ${unitIndex}` },
        grade,
        stage: "bench.s",
        domain: "NA",
        order: unitIndex,
        knowledgePoints: [],
      };
      units[unitIndex] = unit;
    }
    const wanted = Math.min(i, i >= 4 && edges + 4 + 3 * (POINTS - i - 1) <= EDGES ? 4 : 3);
    const chosen = new Set<number>();
    while (chosen.size < wanted) chosen.add(i - 1 - Math.floor(random.next() * Math.min(i, 300)));
    edges += chosen.size;
    (unit.knowledgePoints as object[]).push({
      id: `bench.kp${i}`,
      name: { zh: `知识点 ${i}`, en: `Point ${i}` },
      description: { zh: `第 ${i} 个知识点。`, en: `Knowledge point number ${i}.` },
      grade,
      standardCode: `NA.G${grade}.${i}`,
      difficultyBand: 1 + (i % 5),
      prerequisites: [...chosen].map((p) => ({ id: `bench.kp${p}`, strength: Math.round((0.3 + 0.7 * random.next()) * 100) / 100 })),
    });
  }
  const items: object[] = [];
  for (let i = 0; i < ITEMS; i++) {
    const point = Math.floor(i / (ITEMS / POINTS));
    const knowledgePoints: (string | object)[] = [`bench.kp${point}`];
    if (point > 0 && i % 5 === 0) knowledgePoints.push({ id: `bench.kp${point - 1}`, weight: 0.5 });
    items.push({
      id: `bench.q${i}`,
      type: "single_choice",
      stem: { zh: `第 ${i} 题：${i} + 1 = ?`, en: `Question ${i}: ${i} + 1 = ?` },
      knowledgePoints,
      difficulty: 1 + (i % 5),
      options: [0, 1, 2, 3].map((k) => ({ id: "ABCD"[k], text: { zh: String(i + k), en: String(i + k) } })),
      answer: "B",
    });
  }
  return {
    format: "pathwise-curriculum/1",
    subject: { id: "bench", name: { zh: "基准", en: "Benchmark" } },
    stages: [{ id: "bench.s", name: { zh: "学段", en: "Stage" }, grades: [1, 2, 3, 4, 5, 6, 7, 8, 9] }],
    domains: [{ code: "NA", name: { zh: "数与代数", en: "Number and algebra" } }],
    units,
    items,
  };
}

interface ChildReport {
  rows: { knowledgePoints: number; prerequisites: number; items: number; linkRows: number };
  seconds: {
    parse: number;
    validate: number;
    diff: number;
    write: number;
    total: number;
    reimport: number;
    snapshot: number;
    indexBuild: number;
  };
  closure: { queries: number; meanSize: number; p50Ms: number; p99Ms: number; maxMs: number };
  maxRssMB: number;
  fileMB: number;
}

const suite: Suite = {
  name: "graph",
  description:
    "Import of a 10,000-point / 30,000-edge / 100,000-item curriculum into the embedded store, index build, and prerequisite-closure latency.",
  async run({ log }) {
    const directory = mkdtempSync(join(tmpdir(), "pathwise-bench-graph-"));
    const file = join(directory, "bench.json");
    log("generating the curriculum file");
    writeFileSync(file, JSON.stringify(generateCurriculum()));
    log(`importing ${(statSync(file).size / 1e6).toFixed(1)} MB in a child process`);
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", "benchmarks/graph-import-child.ts", file, join(directory, "pathwise.sqlite")],
      {
        encoding: "utf8",
        maxBuffer: 1 << 24,
      },
    );
    rmSync(directory, { recursive: true, force: true }); // 43 MB of JSON and a 74 MB database per run
    if (child.status !== 0) throw new Error(`import child failed:\n${child.stderr}`);
    const report = JSON.parse(child.stdout) as ChildReport;
    const entityRows = report.rows.knowledgePoints + report.rows.prerequisites + report.rows.items;
    const tableRows = entityRows + report.rows.linkRows;
    const s = report.seconds;
    return {
      suite: "graph",
      description: this.description,
      figures: [
        {
          name: "import rows/s (end to end: parse, validate, diff, write)",
          value: entityRows / s.total,
          unit: "rows/s",
          target: { value: 50_000, better: "higher" },
          note: `${entityRows} points+edges+items in ${s.total.toFixed(2)} s`,
        },
        {
          name: "write rows/s (store transaction only, incl. link rows)",
          value: tableRows / s.write,
          unit: "rows/s",
          note: `${tableRows} table rows in ${s.write.toFixed(2)} s`,
        },
        { name: "idempotent re-import", value: s.reimport, unit: "s", note: "nothing written" },
        { name: "peak memory of the import process", value: report.maxRssMB, unit: "MB", note: `file ${report.fileMB.toFixed(1)} MB` },
        { name: "index build (from snapshot)", value: s.indexBuild, unit: "s", target: { value: 1, better: "lower" } },
        { name: "snapshot load from SQLite", value: s.snapshot, unit: "s" },
        { name: "prerequisite closure p50 (deep points)", value: report.closure.p50Ms, unit: "ms" },
        {
          name: "prerequisite closure p99 (deep points)",
          value: report.closure.p99Ms,
          unit: "ms",
          target: { value: 1, better: "lower" },
          note: `mean closure ${report.closure.meanSize.toFixed(0)} points, ${report.closure.queries} queries`,
        },
      ],
      charts: [
        {
          title: "Import phases (seconds)",
          unit: "s",
          bars: [
            { label: "parse JSON", value: s.parse },
            { label: "validate", value: s.validate },
            { label: "diff (hash) vs store", value: s.diff },
            { label: "write (one transaction)", value: s.write },
            { label: "snapshot load", value: s.snapshot },
            { label: "index build", value: s.indexBuild },
          ],
        },
      ],
      details: report as unknown as Record<string, unknown>,
    };
  },
};

export default suite;
