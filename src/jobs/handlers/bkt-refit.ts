/**
 * `bkt-refit`: a refit job as docs/bkt.md describes one — `bkt fit`, then `bkt crossvalidate`, then
 * `bkt publish --metrics` — on an answer log at a server-side path (relative to
 * PATHWISE_JOBS_FILES_DIR), with the BKT core's own fitting, cross-validation and publishing code.
 * The parameter set is stored with its provenance and cross-validation metrics and, unless
 * `activate` is false, becomes current; servers pick it up within 5 s.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { datasetStats, FOLD_SPLITS, layoutTraces } from "../../bkt/dataset.js";
import { DEFAULT_EM_OPTIONS, type EmOptions } from "../../bkt/em.js";
import { crossValidate, fitModel } from "../../bkt/fit.js";
import { defaultThreads } from "../../bkt/fit-runner.js";
import { writeModelFile } from "../../bkt/model-file.js";
import { BKT_VARIANTS, variantShape } from "../../bkt/parameters.js";
import { readTraceFile, TraceFileError, traceColumns } from "../../bkt/trace-file.js";
import { PermanentJobError } from "../errors/permanent-job-error.js";
import type { JobDefinition } from "../job-definition.js";
import { jobFile } from "../job-files.js";

/** pyBKT's item column, as `bkt fit` uses for item variants. */

const column = z.string().min(1).optional();

const BktRefitPayload = z.object({
  /** CSV or TSV answer log, optionally gzipped, relative to PATHWISE_JOBS_FILES_DIR. */
  dataPath: z.string().min(1),
  variant: z.enum(BKT_VARIANTS).default("standard"),
  columns: z.object({ user: column, skill: column, correct: column, order: column, item: column }).default({}),
  restarts: z.number().int().min(1).max(100).default(DEFAULT_EM_OPTIONS.restarts),
  seed: z.number().int().min(0).default(DEFAULT_EM_OPTIONS.seed),
  maxIterations: z.number().int().min(1).default(DEFAULT_EM_OPTIONS.maxIterations),
  tolerance: z.number().gt(0).lt(1).default(DEFAULT_EM_OPTIONS.tolerance),
  priorStrength: z.number().min(0).default(DEFAULT_EM_OPTIONS.priorStrength),
  folds: z.number().int().min(2).max(100).default(5),
  split: z.enum(FOLD_SPLITS).default("student"),
  /** Worker threads; default: the cores of the machine running the job. */
  threads: z.number().int().min(1).optional(),
  /** Make the new set current for its knowledge points (else store it; `bkt activate` later). */
  activate: z.boolean().default(true),
});
export type BktRefitPayload = z.infer<typeof BktRefitPayload>;

export interface BktRefitResult {
  setId: string;
  variant: string;
  activated: boolean;
  knowledgePoints: number;
  /** Of those, the points the curriculum has. */
  matched: number;
  rows: number;
  students: number;
  folds: number;
  logLikelihood: number;
  /** Every held-out row of every fold scored together. */
  crossValidation: { auc: number; rmse: number; logLoss: number; accuracy: number };
  warnings: string[];
}

/** Fits, cross-validation fits (one per point per fold), and publishing. */
function workUnits(knowledgePoints: number, folds: number): number {
  return knowledgePoints * (1 + folds) + 1;
}

export const bktRefitJob: JobDefinition<BktRefitPayload, BktRefitResult, z.input<typeof BktRefitPayload>> = {
  name: "bkt-refit",
  payload: BktRefitPayload,

  async run(payload, context) {
    const { signal, runtime } = context;
    const file = await jobFile(context.config, payload.dataPath, "dataPath");
    const threads = payload.threads ?? defaultThreads();
    let read: ReturnType<typeof readTraceFile>;
    try {
      const shape = variantShape(payload.variant);
      const columns = traceColumns(payload.columns, shape.itemEmissions || shape.itemLearn);
      read = readTraceFile(file, { columns, orderExplicit: payload.columns.order !== undefined });
    } catch (error) {
      if (!(error instanceof TraceFileError)) throw error;
      throw new PermanentJobError(`dataPath: ${error.message.replace(file, payload.dataPath)}`);
    }
    const dataset = layoutTraces(read.rows, threads > 1);
    const stats = datasetStats(dataset);
    if (stats.students < payload.folds) {
      throw new PermanentJobError(`folds: ${payload.folds} folds need at least as many students; the data has ${stats.students}`);
    }
    const points = dataset.skills.length;
    const total = workUnits(points, payload.folds);
    const options: EmOptions = {
      ...DEFAULT_EM_OPTIONS,
      variant: payload.variant,
      restarts: payload.restarts,
      seed: payload.seed,
      maxIterations: payload.maxIterations,
      tolerance: payload.tolerance,
      priorStrength: payload.priorStrength,
    };

    context.reportProgress(0, total, `fitting ${points} knowledge point(s) on ${stats.rows} rows`);
    const fitted = await fitModel(dataset, options, {
      threads,
      onProgress: (done, all) => context.reportProgress(done, total, `fitting: ${done} of ${all} knowledge point(s)`),
    });
    signal.throwIfAborted();
    const validated = await crossValidate(dataset, options, payload.folds, payload.split, {
      threads,
      onProgress: (done, all) => context.reportProgress(points + done, total, `cross-validating: ${done} of ${all} fit(s)`),
    });
    signal.throwIfAborted();

    context.reportProgress(total - 1, total, "publishing");
    const data = { file: payload.dataPath, ...stats, droppedEmptySkill: read.report.droppedEmptySkill, fileOrder: read.report.fileOrder };
    const dir = await mkdtemp(join(tmpdir(), "pathwise-refit-"));
    try {
      const params = join(dir, "params.json");
      const { skills, ...totals } = fitted.report;
      writeModelFile(params, fitted.model, {
        ...totals,
        restarts: payload.restarts,
        seed: payload.seed,
        threads,
        data,
        fittedAt: new Date().toISOString(),
        skills,
      });
      const published = await runtime.masteryModel.importParameterFile(params, {
        activate: payload.activate,
        createdBy: `${context.requestedBy} (job ${context.jobId})`,
        metrics: { ...validated, restarts: payload.restarts, threads, data },
      });
      const { pooled } = validated;
      return {
        setId: published.set.id,
        variant: published.set.variant,
        activated: published.set.activation !== undefined,
        knowledgePoints: published.set.pointCount,
        matched: published.matched.length,
        rows: stats.rows,
        students: stats.students,
        folds: payload.folds,
        logLikelihood: fitted.report.logLikelihood,
        crossValidation: { auc: pooled.auc, rmse: pooled.rmse, logLoss: pooled.logLoss, accuracy: pooled.accuracy },
        warnings: [...fitted.report.warnings, ...validated.warnings, ...published.warnings],
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },

  completion(result) {
    const total = workUnits(result.knowledgePoints, result.folds);
    const state = result.activated ? "current" : "stored, not activated";
    return {
      processed: total,
      total,
      message: `BKT parameter set ${result.setId} ${state}: ${result.knowledgePoints} knowledge point(s), cross-validated AUC ${result.crossValidation.auc.toFixed(3)}`,
    };
  },
};
