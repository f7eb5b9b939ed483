/**
 * Expectation–maximisation (Baum–Welch) for one knowledge point's BKT model.
 *
 * The forward pass filters P(known) with per-step scaling (the scales' logs sum to the
 * log-likelihood); the backward pass runs the scaled β recursion and accumulates expected counts
 * on the fly, so only the forward P(known) and the scales are stored — two numbers per step of
 * the longest sequence, in buffers reused across sequences, iterations and restarts. Nothing is
 * allocated per observation.
 *
 * Per-item parameters (item-difficulty guess/slip, item-learn) share the kernel: every
 * observation carries an emission slot and a learn slot; the plain variants have one slot of
 * each. Item values are MAP estimates under a Beta prior centred on the pooled value with
 * `itemPseudoCount` pseudo-observations, which pools rare items towards their knowledge point.
 */
import { type BktParameters, type BktVariant, DEFAULT_PARAMETERS, PARAMETER_BOUNDS, PRIOR_CENTRES, variantShape } from "./parameters.js";
import { SeededRandom } from "./random.js";

export interface EmOptions {
  variant: BktVariant;
  /** Random restarts; the one with the best log-likelihood is kept. Default 5. */
  restarts: number;
  /** Iteration cap of the run taken to convergence. Default 200. */
  maxIterations: number;
  /** Iterations every restart runs before the most likely one is taken to convergence. Default 10. */
  screenIterations: number;
  /** Stop when the log-likelihood improves by less than this fraction of its size. Default 1e-6. */
  tolerance: number;
  seed: number;
  /** Strength of the pull of per-item parameters towards the pooled value. Default 10. */
  itemPseudoCount: number;
  /**
   * Pseudo-observations of the Beta priors on prior, learn, guess and slip (MAP-EM), centred on
   * PRIOR_CENTRES. Default 10: negligible for a point with thousands of answers, a real pull for
   * one with a few dozen, whose maximum-likelihood fit is otherwise extreme. 0 = plain EM.
   */
  priorStrength: number;
}

export const DEFAULT_EM_OPTIONS: Omit<EmOptions, "variant"> = {
  restarts: 5,
  maxIterations: 200,
  screenIterations: 10,
  tolerance: 1e-6,
  seed: 42,
  itemPseudoCount: 10,
  priorStrength: 10,
};

/**
 * One knowledge point's training observations, copied contiguously: per step the observation,
 * its emission slot and its learn slot; `slotItems` map slots back to global item indices.
 */
export interface SkillTrainingSet {
  observations: Int8Array;
  emissionSlot: Int32Array;
  learnSlot: Int32Array;
  /** Sequence s covers steps [sequenceStart[s], sequenceStart[s + 1]). */
  sequenceStart: Int32Array;
  /** Global item index of each emission slot (empty when emissions are pooled). */
  emissionItems: Int32Array;
  /** Global item index of each learn slot (empty when learning is pooled). */
  learnItems: Int32Array;
  longestSequence: number;
}

export interface SkillFitResult {
  parameters: BktParameters;
  /** Per item (global index) guess and slip, for item-difficulty variants. */
  emissionItems?: Int32Array;
  itemGuess?: Float64Array;
  itemSlip?: Float64Array;
  /** Per item (global index) learn rate, for item-learn. */
  learnItems?: Int32Array;
  itemLearn?: Float64Array;
  logLikelihood: number;
  iterations: number;
  converged: boolean;
  observations: number;
  /** Parameters that ended on a bound of PARAMETER_BOUNDS. */
  bounded: (keyof BktParameters)[];
}

/** Scratch memory of one thread, grown to the longest sequence seen. */
export class EmWorkspace {
  forward = new Float64Array(256);
  scale = new Float64Array(256);

  ensure(length: number): void {
    if (this.forward.length < length) {
      this.forward = new Float64Array(length * 2);
      this.scale = new Float64Array(length * 2);
    }
  }
}

const clamp = (value: number, [low, high]: readonly [number, number]) => (value < low ? low : value > high ? high : value);

/** Model state during EM: scalars plus per-slot arrays. */
interface EmState {
  prior: number;
  forget: number;
  learn: Float64Array;
  guess: Float64Array;
  slip: Float64Array;
  /** Pooled values (the centre of the item priors). */
  pooledLearn: number;
  pooledGuess: number;
  pooledSlip: number;
}

// Accumulator layout: per emission slot 4 numbers, per learn slot 2, plus scalars.
const PRIOR = 0;
const FORGET_NUM = 1;
const FORGET_DEN = 2;

/**
 * E-step over all sequences: returns the log-likelihood and leaves expected counts in the
 * accumulators. Written as one flat loop: this is where fitting spends its time.
 */
function expectation(
  set: SkillTrainingSet,
  state: EmState,
  scalars: Float64Array,
  emissionCounts: Float64Array,
  learnCounts: Float64Array,
  workspace: EmWorkspace,
): number {
  scalars.fill(0);
  emissionCounts.fill(0);
  learnCounts.fill(0);
  const { observations, emissionSlot, learnSlot, sequenceStart } = set;
  const { forward, scale } = workspace;
  const { learn, guess, slip, prior, forget } = state;
  const stay = 1 - forget;
  let logLikelihood = 0;
  let priorCount = 0;
  let forgetNum = 0;
  let forgetDen = 0;
  const sequences = sequenceStart.length - 1;
  // The likelihood is the product of the scales; multiplying and taking one log when the
  // product nears underflow is much cheaper than a log per step.
  let likelihoodFactor = 1;
  for (let s = 0; s < sequences; s++) {
    const from = sequenceStart[s] as number;
    const to = sequenceStart[s + 1] as number;
    let known = prior;
    for (let t = from; t < to; t++) {
      const o = observations[t] as number;
      const e = emissionSlot[t] as number;
      let emitKnown = 1;
      let emitUnknown = 1;
      if (o === 1) {
        emitKnown = 1 - (slip[e] as number);
        emitUnknown = guess[e] as number;
      } else if (o === 0) {
        emitKnown = slip[e] as number;
        emitUnknown = 1 - (guess[e] as number);
      }
      const a = known * emitKnown;
      const c = a + (1 - known) * emitUnknown;
      const filtered = a / c;
      forward[t - from] = filtered;
      scale[t - from] = c;
      likelihoodFactor *= c;
      if (likelihoodFactor < 1e-250) {
        logLikelihood += Math.log(likelihoodFactor);
        likelihoodFactor = 1;
      }
      known = filtered * stay + (1 - filtered) * (learn[learnSlot[t] as number] as number);
    }
    // Backward: β at the last step is 1; walk back, accumulating γ and ξ.
    let betaKnown = 1;
    let betaUnknown = 1;
    for (let t = to - 1; t >= from; t--) {
      const filtered = forward[t - from] as number;
      let gammaKnown: number;
      let gammaUnknown: number;
      if (t === to - 1) {
        gammaKnown = filtered;
        gammaUnknown = 1 - filtered;
      } else {
        const o = observations[t + 1] as number;
        const e = emissionSlot[t + 1] as number;
        let emitKnown = 1;
        let emitUnknown = 1;
        if (o === 1) {
          emitKnown = 1 - (slip[e] as number);
          emitUnknown = guess[e] as number;
        } else if (o === 0) {
          emitKnown = slip[e] as number;
          emitUnknown = 1 - (guess[e] as number);
        }
        const c = scale[t + 1 - from] as number;
        const nextKnown = (emitKnown * betaKnown) / c;
        const nextUnknown = (emitUnknown * betaUnknown) / c;
        const l = learnSlot[t] as number;
        const learnRate = learn[l] as number;
        betaKnown = stay * nextKnown + forget * nextUnknown;
        betaUnknown = learnRate * nextKnown + (1 - learnRate) * nextUnknown;
        gammaKnown = filtered * betaKnown;
        gammaUnknown = (1 - filtered) * betaUnknown;
        learnCounts[2 * l] = (learnCounts[2 * l] as number) + (1 - filtered) * learnRate * nextKnown;
        learnCounts[2 * l + 1] = (learnCounts[2 * l + 1] as number) + gammaUnknown;
        forgetNum += filtered * forget * nextUnknown;
        forgetDen += gammaKnown;
      }
      const o = observations[t] as number;
      if (o >= 0) {
        const base = 4 * (emissionSlot[t] as number);
        if (o === 1) emissionCounts[base] = (emissionCounts[base] as number) + gammaUnknown;
        else emissionCounts[base + 2] = (emissionCounts[base + 2] as number) + gammaKnown;
        emissionCounts[base + 1] = (emissionCounts[base + 1] as number) + gammaUnknown;
        emissionCounts[base + 3] = (emissionCounts[base + 3] as number) + gammaKnown;
      }
      if (t === from) priorCount += gammaKnown;
    }
  }
  logLikelihood += Math.log(likelihoodFactor);
  scalars[PRIOR] = priorCount;
  scalars[FORGET_NUM] = forgetNum;
  scalars[FORGET_DEN] = forgetDen;
  return logLikelihood;
}

/**
 * The E-step of the pooled variants (standard, forgets): one emission and one learn slot, so the
 * parameters and counts live in locals. Same arithmetic as `expectation`; about a third faster,
 * and these variants are the ones analysts run most.
 */
function expectationPooled(
  set: SkillTrainingSet,
  state: EmState,
  scalars: Float64Array,
  emissionCounts: Float64Array,
  learnCounts: Float64Array,
  workspace: EmWorkspace,
): number {
  const { observations, sequenceStart } = set;
  const { forward, scale } = workspace;
  const { prior, forget } = state;
  const learn = state.learn[0] as number;
  const guess = state.guess[0] as number;
  const slip = state.slip[0] as number;
  const stay = 1 - forget;
  let logLikelihood = 0;
  let likelihoodFactor = 1;
  let priorCount = 0;
  let forgetNum = 0;
  let forgetDen = 0;
  let learnNum = 0;
  let learnDen = 0;
  let guessNum = 0;
  let guessDen = 0;
  let slipNum = 0;
  let slipDen = 0;
  const sequences = sequenceStart.length - 1;
  for (let s = 0; s < sequences; s++) {
    const from = sequenceStart[s] as number;
    const to = sequenceStart[s + 1] as number;
    let known = prior;
    for (let t = from; t < to; t++) {
      const o = observations[t] as number;
      const emitKnown = o === 1 ? 1 - slip : o === 0 ? slip : 1;
      const emitUnknown = o === 1 ? guess : o === 0 ? 1 - guess : 1;
      const a = known * emitKnown;
      const c = a + (1 - known) * emitUnknown;
      const filtered = a / c;
      forward[t - from] = filtered;
      scale[t - from] = c;
      likelihoodFactor *= c;
      if (likelihoodFactor < 1e-250) {
        logLikelihood += Math.log(likelihoodFactor);
        likelihoodFactor = 1;
      }
      known = filtered * stay + (1 - filtered) * learn;
    }
    let betaKnown = 1;
    let betaUnknown = 1;
    for (let t = to - 1; t >= from; t--) {
      const filtered = forward[t - from] as number;
      let gammaKnown = filtered;
      let gammaUnknown = 1 - filtered;
      if (t !== to - 1) {
        const o = observations[t + 1] as number;
        const emitKnown = o === 1 ? 1 - slip : o === 0 ? slip : 1;
        const emitUnknown = o === 1 ? guess : o === 0 ? 1 - guess : 1;
        const c = scale[t + 1 - from] as number;
        const nextKnown = (emitKnown * betaKnown) / c;
        const nextUnknown = (emitUnknown * betaUnknown) / c;
        betaKnown = stay * nextKnown + forget * nextUnknown;
        betaUnknown = learn * nextKnown + (1 - learn) * nextUnknown;
        gammaKnown = filtered * betaKnown;
        gammaUnknown = (1 - filtered) * betaUnknown;
        learnNum += (1 - filtered) * learn * nextKnown;
        learnDen += gammaUnknown;
        forgetNum += filtered * forget * nextUnknown;
        forgetDen += gammaKnown;
      }
      const o = observations[t] as number;
      if (o === 1) {
        guessNum += gammaUnknown;
        guessDen += gammaUnknown;
        slipDen += gammaKnown;
      } else if (o === 0) {
        slipNum += gammaKnown;
        guessDen += gammaUnknown;
        slipDen += gammaKnown;
      }
    }
    // β now belongs to the first step (1 for a one-step sequence): γ(known) there.
    priorCount += (forward[0] as number) * betaKnown;
  }
  logLikelihood += Math.log(likelihoodFactor);
  scalars[PRIOR] = priorCount;
  scalars[FORGET_NUM] = forgetNum;
  scalars[FORGET_DEN] = forgetDen;
  emissionCounts[0] = guessNum;
  emissionCounts[1] = guessDen;
  emissionCounts[2] = slipNum;
  emissionCounts[3] = slipDen;
  learnCounts[0] = learnNum;
  learnCounts[1] = learnDen;
  return logLikelihood;
}

/** M-step: pooled values from summed counts, per-slot values shrunk towards them, then bounds. */
function maximisation(
  set: SkillTrainingSet,
  state: EmState,
  scalars: Float64Array,
  emissionCounts: Float64Array,
  learnCounts: Float64Array,
  forgets: boolean,
  pseudoCount: number,
  priorStrength: number,
): void {
  const sequences = set.sequenceStart.length - 1;
  const k = priorStrength;
  state.prior = clamp(((scalars[PRIOR] as number) + k * PRIOR_CENTRES.prior) / (sequences + k), PARAMETER_BOUNDS.prior);
  if (forgets) {
    const den = scalars[FORGET_DEN] as number;
    state.forget = den > 0 ? clamp((scalars[FORGET_NUM] as number) / den, PARAMETER_BOUNDS.forget) : 0;
  }
  let guessNum = 0;
  let guessDen = 0;
  let slipNum = 0;
  let slipDen = 0;
  for (let i = 0; i < emissionCounts.length; i += 4) {
    guessNum += emissionCounts[i] as number;
    guessDen += emissionCounts[i + 1] as number;
    slipNum += emissionCounts[i + 2] as number;
    slipDen += emissionCounts[i + 3] as number;
  }
  const guess = guessDen > 0 ? clamp((guessNum + k * PRIOR_CENTRES.guess) / (guessDen + k), PARAMETER_BOUNDS.guess) : state.pooledGuess;
  const slip = slipDen > 0 ? clamp((slipNum + k * PRIOR_CENTRES.slip) / (slipDen + k), PARAMETER_BOUNDS.slip) : state.pooledSlip;
  state.pooledGuess = guess;
  state.pooledSlip = slip;
  if (state.guess.length === 1) {
    state.guess[0] = guess;
    state.slip[0] = slip;
  } else {
    for (let e = 0; e < state.guess.length; e++) {
      const base = 4 * e;
      state.guess[e] = clamp(
        ((emissionCounts[base] as number) + pseudoCount * guess) / ((emissionCounts[base + 1] as number) + pseudoCount),
        PARAMETER_BOUNDS.guess,
      );
      state.slip[e] = clamp(
        ((emissionCounts[base + 2] as number) + pseudoCount * slip) / ((emissionCounts[base + 3] as number) + pseudoCount),
        PARAMETER_BOUNDS.slip,
      );
    }
  }
  let learnNum = 0;
  let learnDen = 0;
  for (let i = 0; i < learnCounts.length; i += 2) {
    learnNum += learnCounts[i] as number;
    learnDen += learnCounts[i + 1] as number;
  }
  const learn = learnDen > 0 ? clamp((learnNum + k * PRIOR_CENTRES.learn) / (learnDen + k), PARAMETER_BOUNDS.learn) : state.pooledLearn;
  state.pooledLearn = learn;
  if (state.learn.length === 1) state.learn[0] = learn;
  else {
    for (let l = 0; l < state.learn.length; l++) {
      state.learn[l] = clamp(
        ((learnCounts[2 * l] as number) + pseudoCount * learn) / ((learnCounts[2 * l + 1] as number) + pseudoCount),
        PARAMETER_BOUNDS.learn,
      );
    }
  }
}

function randomStart(state: EmState, random: SeededRandom, forgets: boolean): void {
  // pyBKT's ranges (see ../shared/anchors/README.md), forgetting kept small, then bounded.
  state.pooledLearn = clamp(random.next() * 0.4, PARAMETER_BOUNDS.learn);
  state.pooledGuess = clamp(random.next() * 0.4, PARAMETER_BOUNDS.guess);
  state.pooledSlip = clamp(random.next() * 0.3, PARAMETER_BOUNDS.slip);
  state.prior = clamp(random.next(), PARAMETER_BOUNDS.prior);
  state.forget = forgets ? random.next() * 0.2 : 0;
  state.learn.fill(state.pooledLearn);
  state.guess.fill(state.pooledGuess);
  state.slip.fill(state.pooledSlip);
}

interface EmRun {
  /** Log-likelihood of the parameters before the last M-step. */
  previous: number;
  logLikelihood: number;
  iterations: number;
  converged: boolean;
}

function isOnBound(value: number, [low, high]: readonly [number, number]): boolean {
  return value <= low + 1e-12 || value >= high - 1e-12;
}

/** Fits one knowledge point: `restarts` EM runs from seeded random starts; keeps the best. */
export function fitSkill(set: SkillTrainingSet, options: EmOptions, skillSeed: number, workspace = new EmWorkspace()): SkillFitResult {
  const shape = variantShape(options.variant);
  if (set.sequenceStart.length < 2) {
    // Nothing to learn from (e.g. every student of this point is in the held-out fold).
    return { parameters: { ...DEFAULT_PARAMETERS }, logLikelihood: 0, iterations: 0, converged: false, observations: 0, bounded: [] };
  }
  workspace.ensure(set.longestSequence);
  const emissionSlots = Math.max(1, set.emissionItems.length);
  const learnSlots = Math.max(1, set.learnItems.length);
  const make = (): EmState => ({
    prior: 0,
    forget: 0,
    learn: new Float64Array(learnSlots),
    guess: new Float64Array(emissionSlots),
    slip: new Float64Array(emissionSlots),
    pooledLearn: 0,
    pooledGuess: 0,
    pooledSlip: 0,
  });
  const state = make();
  const bestState = make();
  const scalars = new Float64Array(3);
  const emissionCounts = new Float64Array(4 * emissionSlots);
  const learnCounts = new Float64Array(2 * learnSlots);
  const random = new SeededRandom(skillSeed);
  const eStep = emissionSlots === 1 && learnSlots === 1 ? expectationPooled : expectation;
  let observations = 0;
  for (let t = 0; t < set.observations.length; t++) if ((set.observations[t] as number) >= 0) observations++;

  const copyState = (to: EmState, from: EmState) => {
    to.prior = from.prior;
    to.forget = from.forget;
    to.pooledLearn = from.pooledLearn;
    to.pooledGuess = from.pooledGuess;
    to.pooledSlip = from.pooledSlip;
    to.learn.set(from.learn);
    to.guess.set(from.guess);
    to.slip.set(from.slip);
  };
  // EM until converged or `budget` iterations in all. When the budget stops it, `state` holds
  // parameters one M-step past `run.logLikelihood`, so a later call continues seamlessly.
  const iterate = (run: EmRun, budget: number) => {
    while (run.iterations < budget) {
      run.logLikelihood = eStep(set, state, scalars, emissionCounts, learnCounts, workspace);
      run.iterations++;
      if (run.logLikelihood - run.previous <= options.tolerance * Math.abs(run.logLikelihood)) {
        run.converged = true;
        return;
      }
      run.previous = run.logLikelihood;
      maximisation(set, state, scalars, emissionCounts, learnCounts, shape.forgets, options.itemPseudoCount, options.priorStrength);
    }
  };

  // Short-run screening ("em-EM", Biernacki, Celeux & Govaert 2003): every restart runs a few
  // iterations, then only the most likely one runs to convergence. EM's early iterations decide
  // which basin a start falls into; running every loser to convergence would cost restarts× as
  // much for the same chosen optimum.
  let best = { previous: Number.NEGATIVE_INFINITY, logLikelihood: Number.NEGATIVE_INFINITY, iterations: 0, converged: false };
  for (let restart = 0; restart < Math.max(1, options.restarts); restart++) {
    randomStart(state, random, shape.forgets);
    const run: EmRun = { previous: Number.NEGATIVE_INFINITY, logLikelihood: Number.NEGATIVE_INFINITY, iterations: 0, converged: false };
    iterate(run, Math.min(options.screenIterations, options.maxIterations));
    if (run.logLikelihood > best.logLikelihood) {
      best = run;
      copyState(bestState, state);
    }
  }
  copyState(state, bestState);
  if (!best.converged) {
    iterate(best, options.maxIterations);
    // Stopped by the cap: the last M-step moved the parameters; score them so the reported
    // likelihood is theirs.
    if (!best.converged) best.logLikelihood = eStep(set, state, scalars, emissionCounts, learnCounts, workspace);
  }
  const bestLogLikelihood = best.logLikelihood;
  const bestIterations = best.iterations;
  const bestConverged = best.converged;

  const parameters: BktParameters = {
    prior: state.prior,
    learn: state.pooledLearn,
    forget: state.forget,
    slip: state.pooledSlip,
    guess: state.pooledGuess,
  };
  const bounded = (Object.keys(parameters) as (keyof BktParameters)[]).filter(
    (name) => (name !== "forget" || shape.forgets) && isOnBound(parameters[name], PARAMETER_BOUNDS[name]),
  );
  return {
    parameters,
    ...(shape.itemEmissions ? { emissionItems: set.emissionItems, itemGuess: state.guess, itemSlip: state.slip } : {}),
    ...(shape.itemLearn ? { learnItems: set.learnItems, itemLearn: state.learn } : {}),
    logLikelihood: bestLogLikelihood,
    iterations: bestIterations,
    converged: bestConverged,
    observations,
    bounded,
  };
}
