/**
 * 薄弱知识点强化训练: which of a student's practised points most need reinforcement, and what to
 * practise for each.
 *
 * A point is weak when the student has practised it, has not mastered it (P < MASTERED) and either
 * its mastery is low (P < `lowMastery`, default 0.6) or the student answered it wrong at least
 * `repeatedFailures` times (default 2) among the snapshot's recent answers. A point never
 * practised is not weak, only not started (learning paths and the frontier deal with those).
 *
 * Priority = (1 + strength-weighted dependents) × (MASTERED − P): how much of the graph a gap here
 * holds back, times how far the point is from mastery. Strength-weighted dependents count each
 * point that builds on this one, directly or not, by the probability that a gap here blocks it,
 * reading an edge's strength as the chance that a missing prerequisite blocks its dependent and
 * combining paths as a noisy-OR (the same reading as attribution.ts).
 *
 * Practice set per point: the items of the point whose predicted success (prediction.ts) is
 * closest to the target rate (default 0.7), items answered recently only when nothing else is
 * left, presented easiest first; then, for each misconception of the point the student has
 * chosen before, items that can reveal it (those assessing this point first).
 */
import type { KnowledgeGraphIndex } from "../graph/knowledge-graph-index.js";
import { type CalibrationOf, type Explanation, MASTERED, type ParametersOf, type PointNameOf, type StudentSnapshot } from "./model.js";
import { predictItemSuccess } from "./prediction.js";

export interface WeakPointOptions {
  /** Mastery below which a practised point is weak. Default 0.6. */
  lowMastery?: number;
  /** Wrong recent answers on a point that make it weak whatever its mastery. Default 2. */
  repeatedFailures?: number;
  /** Predicted success the practice items aim at. Default 0.7. */
  targetSuccess?: number;
  /** Items per point aimed at the target. Default 5. */
  practiceItems?: number;
  /** Items per misconception the student has shown on the point. Default 2. */
  misconceptionItems?: number;
  /** Resources per point. Default 3. */
  resources?: number;
  /** Weak points returned, highest priority first. Default 10. */
  limit?: number;
}

export type WeaknessReason = "low-mastery" | "repeated-failures";

export interface PracticeItem {
  itemId: string;
  predictedSuccess: number;
  /** Set when the item is there to reveal a misconception the student has shown. */
  misconceptionId?: string;
}

export interface WeakPoint {
  knowledgePointId: string;
  mastery: number;
  attempts: number;
  correct: number;
  /** Wrong answers on the point among the snapshot's recent answers. */
  recentFailures: number;
  reasons: WeaknessReason[];
  /** Points that build on this one, directly or not. */
  dependentCount: number;
  /** The same, each weighted by the chance a gap here blocks it. */
  weightedDependents: number;
  priority: number;
  /** Misconceptions of this point the student has chosen before, most chosen first. */
  misconceptionIds: string[];
  practice: PracticeItem[];
  resourceIds: string[];
  explanation: Explanation;
}

export interface WeakPointPlan {
  points: WeakPoint[];
  /** Weak points found before `limit` was applied. */
  weakCount: number;
}

/** How much of the graph depends on a point: plain count, and weighted by the chance a gap here blocks each dependent. */
export function dependentWeight(index: KnowledgeGraphIndex, pointId: string): { dependentCount: number; weightedDependents: number } {
  const dependents = index.dependentClosure(pointId);
  // The closure is in topological order, so every prerequisite's reach is known before its dependents'.
  const reach = new Map<string, number>([[pointId, 1]]);
  let weighted = 0;
  for (const id of dependents) {
    let unblocked = 1;
    for (const link of index.prerequisitesOf(id)) {
      const upstream = reach.get(link.id);
      if (upstream !== undefined) unblocked *= 1 - upstream * link.weight;
    }
    reach.set(id, 1 - unblocked);
    weighted += 1 - unblocked;
  }
  return { dependentCount: dependents.length, weightedDependents: weighted };
}

export function weakPointPlan(
  index: KnowledgeGraphIndex,
  student: StudentSnapshot,
  parametersOf: ParametersOf,
  calibrationOf: CalibrationOf,
  pointName: PointNameOf,
  options: WeakPointOptions = {},
): WeakPointPlan {
  const lowMastery = options.lowMastery ?? 0.6;
  const repeatedFailures = options.repeatedFailures ?? 2;
  const failures = recentFailures(index, student);
  const recentItems = new Set(student.recentAttempts.map((attempt) => attempt.itemId));
  const predict = (itemId: string) => predictItemSuccess(index, itemId, student, parametersOf, calibrationOf);

  const weak: Omit<WeakPoint, "misconceptionIds" | "practice" | "resourceIds" | "explanation">[] = [];
  for (const [pointId, record] of student.mastery) {
    if (!index.hasPoint(pointId) || record.probability >= MASTERED) continue;
    const failed = failures.get(pointId) ?? 0;
    const reasons: WeaknessReason[] = [];
    if (record.probability < lowMastery) reasons.push("low-mastery");
    if (failed >= repeatedFailures) reasons.push("repeated-failures");
    if (reasons.length === 0) continue;
    const weight = dependentWeight(index, pointId);
    weak.push({
      knowledgePointId: pointId,
      mastery: record.probability,
      attempts: record.attempts,
      correct: record.correct,
      recentFailures: failed,
      reasons,
      ...weight,
      priority: (1 + weight.weightedDependents) * (MASTERED - record.probability),
    });
  }
  weak.sort((a, b) => b.priority - a.priority || index.topologicalRank(a.knowledgePointId) - index.topologicalRank(b.knowledgePointId));

  // Practice sets only for the points returned.
  const chosenCount = (id: string) => student.misconceptionCounts.get(id)?.chosen ?? 0;
  const points = weak.slice(0, options.limit ?? 10).map((point) => {
    const misconceptionIds = index
      .misconceptionsOf(point.knowledgePointId)
      .filter((id) => chosenCount(id) > 0)
      .sort((a, b) => chosenCount(b) - chosenCount(a) || cmp(a, b));
    return {
      ...point,
      misconceptionIds,
      practice: practiceSet(index, point.knowledgePointId, misconceptionIds, predict, recentItems, options),
      resourceIds: index.resourcesOf(point.knowledgePointId).slice(0, options.resources ?? 3),
      explanation: weakPointExplanation(point, misconceptionIds.length, pointName(point.knowledgePointId)),
    };
  });
  return { points, weakCount: weak.length };
}

/** Wrong recent answers per assessed point. */
function recentFailures(index: KnowledgeGraphIndex, student: StudentSnapshot): Map<string, number> {
  const failures = new Map<string, number>();
  for (const attempt of student.recentAttempts) {
    if (attempt.correct) continue;
    const points =
      attempt.mastery.length > 0 ? attempt.mastery.map((m) => m.knowledgePointId) : index.pointsOfItem(attempt.itemId).map((p) => p.id);
    for (const id of points) failures.set(id, (failures.get(id) ?? 0) + 1);
  }
  return failures;
}

function practiceSet(
  index: KnowledgeGraphIndex,
  pointId: string,
  misconceptionIds: readonly string[],
  predict: (itemId: string) => number,
  recentItems: ReadonlySet<string>,
  options: WeakPointOptions,
): PracticeItem[] {
  const target = options.targetSuccess ?? 0.7;
  const predicted = new Map<string, number>();
  const successOf = (itemId: string) => {
    let p = predicted.get(itemId);
    if (p === undefined) {
      p = predict(itemId);
      predicted.set(itemId, p);
    }
    return p;
  };
  // Fresh items first, then closest to the target.
  const byTarget = (a: string, b: string) =>
    Number(recentItems.has(a)) - Number(recentItems.has(b)) ||
    Math.abs(successOf(a) - target) - Math.abs(successOf(b) - target) ||
    cmp(a, b);

  const chosen = new Set<string>();
  const practice: PracticeItem[] = index
    .itemsOf(pointId)
    .map((link) => link.id)
    .sort(byTarget)
    .slice(0, options.practiceItems ?? 5)
    .map((itemId) => ({ itemId, predictedSuccess: successOf(itemId) }))
    .sort((a, b) => b.predictedSuccess - a.predictedSuccess || cmp(a.itemId, b.itemId));
  for (const item of practice) chosen.add(item.itemId);

  const assessesPoint = (itemId: string) => index.pointsOfItem(itemId).some((link) => link.id === pointId);
  for (const misconceptionId of misconceptionIds) {
    const revealing = index
      .itemsRevealing(misconceptionId)
      .filter((itemId) => !chosen.has(itemId))
      .sort((a, b) => Number(assessesPoint(b)) - Number(assessesPoint(a)) || byTarget(a, b))
      .slice(0, options.misconceptionItems ?? 2);
    for (const itemId of revealing) {
      chosen.add(itemId);
      practice.push({ itemId, predictedSuccess: successOf(itemId), misconceptionId });
    }
  }
  return practice;
}

function weakPointExplanation(
  point: Pick<WeakPoint, "mastery" | "attempts" | "recentFailures" | "dependentCount">,
  misconceptions: number,
  name: Explanation,
): Explanation {
  const mastery = point.mastery.toFixed(2);
  const zh = [`“${name.zh}”：${point.dependentCount} 个知识点依赖它；练习 ${point.attempts} 次后掌握度 ${mastery}`];
  const en = [`"${name.en}": ${point.dependentCount} points depend on it; mastery ${mastery} after ${point.attempts} attempts`];
  if (point.recentFailures > 0) {
    zh.push(`最近的作答中答错 ${point.recentFailures} 次`);
    en.push(`${point.recentFailures} wrong among recent answers`);
  }
  if (misconceptions > 0) {
    zh.push(`表现出 ${misconceptions} 个相关误区`);
    en.push(`has shown ${misconceptions} related misconception${misconceptions === 1 ? "" : "s"}`);
  }
  return { zh: zh.join("；"), en: en.join("; ") };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
