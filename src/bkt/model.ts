/**
 * A fitted BKT model in memory, prediction by forward filtering, and conversion from EM results.
 */
import type { TraceDataset } from "./dataset.js";
import type { SkillFitResult } from "./em.js";
import type { BktParameters, BktVariant } from "./parameters.js";

export interface SkillModel extends BktParameters {
  /** Item-difficulty variants: guess and slip per item id (items not listed use the pooled values). */
  items?: Record<string, { guess: number; slip: number }>;
  /** Item-learn: learn rate per item id. */
  itemLearn?: Record<string, number>;
}

export interface BktModel {
  variant: BktVariant;
  skills: Record<string, SkillModel>;
}

export function skillModelFromFit(fit: SkillFitResult, itemNames: readonly string[]): SkillModel {
  const model: SkillModel = { ...fit.parameters };
  if (fit.emissionItems && fit.itemGuess && fit.itemSlip) {
    const items: Record<string, { guess: number; slip: number }> = {};
    for (let i = 0; i < fit.emissionItems.length; i++) {
      items[itemNames[fit.emissionItems[i] as number] as string] = { guess: fit.itemGuess[i] as number, slip: fit.itemSlip[i] as number };
    }
    model.items = items;
  }
  if (fit.learnItems && fit.itemLearn) {
    const itemLearn: Record<string, number> = {};
    for (let i = 0; i < fit.learnItems.length; i++)
      itemLearn[itemNames[fit.learnItems[i] as number] as string] = fit.itemLearn[i] as number;
    model.itemLearn = itemLearn;
  }
  return model;
}

/**
 * A skill model resolved against one dataset's item indices: dense per-item arrays, so
 * filtering looks parameters up by index instead of by name.
 */
export interface ResolvedSkillModel extends BktParameters {
  guessOf?: Float64Array;
  slipOf?: Float64Array;
  learnOf?: Float64Array;
}

export function resolveSkillModel(model: SkillModel, dataset: TraceDataset, itemIndex: ReadonlyMap<string, number>): ResolvedSkillModel {
  const resolved: ResolvedSkillModel = {
    prior: model.prior,
    learn: model.learn,
    forget: model.forget,
    slip: model.slip,
    guess: model.guess,
  };
  if (model.items && dataset.items.length > 0) {
    resolved.guessOf = new Float64Array(dataset.items.length).fill(model.guess);
    resolved.slipOf = new Float64Array(dataset.items.length).fill(model.slip);
    for (const [item, values] of Object.entries(model.items)) {
      const i = itemIndex.get(item);
      if (i === undefined) continue;
      resolved.guessOf[i] = values.guess;
      resolved.slipOf[i] = values.slip;
    }
  }
  if (model.itemLearn && dataset.items.length > 0) {
    resolved.learnOf = new Float64Array(dataset.items.length).fill(model.learn);
    for (const [item, learn] of Object.entries(model.itemLearn)) {
      const i = itemIndex.get(item);
      if (i !== undefined) resolved.learnOf[i] = learn;
    }
  }
  return resolved;
}

/** The same, straight from an EM result on this dataset (no name lookups). */
export function resolveFit(fit: SkillFitResult, dataset: TraceDataset): ResolvedSkillModel {
  const resolved: ResolvedSkillModel = { ...fit.parameters };
  if (fit.emissionItems && fit.itemGuess && fit.itemSlip) {
    resolved.guessOf = new Float64Array(dataset.items.length).fill(fit.parameters.guess);
    resolved.slipOf = new Float64Array(dataset.items.length).fill(fit.parameters.slip);
    for (let i = 0; i < fit.emissionItems.length; i++) {
      resolved.guessOf[fit.emissionItems[i] as number] = fit.itemGuess[i] as number;
      resolved.slipOf[fit.emissionItems[i] as number] = fit.itemSlip[i] as number;
    }
  }
  if (fit.learnItems && fit.itemLearn) {
    resolved.learnOf = new Float64Array(dataset.items.length).fill(fit.parameters.learn);
    for (let i = 0; i < fit.learnItems.length; i++) resolved.learnOf[fit.learnItems[i] as number] = fit.itemLearn[i] as number;
  }
  return resolved;
}

/** Where predictions go: parallel arrays and a write position. */
export interface PredictionSink {
  predictions: Float64Array;
  labels: Int8Array;
  count: number;
}

export function createPredictionSink(capacity: number): PredictionSink {
  return { predictions: new Float64Array(capacity), labels: new Int8Array(capacity), count: 0 };
}

/**
 * Forward filtering of one skill's sequences: P(correct) of each observed step from the
 * knowledge state before it, then the posterior and the transition. `onlyFold` ≥ 0 restricts
 * to that fold's sequences (the held-out ones in cross-validation).
 */
export function predictSkill(
  dataset: TraceDataset,
  skill: number,
  model: ResolvedSkillModel,
  sink: PredictionSink,
  sequenceFold?: Int8Array,
  onlyFold = -1,
): void {
  const { observations, itemOf, sequenceStart } = dataset;
  const { guessOf, slipOf, learnOf, forget } = model;
  const stay = 1 - forget;
  const from = dataset.skillSequenceStart[skill] as number;
  const to = dataset.skillSequenceStart[skill + 1] as number;
  for (let s = from; s < to; s++) {
    if (onlyFold >= 0 && sequenceFold && sequenceFold[s] !== onlyFold) continue;
    let known = model.prior;
    const end = sequenceStart[s + 1] as number;
    for (let t = sequenceStart[s] as number; t < end; t++) {
      const item = itemOf[t] as number;
      const guess = guessOf && item >= 0 ? (guessOf[item] as number) : model.guess;
      const slip = slipOf && item >= 0 ? (slipOf[item] as number) : model.slip;
      const o = observations[t] as number;
      if (o >= 0) {
        const correctIfKnown = 1 - slip;
        sink.predictions[sink.count] = known * correctIfKnown + (1 - known) * guess;
        sink.labels[sink.count] = o;
        sink.count++;
        const a = known * (o === 1 ? correctIfKnown : slip);
        known = a / (a + (1 - known) * (o === 1 ? guess : 1 - guess));
      }
      const learn = learnOf && item >= 0 ? (learnOf[item] as number) : model.learn;
      known = known * stay + (1 - known) * learn;
    }
  }
}
