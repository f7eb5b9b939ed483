/**
 * Fitting, evaluation and cross-validation over a whole dataset: the operations behind
 * `pathwise bkt fit | evaluate | crossvalidate` and the KT benchmarks.
 */
import { assignFolds, type FoldSplit, type TraceDataset } from "./dataset.js";
import type { EmOptions, SkillFitResult } from "./em.js";
import { type RunnerOptions, runFitTasks, taskSeed } from "./fit-runner.js";
import { computeMetrics, type PredictionMetrics } from "./metrics.js";
import {
  type BktModel,
  createPredictionSink,
  type PredictionSink,
  predictSkill,
  resolveFit,
  resolveSkillModel,
  skillModelFromFit,
} from "./model.js";
import { isDegenerate } from "./parameters.js";
import { SeededRandom } from "./random.js";

export interface SkillFitSummary {
  logLikelihood: number;
  iterations: number;
  converged: boolean;
  observations: number;
  bounded: string[];
}

export interface FitReport {
  logLikelihood: number;
  /** EM iterations of the kept restart, summed over knowledge points. */
  iterations: number;
  rows: number;
  seconds: number;
  /** Knowledge points whose fitted slip + guess ≥ 1 (always 0 with the bounds). */
  degenerate: number;
  warnings: string[];
  skills: Record<string, SkillFitSummary>;
}

function summarise(fits: readonly SkillFitResult[], names: readonly string[], warnings: string[]): Omit<FitReport, "rows" | "seconds"> {
  const skills: Record<string, SkillFitSummary> = {};
  let logLikelihood = 0;
  let iterations = 0;
  let degenerate = 0;
  fits.forEach((fit, k) => {
    const name = names[k] as string;
    skills[name] = {
      logLikelihood: fit.logLikelihood,
      iterations: fit.iterations,
      converged: fit.converged,
      observations: fit.observations,
      bounded: fit.bounded,
    };
    logLikelihood += fit.logLikelihood;
    iterations += fit.iterations;
    if (isDegenerate(fit.parameters)) degenerate++;
    if (fit.observations === 0) warnings.push(`${name}: no observations to fit; default parameters kept`);
    else if (!fit.converged) warnings.push(`${name}: EM stopped at the iteration cap before converging`);
  });
  const bounded = fits.filter((fit) => fit.bounded.length > 0).length;
  if (bounded > 0) warnings.push(`${bounded} knowledge point(s) have a parameter held at its bound (see skills.<name>.bounded)`);
  return { logLikelihood, iterations, degenerate, warnings, skills };
}

export async function fitModel(
  dataset: TraceDataset,
  options: EmOptions,
  runner: RunnerOptions,
): Promise<{ model: BktModel; report: FitReport; fits: SkillFitResult[] }> {
  const started = performance.now();
  const tasks = dataset.skills.map((name, skill) => ({ skill, excludeFold: -1, seed: taskSeed(options.seed, name, -1) }));
  const fits = await runFitTasks(dataset, tasks, options, undefined, runner);
  const model: BktModel = { variant: options.variant, skills: {} };
  fits.forEach((fit, k) => {
    model.skills[dataset.skills[k] as string] = skillModelFromFit(fit, dataset.items);
  });
  const report: FitReport = {
    ...summarise(fits, dataset.skills, []),
    rows: dataset.observations.length,
    seconds: (performance.now() - started) / 1000,
  };
  return { model, report, fits };
}

export interface EvaluationReport extends PredictionMetrics {
  /** Rows of knowledge points the model does not know (not scored). */
  skippedRows: number;
  unknownSkills: string[];
}

/** Scores a fitted model on a dataset by forward filtering every sequence in order. */
export function evaluateModel(dataset: TraceDataset, model: BktModel): EvaluationReport {
  const sink = createPredictionSink(dataset.observations.length);
  const itemIndex = new Map(dataset.items.map((item, i) => [item, i]));
  const unknownSkills: string[] = [];
  let skippedRows = 0;
  dataset.skills.forEach((name, skill) => {
    const skillModel = model.skills[name];
    if (!skillModel) {
      unknownSkills.push(name);
      const first = dataset.skillSequenceStart[skill] as number;
      const last = dataset.skillSequenceStart[skill + 1] as number;
      for (let t = dataset.sequenceStart[first] as number; t < (dataset.sequenceStart[last] as number); t++) {
        if ((dataset.observations[t] as number) >= 0) skippedRows++;
      }
      return;
    }
    predictSkill(dataset, skill, resolveSkillModel(skillModel, dataset, itemIndex), sink);
  });
  return { ...computeMetrics(sink.predictions, sink.labels, sink.count), skippedRows, unknownSkills };
}

export interface CrossValidationReport {
  variant: string;
  split: FoldSplit;
  seed: number;
  /** Every held-out row of every fold scored together. */
  pooled: PredictionMetrics;
  /** The mean of the per-fold metrics. */
  meanOverFolds: PredictionMetrics;
  /** Per fold: metrics on its held-out students. */
  folds: (PredictionMetrics & { fold: number; sequences: number })[];
  /** Knowledge points whose fit was degenerate in some fold (0 with the bounds). */
  degenerate: number;
  warnings: string[];
  seconds: number;
}

/**
 * k-fold cross-validation by student: every (student, knowledge point) sequence is held out in
 * exactly one fold (see `FoldSplit` for how students are dealt); each fold fits every point on
 * the other folds and predicts its own sequences by forward filtering, from their first answer.
 */
export async function crossValidate(
  dataset: TraceDataset,
  options: EmOptions,
  folds: number,
  split: FoldSplit,
  runner: RunnerOptions,
): Promise<CrossValidationReport> {
  const started = performance.now();
  const sequenceFold = assignFolds(dataset, folds, split, new SeededRandom(options.seed));
  const tasks = [];
  for (let fold = 0; fold < folds; fold++) {
    for (let skill = 0; skill < dataset.skills.length; skill++) {
      tasks.push({ skill, excludeFold: fold, seed: taskSeed(options.seed, dataset.skills[skill] as string, fold) });
    }
  }
  const fits = await runFitTasks(dataset, tasks, options, sequenceFold, runner);

  const sinks: PredictionSink[] = [];
  const warnings: string[] = [];
  let degenerate = 0;
  for (let fold = 0; fold < folds; fold++) {
    const sink = createPredictionSink(dataset.observations.length);
    for (let skill = 0; skill < dataset.skills.length; skill++) {
      const fit = fits[fold * dataset.skills.length + skill] as SkillFitResult;
      if (isDegenerate(fit.parameters)) degenerate++;
      if (fit.observations === 0) warnings.push(`${dataset.skills[skill]}: no training data in fold ${fold + 1}; default parameters used`);
      predictSkill(dataset, skill, resolveFit(fit, dataset), sink, sequenceFold, fold);
    }
    sinks.push(sink);
  }
  const total = sinks.reduce((sum, sink) => sum + sink.count, 0);
  const pooled = createPredictionSink(total);
  for (const sink of sinks) {
    pooled.predictions.set(sink.predictions.subarray(0, sink.count), pooled.count);
    pooled.labels.set(sink.labels.subarray(0, sink.count), pooled.count);
    pooled.count += sink.count;
  }
  const perFold = sinks.map((sink, fold) => ({
    fold: fold + 1,
    ...computeMetrics(sink.predictions, sink.labels, sink.count),
    sequences: sequenceFold.reduce((sum, f) => sum + (f === fold ? 1 : 0), 0),
  }));
  const mean = (key: keyof PredictionMetrics) => perFold.reduce((sum, m) => sum + m[key], 0) / perFold.length;
  return {
    variant: options.variant,
    split,
    seed: options.seed,
    pooled: computeMetrics(pooled.predictions, pooled.labels, pooled.count),
    meanOverFolds: { auc: mean("auc"), rmse: mean("rmse"), logLoss: mean("logLoss"), accuracy: mean("accuracy"), rows: mean("rows") },
    folds: perFold,
    degenerate,
    warnings,
    seconds: (performance.now() - started) / 1000,
  };
}
