/**
 * kt-speed suite: whole-process wall time and peak memory of the CLI, `node bin/pathwise.js bkt
 * fit | crossvalidate --folds 5` (standard, 5 restarts) on ASSISTments 2009, with --threads 1
 * and 2, each run as a child under `/usr/bin/time -f "%e %M"`; median of 3 runs. The CLI runs
 * the compiled dist/, so the suite first rebuilds it (`tsc -p tsconfig.build.json`).
 * Then the cost at 1×, 4× and 16× the data (students replicated under new ids, written to a
 * temp CSV) in seconds per 100k rows, to show that it grows linearly.
 * Targets (issue): crossvalidate ≤ 2.36 s (⅓ of pyBKT's 7.07 s), fit ≤ 3.3 s (⅓ of 9.9 s),
 * peak memory ≤ 285 MB (pyBKT's fit).
 *
 * Options: --runs n (default 3), --skip-scale.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readTraceFile } from "../src/bkt/trace-file.js";
import { datasetPath, KT_DATASETS } from "./kt-datasets.js";
import type { Chart, Figure, Suite } from "./lib/suite.js";

interface ProcessRun {
  seconds: number;
  peakMB: number;
  /** The command's own timing (fit or cross-validation, without start-up and loading). */
  innerSeconds: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

/** Runs the CLI once under /usr/bin/time and returns wall seconds and peak RSS. */
function timeCli(args: string[]): ProcessRun {
  const child = spawnSync("/usr/bin/time", ["-f", "%e %M", process.execPath, "bin/pathwise.js", ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (child.status !== 0) throw new Error(`pathwise ${args.join(" ")} failed:\n${child.stderr}`);
  const lines = child.stderr.trim().split("\n");
  const [seconds, kilobytes] = (lines[lines.length - 1] as string).split(" ").map(Number) as [number, number];
  let innerSeconds = Number.NaN;
  if (args[1] === "crossvalidate") innerSeconds = (JSON.parse(child.stdout) as { seconds: number }).seconds;
  else {
    const match = /on \d+ rows in ([\d.]+) s/.exec(child.stderr);
    if (match) innerSeconds = Number(match[1]);
  }
  return { seconds, peakMB: kilobytes / 1024, innerSeconds };
}

/** The data replicated `times` times, students under new ids: user_id,seq_pos,skill,correct. */
function writeScaled(
  source: string,
  columns: { user: string; skill: string; correct: string; order: string },
  times: number,
  file: string,
) {
  const { rows } = readTraceFile(source, { columns, orderExplicit: true });
  const lines: string[] = ["user_id,seq_pos,skill,correct"];
  for (let copy = 0; copy < times; copy++) {
    for (let i = 0; i < rows.length; i++) {
      lines.push(`${rows.student[i]}r${copy},${rows.order[i]},k${rows.skill[i]},${rows.correct[i]}`);
    }
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
  return rows.length * times;
}

const suite: Suite = {
  name: "kt-speed",
  description:
    "Whole-process wall time and peak memory of `pathwise bkt fit` and `bkt crossvalidate --folds 5` (standard, 5 restarts) on ASSISTments 2009 with 1 and 2 threads, and their cost per 100k rows at 1×, 4× and 16× the data.",
  async run({ dataDir, args, log }) {
    const runsFlag = args.indexOf("--runs");
    const runs = runsFlag >= 0 ? Number(args[runsFlag + 1]) : 3;
    log("building dist/ (tsc -p tsconfig.build.json)");
    const build = spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { encoding: "utf8" });
    if (build.status !== 0) log(`build failed; timing the existing dist/:\n${build.stdout}${build.stderr}`);

    const spec = KT_DATASETS.find((d) => d.id === "assist2009");
    if (!spec) throw new Error("assist2009 is not among the KT datasets");
    const file = datasetPath(spec, dataDir);
    const directory = mkdtempSync(join(tmpdir(), "pathwise-bench-kt-speed-"));
    const dataArgs = (data: string, columns: string[]) => ["--data", data, ...columns, "--variant", "standard", "--restarts", "5"];
    const assistColumns = ["--skill-col", "skill", "--order-col", "seq_pos"];
    const command = (kind: "fit" | "crossvalidate", threads: number, data = file, columns = assistColumns) => [
      "bkt",
      kind,
      ...dataArgs(data, columns),
      "--threads",
      String(threads),
      ...(kind === "fit" ? ["--out", join(directory, "params.json")] : ["--folds", "5"]),
    ];

    const cases = [
      { kind: "fit" as const, threads: 2, target: 3.3, reference: 9.9, refLabel: "pyBKT fit process, 2 threads" },
      { kind: "fit" as const, threads: 1, reference: 10.18, refLabel: "pyBKT fit process, 1 thread" },
      { kind: "crossvalidate" as const, threads: 2, target: 2.36, reference: 7.07, refLabel: "pyBKT crossvalidate process, 2 threads" },
      { kind: "crossvalidate" as const, threads: 1, reference: 8.79, refLabel: "pyBKT crossvalidate process, 1 thread" },
    ];
    const samples = new Map<string, ProcessRun[]>(cases.map((c) => [`${c.kind}/${c.threads}`, []]));
    // Interleaved, so a burst of load elsewhere does not land on one case's every run.
    for (let run = 0; run < runs; run++) {
      for (const c of cases) {
        const result = timeCli(command(c.kind, c.threads));
        samples.get(`${c.kind}/${c.threads}`)?.push(result);
        log(`${c.kind} --threads ${c.threads} run ${run + 1}: ${result.seconds.toFixed(2)} s, ${result.peakMB.toFixed(0)} MB`);
      }
    }

    const figures: Figure[] = [];
    const charts: Chart[] = [];
    const summary: Record<string, unknown>[] = [];
    for (const c of cases) {
      const list = samples.get(`${c.kind}/${c.threads}`) ?? [];
      const seconds = median(list.map((r) => r.seconds));
      const peakMB = median(list.map((r) => r.peakMB));
      const inner = median(list.map((r) => r.innerSeconds));
      summary.push({ command: c.kind, threads: c.threads, seconds, peakMB, innerSeconds: inner, runs: list });
      figures.push({
        name: `bkt ${c.kind} --threads ${c.threads}: process wall time`,
        value: seconds,
        unit: "s",
        ...(c.target ? { target: { value: c.target, better: "lower" as const } } : {}),
        reference: { value: c.reference, label: c.refLabel },
        note: `median of ${list.length}: ${list.map((r) => r.seconds.toFixed(2)).join(" / ")} s; ${c.kind === "fit" ? "fit" : "cross-validation"} itself ${inner.toFixed(2)} s`,
      });
      figures.push({
        name: `bkt ${c.kind} --threads ${c.threads}: peak memory`,
        value: peakMB,
        unit: "MB",
        target: { value: 285, better: "lower" },
        reference: { value: 285, label: "pyBKT fit, 2 threads" },
        note: "max RSS of the process (worker threads included)",
      });
    }
    charts.push({
      title: "ASSISTments 2009, standard, 5 restarts: whole-process seconds",
      unit: "s",
      bars: [
        ...cases.map((c) => ({
          label: `${c.kind} ${c.threads} thread${c.threads > 1 ? "s" : ""}`,
          value: (summary.find((s) => s.command === c.kind && s.threads === c.threads)?.seconds as number) ?? 0,
        })),
        { label: "pyBKT fit 2 threads", value: 9.9 },
        { label: "pyBKT crossvalidate 2 threads", value: 7.07 },
      ],
    });

    const details: Record<string, unknown> = { data: spec.file, runs, summary };
    if (!args.includes("--skip-scale")) {
      const scales: Record<string, unknown>[] = [];
      const scaledColumns = ["--skill-col", "skill", "--order-col", "seq_pos"];
      for (const times of [1, 4, 16]) {
        const scaled = join(directory, `assist2009-x${times}.csv`);
        const rows = writeScaled(file, { user: "user_id", skill: "skill", correct: "correct", order: "seq_pos" }, times, scaled);
        for (const kind of ["fit", "crossvalidate"] as const) {
          const list: ProcessRun[] = [];
          for (let run = 0; run < runs; run++) list.push(timeCli(command(kind, 2, scaled, scaledColumns)));
          const seconds = median(list.map((r) => r.seconds));
          const peakMB = median(list.map((r) => r.peakMB));
          const inner = median(list.map((r) => r.innerSeconds));
          log(`${times}× (${rows} rows) ${kind}: ${seconds.toFixed(2)} s, ${peakMB.toFixed(0)} MB`);
          scales.push({ times, rows, command: kind, seconds, peakMB, innerSeconds: inner, runs: list });
          figures.push({
            name: `${kind} --threads 2 at ${times}× (${(rows / 1e6).toFixed(2)}M rows): seconds per 100k rows`,
            value: seconds / (rows / 1e5),
            unit: "s",
            note: `process ${seconds.toFixed(2)} s (median of ${list.length}), ${kind === "fit" ? "fit" : "CV"} itself ${((inner / rows) * 1e5).toFixed(3)} s per 100k rows; peak ${peakMB.toFixed(0)} MB`,
          });
        }
        rmSync(scaled);
      }
      charts.push({
        title: "Cost per 100k rows at 1×, 4×, 16× the data (2 threads, whole process)",
        unit: "s",
        bars: scales.map((s) => ({ label: `${s.command} ${s.times}×`, value: ((s.seconds as number) / (s.rows as number)) * 1e5 })),
      });
      details.scales = scales;
      details.scaleMethod =
        "every student replicated under new ids (copy k of student s is `s r k`), skills renamed to indices; written as an uncompressed CSV user_id,seq_pos,skill,correct";
    }
    rmSync(directory, { recursive: true, force: true });
    return { suite: "kt-speed", description: this.description, figures, charts, details };
  },
};

export default suite;
