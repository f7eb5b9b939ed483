/** Builds the contiguous training set of one knowledge point, optionally leaving out one fold. */
import type { TraceArrays } from "./dataset.js";
import type { SkillTrainingSet } from "./em.js";
import { type BktVariant, variantShape } from "./parameters.js";

export interface TrainingSelection {
  /** Fold of each sequence (see `assignFolds`); with `excludeFold` ≥ 0, that fold's sequences are left out. */
  sequenceFold?: Int8Array;
  excludeFold?: number;
}

export function trainingSetFor(
  dataset: TraceArrays,
  skill: number,
  variant: BktVariant,
  selection: TrainingSelection = {},
): SkillTrainingSet {
  const shape = variantShape(variant);
  const from = dataset.skillSequenceStart[skill] as number;
  const to = dataset.skillSequenceStart[skill + 1] as number;
  const { sequenceFold, excludeFold = -1 } = selection;
  const included = (s: number) => excludeFold < 0 || !sequenceFold || sequenceFold[s] !== excludeFold;

  let steps = 0;
  let sequences = 0;
  let longest = 0;
  for (let s = from; s < to; s++) {
    if (!included(s)) continue;
    const length = (dataset.sequenceStart[s + 1] as number) - (dataset.sequenceStart[s] as number);
    steps += length;
    sequences++;
    if (length > longest) longest = length;
  }
  const observations = new Int8Array(steps);
  const emissionSlot = new Int32Array(steps);
  const learnSlot = new Int32Array(steps);
  const sequenceStart = new Int32Array(sequences + 1);
  const perItem = (shape.itemEmissions || shape.itemLearn) && dataset.itemCount > 0;
  const slotOfItem = perItem ? new Int32Array(dataset.itemCount).fill(-1) : undefined;
  const slotItems: number[] = [];

  let step = 0;
  let sequence = 0;
  for (let s = from; s < to; s++) {
    if (!included(s)) continue;
    sequenceStart[sequence++] = step;
    const end = dataset.sequenceStart[s + 1] as number;
    for (let t = dataset.sequenceStart[s] as number; t < end; t++) {
      observations[step] = dataset.observations[t] as number;
      if (slotOfItem) {
        const item = dataset.itemOf[t] as number;
        let slot = slotOfItem[item] as number;
        if (slot < 0) {
          slot = slotItems.length;
          slotOfItem[item] = slot;
          slotItems.push(item);
        }
        if (shape.itemEmissions) emissionSlot[step] = slot;
        if (shape.itemLearn) learnSlot[step] = slot;
      }
      step++;
    }
  }
  sequenceStart[sequences] = step;
  const items = Int32Array.from(slotItems);
  return {
    observations,
    emissionSlot,
    learnSlot,
    sequenceStart,
    emissionItems: shape.itemEmissions && slotOfItem ? items : new Int32Array(0),
    learnItems: shape.itemLearn && slotOfItem ? items : new Int32Array(0),
    longestSequence: longest,
  };
}
