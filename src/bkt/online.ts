/**
 * Online mastery updates: one answer at a time, as the API applies them. Pure arithmetic on
 * numbers, no allocation, so the hot path of `submitAnswer` costs nanoseconds.
 */
import type { BktParameters } from "./parameters.js";

/** P(correct) for a student whose mastery is `mastery`, before they answer. */
export function predictCorrect(mastery: number, parameters: BktParameters): number {
  return mastery * (1 - parameters.slip) + (1 - mastery) * parameters.guess;
}

/** P(known | this answer): Bayes' rule on the emission probabilities. */
export function posteriorMastery(mastery: number, correct: boolean, parameters: BktParameters): number {
  const known = mastery * (correct ? 1 - parameters.slip : parameters.slip);
  const unknown = (1 - mastery) * (correct ? parameters.guess : 1 - parameters.guess);
  return known / (known + unknown);
}

/** The learning/forgetting transition after an opportunity. */
export function transition(mastery: number, parameters: BktParameters): number {
  return mastery * (1 - parameters.forget) + (1 - mastery) * parameters.learn;
}

/** Mastery after one answer: the posterior, then the transition to the next opportunity. */
export function updateMastery(mastery: number, correct: boolean, parameters: BktParameters): number {
  return transition(posteriorMastery(mastery, correct, parameters), parameters);
}

/** One knowledge point assessed by a multi-point item, with its current mastery. */
export interface AssessedPoint {
  mastery: number;
  parameters: BktParameters;
  /** Q-matrix weight of the point in the item, (0, 1]. */
  weight: number;
}

/**
 * Items assessing several knowledge points — the **independent** update: every point is
 * updated as if the item assessed it alone (the layout pyBKT's expanded rows imply). Writes the
 * new masteries into `out` (same order as `points`).
 */
export function updateIndependent(points: readonly AssessedPoint[], correct: boolean, out: Float64Array): void {
  for (let k = 0; k < points.length; k++) {
    const point = points[k] as AssessedPoint;
    out[k] = updateMastery(point.mastery, correct, point.parameters);
  }
}

/**
 * The **conjunctive** update with credit assignment: the item is answered from knowledge only
 * when every point it assesses is known (noisy-AND); otherwise the student guesses. Slip and
 * guess of the item are the weight-averaged values of its points. A wrong answer is blamed on the
 * points least likely known; a right answer credits each point by how much it was in doubt.
 *
 * P(K_k | obs) = P(K_k) · P(obs | K_k) / P(obs), with P(obs | K_k) averaging over the other
 * points' independent masteries: (∏_{j≠k} m_j)·e_known + (1 − ∏_{j≠k} m_j)·e_unknown.
 */
export function updateConjunctive(points: readonly AssessedPoint[], correct: boolean, out: Float64Array): void {
  let slip = 0;
  let guess = 0;
  let weights = 0;
  let allKnown = 1;
  for (const point of points) {
    slip += point.weight * point.parameters.slip;
    guess += point.weight * point.parameters.guess;
    weights += point.weight;
    allKnown *= point.mastery;
  }
  slip /= weights;
  guess /= weights;
  const emitKnown = correct ? 1 - slip : slip;
  const emitUnknown = correct ? guess : 1 - guess;
  const evidence = allKnown * emitKnown + (1 - allKnown) * emitUnknown;
  for (let k = 0; k < points.length; k++) {
    const point = points[k] as AssessedPoint;
    const m = point.mastery;
    // ∏ of the others; m ≥ the floor of the prior bound, so the division is safe.
    const others = m > 0 ? allKnown / m : 0;
    const givenKnown = others * emitKnown + (1 - others) * emitUnknown;
    const posterior = Math.min(1, (m * givenKnown) / evidence);
    out[k] = transition(posterior, point.parameters);
  }
}

/** P(correct) of a multi-point item under the conjunctive model. */
export function predictConjunctive(points: readonly AssessedPoint[]): number {
  let slip = 0;
  let guess = 0;
  let weights = 0;
  let allKnown = 1;
  for (const point of points) {
    slip += point.weight * point.parameters.slip;
    guess += point.weight * point.parameters.guess;
    weights += point.weight;
    allKnown *= point.mastery;
  }
  return allKnown * (1 - slip / weights) + (1 - allKnown) * (guess / weights);
}
