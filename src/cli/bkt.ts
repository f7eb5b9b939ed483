/**
 * `pathwise bkt fit | evaluate | crossvalidate`: the analysts' interface to the BKT core. Other
 * tools call these, so names, defaults and the JSON shapes are a contract (docs/bkt.md).
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { datasetStats, FOLD_SPLITS, type FoldSplit, layoutTraces, type TraceDataset } from "../bkt/dataset.js";
import { DEFAULT_EM_OPTIONS, type EmOptions } from "../bkt/em.js";
import { crossValidate, evaluateModel, fitModel } from "../bkt/fit.js";
import { defaultThreads } from "../bkt/fit-runner.js";
import { readModelFile, writeModelFile } from "../bkt/model-file.js";
import { BKT_VARIANTS, type BktVariant, variantShape } from "../bkt/parameters.js";
import { DEFAULT_COLUMNS, DEFAULT_ITEM_COLUMN, readTraceFile, type TraceFileReport, traceColumns } from "../bkt/trace-file.js";
import { registerBktPublish } from "./bkt-publish.js";
import { parseNonNegativeInteger, parsePositiveInteger } from "./options.js";
import { createProgressReporter } from "./progress.js";

/** pyBKT's item column, used by item variants unless --item-col says otherwise. */

interface DataOptions {
  data: string;
  userCol: string;
  skillCol: string;
  correctCol: string;
  orderCol?: string;
  itemCol?: string;
}

interface TrainingOptions extends DataOptions {
  variant: BktVariant;
  restarts: number;
  seed: number;
  threads: number;
  maxIterations: number;
  tolerance: number;
  priorStrength: number;
}

function parseTolerance(value: string): number {
  const number = Number(value);
  if (!(number > 0 && number < 1)) throw new InvalidArgumentError("expected a number between 0 and 1 (exclusive)");
  return number;
}

function parseNonNegativeNumber(value: string): number {
  const number = Number(value);
  if (!(number >= 0 && Number.isFinite(number))) throw new InvalidArgumentError("expected a number of at least 0");
  return number;
}

function withDataOptions(command: Command): Command {
  return command
    .requiredOption("--data <file>", "answer log: CSV or TSV, optionally gzipped")
    .option("--user-col <name>", "student column", DEFAULT_COLUMNS.user)
    .option("--skill-col <name>", "knowledge point column", DEFAULT_COLUMNS.skill)
    .option("--correct-col <name>", "correctness column (1, 0; -1 = not observed)", DEFAULT_COLUMNS.correct)
    .option("--order-col <name>", `order column (default ${DEFAULT_COLUMNS.order}; file order when absent)`)
    .option("--item-col <name>", `item column for item variants (default ${DEFAULT_ITEM_COLUMN})`);
}

function withTrainingOptions(command: Command): Command {
  return command
    .addOption(new Option("--variant <name>", "model variant").choices(BKT_VARIANTS).default("standard"))
    .option(
      "--restarts <n>",
      "random restarts per knowledge point (best log-likelihood kept)",
      parsePositiveInteger,
      DEFAULT_EM_OPTIONS.restarts,
    )
    .option("--seed <n>", "random seed (results are reproducible for a seed)", parseNonNegativeInteger, DEFAULT_EM_OPTIONS.seed)
    .option("--threads <n>", "worker threads (default: the number of cores)", parsePositiveInteger, defaultThreads())
    .option("--max-iterations <n>", "EM iteration cap per restart", parsePositiveInteger, DEFAULT_EM_OPTIONS.maxIterations)
    .option(
      "--tolerance <x>",
      "converged when the log-likelihood improves by less than this fraction",
      parseTolerance,
      DEFAULT_EM_OPTIONS.tolerance,
    )
    .option(
      "--prior-strength <n>",
      "pseudo-observations of the Beta priors (MAP-EM); 0 = plain EM",
      parseNonNegativeNumber,
      DEFAULT_EM_OPTIONS.priorStrength,
    );
}

function loadDataset(options: DataOptions, needsItems: boolean, shared: boolean): { dataset: TraceDataset; report: TraceFileReport } {
  const columns = traceColumns(
    {
      user: options.userCol,
      skill: options.skillCol,
      correct: options.correctCol,
      ...(options.orderCol !== undefined ? { order: options.orderCol } : {}),
      ...(options.itemCol !== undefined ? { item: options.itemCol } : {}),
    },
    needsItems,
  );
  const { rows, report } = readTraceFile(options.data, { columns, orderExplicit: options.orderCol !== undefined });
  return { dataset: layoutTraces(rows, shared), report };
}

function describeData(file: string, dataset: TraceDataset, report: TraceFileReport) {
  return { file, ...datasetStats(dataset), droppedEmptySkill: report.droppedEmptySkill, fileOrder: report.fileOrder };
}

function emOptions(options: TrainingOptions): EmOptions {
  return {
    ...DEFAULT_EM_OPTIONS,
    variant: options.variant,
    restarts: options.restarts,
    seed: options.seed,
    maxIterations: options.maxIterations,
    tolerance: options.tolerance,
    priorStrength: options.priorStrength,
  };
}

const printJson = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

export function registerBkt(program: Command): void {
  const bkt = program.command("bkt").description("fit, evaluate and cross-validate Bayesian Knowledge Tracing models on answer logs");

  withTrainingOptions(withDataOptions(bkt.command("fit").description("fit a model per knowledge point by EM; write params.json")))
    .requiredOption("--out <file>", "where to write the fitted parameters (JSON)")
    .action(async (options: TrainingOptions & { out: string }) => {
      const { dataset, report } = loadDataset(
        options,
        variantShape(options.variant).itemEmissions || variantShape(options.variant).itemLearn,
        options.threads > 1,
      );
      const progress = createProgressReporter("fitting knowledge points");
      const fitted = await fitModel(dataset, emOptions(options), { threads: options.threads, onProgress: progress.update });
      progress.finish();
      const { skills, ...totals } = fitted.report;
      writeModelFile(options.out, fitted.model, {
        ...totals,
        restarts: options.restarts,
        seed: options.seed,
        threads: options.threads,
        data: describeData(options.data, dataset, report),
        fittedAt: new Date().toISOString(),
        skills,
      });
      process.stderr.write(
        `fitted ${dataset.skills.length} knowledge points on ${fitted.report.rows} rows in ${fitted.report.seconds.toFixed(2)} s; ` +
          `log-likelihood ${fitted.report.logLikelihood.toFixed(1)}; ${fitted.report.warnings.length} warning(s); wrote ${options.out}\n`,
      );
    });

  withDataOptions(bkt.command("evaluate").description("score a fitted model on an answer log by forward filtering; JSON metrics on stdout"))
    .requiredOption("--params <file>", "fitted parameters written by `bkt fit`")
    .action((options: DataOptions & { params: string }) => {
      const model = readModelFile(options.params);
      const shape = variantShape(model.variant);
      const { dataset, report } = loadDataset(options, shape.itemEmissions || shape.itemLearn, false);
      const metrics = evaluateModel(dataset, model);
      printJson({ variant: model.variant, ...metrics, data: describeData(options.data, dataset, report) });
    });

  withTrainingOptions(
    withDataOptions(bkt.command("crossvalidate").description("k-fold cross-validation split by student; JSON metrics on stdout")),
  )
    .option("--folds <k>", "number of folds (every student is tested once)", parseFolds, 5)
    .addOption(
      new Option("--split <how>", "student: one fold per student for all points; skill-student: dealt per point (pyBKT)")
        .choices(FOLD_SPLITS)
        .default("student"),
    )
    .action(async (options: TrainingOptions & { folds: number; split: FoldSplit }) => {
      const shape = variantShape(options.variant);
      const { dataset, report } = loadDataset(options, shape.itemEmissions || shape.itemLearn, options.threads > 1);
      if (dataset.students.length < options.folds) {
        throw new Error(`--folds ${options.folds} needs at least as many students; the data has ${dataset.students.length}`);
      }
      const progress = createProgressReporter("cross-validating");
      const result = await crossValidate(dataset, emOptions(options), options.folds, options.split, {
        threads: options.threads,
        onProgress: progress.update,
      });
      progress.finish();
      printJson({ ...result, restarts: options.restarts, threads: options.threads, data: describeData(options.data, dataset, report) });
    });

  registerBktPublish(bkt);
}

function parseFolds(value: string): number {
  const folds = Number(value);
  if (!Number.isInteger(folds) || folds < 2 || folds > 100)
    throw new InvalidArgumentError("expected a whole number of folds from 2 to 100");
  return folds;
}
