/**
 * The knowledge-tracing datasets of the kt-* suites: where each file is, how its columns map
 * onto the BKT reader, and the pyBKT reference figures that go with it
 * (../shared/anchors/pybkt-assistments2009.json). Files in a block format (DKT / DKVMN style:
 * `n` / ids / correct, three lines per student) are converted to a temporary CSV first.
 *
 * Run as a script it converts one block file: `tsx benchmarks/kt-datasets.ts <blocks.csv[.gz]> <out.csv>`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { layoutTraces, type TraceDataset } from "../src/bkt/dataset.js";
import { readTraceFile, type TraceColumns, type TraceFileReport } from "../src/bkt/trace-file.js";

export interface KtDataset {
  id: string;
  label: string;
  /** Relative to the data directory. */
  file: string;
  /** `blocks`: three lines per student (count / skill ids / correct); converted to user_id,seq_pos,skill,correct. */
  format: "csv" | "blocks";
  columns: TraceColumns;
  /** pyBKT cross-validated pooled AUC on this file, where the anchors file has one. */
  reference?: Partial<Record<"standard" | "forgets" | "item-difficulty", { value: number; label: string }>>;
  note: string;
}

const ANCHOR = "pyBKT 5-fold CV, anchors";

/** The list, in its order. Item variants run only where `columns.item` is set. */
export const KT_DATASETS: KtDataset[] = [
  {
    id: "assist2009",
    label: "ASSISTments 2009 (AKT flat)",
    file: "assistments-2009/assist2009_akt_flat.csv.gz",
    format: "csv",
    columns: { user: "user_id", skill: "skill", correct: "correct", order: "seq_pos", item: "problem_id" },
    reference: {
      standard: { value: 0.71441, label: ANCHOR },
      forgets: { value: 0.71973, label: ANCHOR },
      "item-difficulty": { value: 0.70263, label: "pyBKT multigs (per problem), anchors" },
    },
    note: "multi-skill problems expanded to one row per skill, as pyBKT reads them",
  },
  {
    id: "assist2015",
    label: "ASSISTments 2015 (AKT flat)",
    file: "assistments-2015/assist2015_akt_flat.csv.gz",
    format: "csv",
    columns: { user: "user_id", skill: "skill", correct: "correct", order: "seq_pos" },
    note: "skill = skill-builder sequence_id; no problem ids, so no item variants",
  },
  {
    id: "assist2017",
    label: "ASSISTments 2017 (AKT flat)",
    file: "assistments-2017/assist2017_akt_flat.csv.gz",
    format: "csv",
    columns: { user: "user_id", skill: "skill", correct: "correct", order: "seq_pos", item: "problem_id" },
    note: "item = problem_id",
  },
  {
    id: "statics2011",
    label: "Statics 2011 (DKVMN flat)",
    file: "statics-2011/statics2011_dkvmn_flat.csv.gz",
    format: "csv",
    columns: { user: "student_idx", skill: "skill_id", correct: "correct", order: "seq_pos", item: "qid" },
    note: "skill = skill_id, so the unlabelled steps (id 11, 41 % of rows) are one KC; item = qid (problem step)",
  },
  {
    id: "pybkt-ct",
    label: "pyBKT ct sample",
    file: "pybkt-ct/ct.csv.gz",
    format: "csv",
    columns: { user: "Anon Student Id", skill: "KC(Default)", correct: "Correct First Attempt", order: "Row", item: "Problem Name" },
    reference: { standard: { value: 0.70063, label: ANCHOR }, forgets: { value: 0.70395, label: ANCHOR } },
    note: "pyBKT's columns; item = Problem Name",
  },
  {
    id: "junyi",
    label: "Junyi sample (DMN test blocks)",
    file: "junyi-2015/dmn-junyi-sample/junyi_test.csv.gz",
    format: "blocks",
    columns: { user: "user_id", skill: "skill", correct: "correct", order: "seq_pos" },
    note: "3-line blocks converted to CSV; skill = exercise index (exercise = item, so no item variants)",
  },
  {
    id: "as-subset",
    label: "pyBKT-examples as.csv subset",
    file: "assistments-2009/pybkt-examples-as-subset/as.csv.gz",
    format: "csv",
    columns: { user: "user_id", skill: "skill_name", correct: "correct", order: "order_id", item: "template_id" },
    reference: {
      standard: { value: 0.63251, label: ANCHOR },
      forgets: { value: 0.6539, label: ANCHOR },
      "item-difficulty": { value: 0.68988, label: "pyBKT multigs by template_id, anchors" },
    },
    note: "2 skills; item = template_id, as pyBKT's multigs reference",
  },
  {
    id: "dkt-builder-train",
    label: "DKT (Piech) builder_train",
    file: "assistments-2009/dkt-piech/builder_train.csv.gz",
    format: "blocks",
    columns: { user: "user_id", skill: "skill", correct: "correct", order: "seq_pos" },
    reference: { standard: { value: 0.77174, label: ANCHOR } },
    note: "3-line blocks converted to CSV; original (uncorrected) 2009 release with its duplicate rows; skill ids only",
  },
];

function readText(path: string): string {
  let bytes = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return bytes.toString("utf8");
}

/**
 * Converts a block file (`n` / comma-separated ids / comma-separated 0-1, trailing commas
 * allowed; AKT's `idx,original_id` first lines too) into a CSV user_id,seq_pos,skill,correct.
 * Students are numbered by block. Returns the number of rows written.
 */
export function convertBlocks(input: string, output: string): number {
  const lines = readText(input).split(/\r?\n/);
  const out: string[] = ["user_id,seq_pos,skill,correct"];
  let student = 0;
  let rows = 0;
  for (let i = 0; i + 2 < lines.length; i += 3) {
    const head = (lines[i] as string).trim();
    if (head === "") {
      i -= 2;
      continue;
    }
    const ids = (lines[i + 1] as string).split(",").filter((v) => v.trim() !== "");
    const correct = (lines[i + 2] as string).split(",").filter((v) => v.trim() !== "");
    if (ids.length !== correct.length) throw new Error(`${input}:${i + 2}: ${ids.length} ids but ${correct.length} answers`);
    for (let t = 0; t < ids.length; t++) out.push(`${student},${t},${(ids[t] as string).trim()},${(correct[t] as string).trim()}`);
    rows += ids.length;
    student++;
  }
  writeFileSync(output, `${out.join("\n")}\n`);
  return rows;
}

let convertedDirectory: string | undefined;

/** The path to read for a dataset: the file itself, or its converted CSV in a temp directory. */
export function datasetPath(dataset: KtDataset, dataDir: string): string {
  const source = resolve(dataDir, dataset.file);
  if (!existsSync(source)) throw new Error(`missing dataset file ${source} (see ${join(dataDir, "PROVENANCE.md")})`);
  if (dataset.format === "csv") return source;
  convertedDirectory ??= mkdtempSync(join(tmpdir(), "pathwise-bench-kt-"));
  const target = join(convertedDirectory, `${dataset.id}.csv`);
  if (!existsSync(target)) convertBlocks(source, target);
  return target;
}

/** Removes the converted CSVs (call when a suite is done with its datasets). */
export function removeConverted(): void {
  if (convertedDirectory) rmSync(convertedDirectory, { recursive: true, force: true });
  convertedDirectory = undefined;
}

export function loadDataset(
  dataset: KtDataset,
  dataDir: string,
  options: { items: boolean; shared: boolean },
): { data: TraceDataset; report: TraceFileReport; path: string } {
  const path = datasetPath(dataset, dataDir);
  const columns: TraceColumns = { ...dataset.columns };
  if (!options.items) delete columns.item;
  const { rows, report } = readTraceFile(path, { columns, orderExplicit: true });
  return { data: layoutTraces(rows, options.shared), report, path };
}

/** The pyBKT anchors file (reference figures measured on this machine kind). */
export function readAnchors(dataDir: string): Record<string, unknown> | undefined {
  const file = resolve(dataDir, "../../anchors/pybkt-assistments2009.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : undefined;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    process.stderr.write("usage: tsx benchmarks/kt-datasets.ts <blocks.csv[.gz]> <out.csv>\n");
    process.exit(2);
  }
  process.stdout.write(`${convertBlocks(input, output)} rows written to ${output}\n`);
}

/**
 * A no-op progress callback for runFitTasks. Always pass one: src/bkt/fit-runner.ts counts
 * finished tasks inside `runner.onProgress?.(++done, …)`, so without a callback `done` never
 * grows and a multi-threaded run never resolves (reported; the CLI always passes a callback).
 */
export const noProgress = (): void => {};
