/**
 * Dynamic difficulty: item difficulty and student ability calibrated online, Elo-style, on top of
 * BKT (why Elo and not a batch IRT fit: docs/recommender.md, "Dynamic difficulty").
 *
 * The predicted probability that a student answers an item correctly is
 *
 *   P(correct) = σ( logit(P_BKT) + ability − difficulty )
 *
 * where P_BKT is BKT's prediction from the mastery of the item's points, `difficulty` is the
 * item's offset from what BKT expects of an item of its points (cold start: its curriculum
 * difficulty band) and `ability` the student's offset from what BKT expects of them. After each
 * answer both move against the prediction error, by a step that shrinks as the estimate sees
 * more answers (the uncertainty function of Papoušek, Pelánek & Stanislav 2014).
 */
import type { ItemCalibration } from "./model.js";

/** Logit units per curriculum difficulty band away from the middle band 3. */
export const LOGITS_PER_BAND = 0.5;
/** Step size of the Elo update: K(n) = ELO_STEP / (1 + ELO_DECAY·n). */
export const ELO_STEP = 0.8;
export const ELO_DECAY = 0.05;
/** Offsets are kept inside ±OFFSET_LIMIT logits: a few odd answers never make an item impossible. */
export const OFFSET_LIMIT = 4;

const EPSILON = 1e-6;

export const logit = (p: number): number => {
  const q = Math.min(1 - EPSILON, Math.max(EPSILON, p));
  return Math.log(q / (1 - q));
};
export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** The difficulty an item starts with before anyone answered it: its band, as a logit offset. */
export function coldStartDifficulty(band: number): number {
  return (band - 3) * LOGITS_PER_BAND;
}

export function coldStartCalibration(band: number): ItemCalibration {
  return { difficulty: coldStartDifficulty(band), attempts: 0 };
}

/** P(correct) of a student on an item, from BKT's prediction and the two Elo offsets. */
export function predictedSuccess(bktPredicted: number, difficulty: number, ability: number): number {
  return sigmoid(logit(bktPredicted) + ability - difficulty);
}

/** The Elo step for an estimate that has seen `attempts` answers. */
export function eloStep(attempts: number): number {
  return ELO_STEP / (1 + ELO_DECAY * attempts);
}

export interface CalibrationDelta {
  /** Add to the item's difficulty. */
  difficulty: number;
  /** Add to the student's ability. */
  ability: number;
}

/**
 * How one answer moves the item's difficulty and the student's ability. Returned as deltas so a
 * store can apply them as increments (`d = d + Δ`), which commute: concurrent answers on one item
 * by different students never overwrite each other's update.
 */
export function calibrationDelta(
  predicted: number,
  correct: boolean,
  item: ItemCalibration,
  student: { ability: number; attempts: number },
): CalibrationDelta {
  const error = (correct ? 1 : 0) - predicted;
  const nextDifficulty = clamp(item.difficulty - eloStep(item.attempts) * error);
  const nextAbility = clamp(student.ability + eloStep(student.attempts) * error);
  return { difficulty: nextDifficulty - item.difficulty, ability: nextAbility - student.ability };
}

function clamp(offset: number): number {
  return Math.min(OFFSET_LIMIT, Math.max(-OFFSET_LIMIT, offset));
}
