/**
 * Learning paths: the points a student still has to learn on the way to goal points, in an order
 * that respects every prerequisite edge, each with the practice it is expected to take.
 *
 * Order. Goals are served in the order given: each goal's block is its not-yet-placed ancestors
 * and itself, sorted by the index's topological rank. Every prerequisite of a point in a block is
 * in that block or an earlier one, and a block is in rank order, so every edge is respected; the
 * teacher's first goal is reached first instead of interleaving all goals' prerequisites.
 * Mastered points (P ≥ MASTERED) are listed as skipped. Unknown goal ids are reported.
 *
 * Expected practice opportunities to mastery (`expectedOpportunities`). The BKT estimate
 * m = P(known | answers so far) is itself a Markov chain: because m is the filter's posterior,
 * the next answer is correct with probability c(m) = m(1 − slip) + (1 − m)·guess whatever the
 * hidden state turns out to be, and the estimate then moves to up(m) or down(m) (updateMastery).
 * The expected number of opportunities until m ≥ MASTERED therefore solves, exactly,
 *
 *   E(m) = 0                                          for m ≥ MASTERED
 *   E(m) = 1 + c(m)·E(up(m)) + (1 − c(m))·E(down(m))  otherwise.
 *
 * It is solved once per parameter set (learn, forget, slip, guess) on a grid of the estimate's
 * logit (GRID_STEP apart, linear interpolation between grid points) by value iteration: the k-th
 * sweep adds P(T > k), and once those increments shrink geometrically their remaining sum
 * δ·λ/(1 − λ) is added in closed form, so a slow learner (learn 0.001) costs about as little as a
 * fast one. A start value is taken exactly through its first answer, then read off the grid;
 * the grid is cached per parameter set, so a 200-point path costs one solve per distinct set.
 * The tests check the solution against simulating the hidden state directly.
 *
 * With forgetting, a run of correct answers converges to the fixed point of up(); when that lies
 * below MASTERED, mastery is never reached and E is infinite (reported as unreachable, null).
 */
import { predictCorrect, updateMastery } from "../bkt/online.js";
import type { BktParameters } from "../bkt/parameters.js";
import type { KnowledgeGraphIndex } from "../graph/knowledge-graph-index.js";
import { logit } from "./difficulty.js";
import { type Explanation, MASTERED, type ParametersOf, type PointNameOf, type StudentSnapshot } from "./model.js";
import { masteryProbability } from "./prediction.js";

/** Distance between grid points of the estimate, in logits. */
export const GRID_STEP = 0.02;
/** Parameter sets whose solution is kept; the oldest is dropped beyond this. */
const CACHED_SETS = 2048;
const MAX_SWEEPS = 200_000;

type Dynamics = Pick<BktParameters, "learn" | "forget" | "slip" | "guess">;

/** The solved E on the grid of one parameter set. */
interface OpportunityTable {
  /** Logit of grid point 0; grid point i is at `low + i·GRID_STEP`, all below logit(MASTERED). */
  low: number;
  expected: Float64Array;
}

const tables = new Map<string, OpportunityTable | null>();

/**
 * Expected practice opportunities until P(known) ≥ MASTERED, from mastery `mastery` under
 * `parameters` (their prior is not used: the chain starts at `mastery`). 0 when already mastered,
 * null when mastery cannot be reached under these parameters.
 */
export function expectedOpportunities(mastery: number, parameters: Dynamics): number | null {
  if (mastery >= MASTERED) return 0;
  const table = opportunityTable(parameters);
  if (table === null) return null;
  const bkt = { ...parameters, prior: 0 };
  const correct = predictCorrect(mastery, bkt);
  const up = updateMastery(mastery, true, bkt);
  const down = updateMastery(mastery, false, bkt);
  return 1 + correct * interpolate(table.expected, table.low, up) + (1 - correct) * interpolate(table.expected, table.low, down);
}

function opportunityTable(parameters: Dynamics): OpportunityTable | null {
  const key = `${parameters.learn}|${parameters.forget}|${parameters.slip}|${parameters.guess}`;
  const cached = tables.get(key);
  if (cached !== undefined) return cached;
  const solved = solve(parameters);
  if (tables.size >= CACHED_SETS) {
    const oldest = tables.keys().next().value;
    if (oldest !== undefined) tables.delete(oldest);
  }
  tables.set(key, solved);
  return solved;
}

/** E at estimate `mastery` from the grid values (0 at or above MASTERED). */
function interpolate(expected: Float64Array, low: number, mastery: number): number {
  if (mastery >= MASTERED) return 0;
  const last = expected.length - 1;
  const position = (logit(mastery) - low) / GRID_STEP;
  if (position <= 0) return expected[0] as number;
  // Between the last grid point and the threshold E is held flat: the jump to 0 is at the threshold itself.
  if (position >= last) return expected[last] as number;
  const i = Math.floor(position);
  const w = position - i;
  return (1 - w) * (expected[i] as number) + w * (expected[i + 1] as number);
}

function solve(dynamics: Dynamics): OpportunityTable | null {
  const parameters: BktParameters = { ...dynamics, prior: 0 };
  // up() is increasing with one fixed point below 1 when forget > 0: mastery is reachable iff up(MASTERED) ≥ MASTERED.
  if (updateMastery(MASTERED, true, parameters) < MASTERED) return null;
  // After any answer the estimate is a mix of (1 − forget) and learn, so the grid starts at the smaller.
  const low = logit(Math.min(dynamics.learn, 1 - dynamics.forget));
  const size = Math.max(1, Math.ceil((logit(MASTERED) - low) / GRID_STEP));
  const correct = new Float64Array(size);
  const upAt = new Float64Array(size);
  const downAt = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const m = 1 / (1 + Math.exp(-(low + i * GRID_STEP)));
    correct[i] = predictCorrect(m, parameters);
    upAt[i] = updateMastery(m, true, parameters);
    downAt[i] = updateMastery(m, false, parameters);
  }
  let current = new Float64Array(size);
  let next = new Float64Array(size);
  let previousStep = 0;
  let previousRatio = 0;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let step = 0;
    for (let i = 0; i < size; i++) {
      const c = correct[i] as number;
      next[i] = 1 + c * interpolate(current, low, upAt[i] as number) + (1 - c) * interpolate(current, low, downAt[i] as number);
      step = Math.max(step, (next[i] as number) - (current[i] as number));
    }
    const ratio = previousStep > 0 ? step / previousStep : 0;
    if (sweep > 8 && ratio < 1 && Math.abs(ratio - previousRatio) < 1e-7 * (1 - ratio)) {
      // Geometric tail: the remaining sweeps would add (this sweep's increment)·ratio/(1 − ratio) at every grid point.
      const tail = ratio / (1 - ratio);
      for (let i = 0; i < size; i++) next[i] = (next[i] as number) + ((next[i] as number) - (current[i] as number)) * tail;
      return { low, expected: next };
    }
    [current, next] = [next, current];
    if (step < 1e-10) break;
    previousStep = step;
    previousRatio = ratio;
  }
  return { low, expected: current };
}

export interface LearningPathOptions {
  /**
   * Do not look beneath mastered points: a point the student has mastered vouches for its own
   * prerequisites, so those are neither listed nor skipped. Default false (every ancestor counts).
   */
  pruneBelowMastered?: boolean;
}

export interface LearningPathStep {
  knowledgePointId: string;
  /** 1-based position in the path. */
  position: number;
  isGoal: boolean;
  /** P(known) now (the prior when never practised). */
  mastery: number;
  practised: boolean;
  /** Direct prerequisites that are earlier steps of this path. */
  prerequisiteIds: string[];
  /** Expected practice opportunities to reach MASTERED; null when unreachable under its parameters. */
  expectedOpportunities: number | null;
  explanation: Explanation;
}

export interface SkippedPoint {
  knowledgePointId: string;
  isGoal: boolean;
  mastery: number;
}

export interface LearningPath {
  goalIds: string[];
  /** Goal ids the curriculum does not know. */
  unknownGoalIds: string[];
  steps: LearningPathStep[];
  /** Mastered points on the way (and mastered goals), in path order. */
  skipped: SkippedPoint[];
  /** Sum of the steps' expected opportunities, over the steps where mastery is reachable. */
  totalExpectedOpportunities: number;
  /** Steps whose parameters never reach mastery (their opportunities are not in the total). */
  unreachableCount: number;
  explanation: Explanation;
}

export function learningPath(
  index: KnowledgeGraphIndex,
  student: StudentSnapshot,
  goals: readonly string[],
  parametersOf: ParametersOf,
  pointName: PointNameOf,
  options: LearningPathOptions = {},
): LearningPath {
  const goalIds = [...new Set(goals)];
  const known = goalIds.filter((id) => index.hasPoint(id));
  const unknownGoalIds = goalIds.filter((id) => !index.hasPoint(id));
  const goalSet = new Set(known);
  const masteryOf = (id: string) => masteryProbability(student, id, parametersOf);
  const expand = options.pruneBelowMastered ? (id: string) => masteryOf(id) < MASTERED : () => true;

  const placed = new Set<string>();
  const steps: LearningPathStep[] = [];
  const skipped: SkippedPoint[] = [];
  for (const goal of known) {
    for (const id of ancestorsAndSelf(index, goal, expand)) {
      if (placed.has(id)) continue;
      placed.add(id);
      const mastery = masteryOf(id);
      if (mastery >= MASTERED) {
        skipped.push({ knowledgePointId: id, isGoal: goalSet.has(id), mastery });
        continue;
      }
      const parameters = parametersOf(id);
      const expected = expectedOpportunities(mastery, parameters);
      const record = student.mastery.get(id);
      steps.push({
        knowledgePointId: id,
        position: steps.length + 1,
        isGoal: goalSet.has(id),
        mastery,
        practised: record !== undefined,
        prerequisiteIds: [],
        expectedOpportunities: expected,
        explanation: stepExplanation(mastery, record?.attempts, expected, parameters),
      });
    }
  }
  const stepIds = new Set(steps.map((step) => step.knowledgePointId));
  for (const step of steps) {
    step.prerequisiteIds = index
      .prerequisitesOf(step.knowledgePointId)
      .map((link) => link.id)
      .filter((id) => stepIds.has(id));
  }

  let total = 0;
  let unreachableCount = 0;
  for (const step of steps) {
    if (step.expectedOpportunities === null) unreachableCount++;
    else total += step.expectedOpportunities;
  }
  return {
    goalIds,
    unknownGoalIds,
    steps,
    skipped,
    totalExpectedOpportunities: total,
    unreachableCount,
    explanation: pathExplanation(known, steps.length, total, unreachableCount, skipped.length, unknownGoalIds, pointName),
  };
}

/** The goal and the ancestors `expand` lets the search reach, in the index's topological order. */
function ancestorsAndSelf(index: KnowledgeGraphIndex, goal: string, expand: (id: string) => boolean): string[] {
  const seen = new Set([goal]);
  const pending = [goal];
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    if (!expand(id)) continue;
    for (const link of index.prerequisitesOf(id)) {
      if (seen.has(link.id)) continue;
      seen.add(link.id);
      pending.push(link.id);
    }
  }
  return [...seen].sort((a, b) => index.topologicalRank(a) - index.topologicalRank(b));
}

function stepExplanation(mastery: number, attempts: number | undefined, expected: number | null, parameters: BktParameters): Explanation {
  const state =
    attempts === undefined
      ? { zh: `尚未练习（先验掌握度 ${mastery.toFixed(2)}）`, en: `not started (prior mastery ${mastery.toFixed(2)})` }
      : { zh: `练习 ${attempts} 次后掌握度 ${mastery.toFixed(2)}`, en: `mastery ${mastery.toFixed(2)} after ${attempts} attempts` };
  if (expected === null) {
    const forget = parameters.forget.toFixed(2);
    return {
      zh: `${state.zh}；按其参数（遗忘率 ${forget}）掌握度无法达到 ${MASTERED}`,
      en: `${state.en}; cannot reach mastery ${MASTERED} under its parameters (forget rate ${forget})`,
    };
  }
  const learn = parameters.learn.toFixed(2);
  return {
    zh: `${state.zh}；预计还需约 ${expected.toFixed(1)} 次练习（学习率 ${learn}）`,
    en: `${state.en}; about ${expected.toFixed(1)} more practice opportunities expected (learn rate ${learn})`,
  };
}

function pathExplanation(
  goals: readonly string[],
  stepCount: number,
  total: number,
  unreachable: number,
  skippedCount: number,
  unknownGoalIds: readonly string[],
  pointName: PointNameOf,
): Explanation {
  const names = goals.map(pointName);
  const zh = [
    `目标 ${names.map((n) => `“${n.zh}”`).join("、") || "（无）"}：需学习 ${stepCount} 个知识点，预计共约 ${total.toFixed(0)} 次练习`,
  ];
  const en = [
    `goals ${names.map((n) => `"${n.en}"`).join(", ") || "(none)"}: ${stepCount} points to learn, about ${total.toFixed(0)} practice opportunities in all`,
  ];
  if (unreachable > 0) {
    zh.push(`${unreachable} 个知识点按其参数无法达到掌握，未计入`);
    en.push(`${unreachable} points cannot reach mastery under their parameters and are not counted`);
  }
  if (skippedCount > 0) {
    zh.push(`已掌握 ${skippedCount} 个，跳过`);
    en.push(`${skippedCount} already mastered, skipped`);
  }
  if (unknownGoalIds.length > 0) {
    zh.push(`未知的目标：${unknownGoalIds.join("、")}`);
    en.push(`unknown goals: ${unknownGoalIds.join(", ")}`);
  }
  return { zh: zh.join("；"), en: en.join("; ") };
}
