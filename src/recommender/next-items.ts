/**
 * Which items a student should practise next.
 *
 * Candidates come from three places: items of frontier points (readiness.ts), items of the most
 * urgent mastered points due for review (review.ts), and, after a run of wrong answers, items of
 * the unmastered but ready prerequisites of the point just failed (adaptive-target.ts), or of all
 * its prerequisites when every one is marked mastered. An item is eligible only when every point
 * it assesses is mastered, on the frontier or a candidate (never a locked point), it was not among
 * the student's recent attempts and the caller's filter allows it.
 *
 * Each eligible item is scored on
 * - closeness of its predicted success (BKT and Elo, prediction.ts) to the adapted target;
 * - expected mastery gain: Σ over its points of weight · ((1 − P) · learn · readiness − P · forget).
 *   Under BKT the expected posterior after an answer equals the prior belief (the posterior is a
 *   martingale under the model's own prediction), so the expected change of the estimate after
 *   `updateMastery` is exactly the transition term (1 − P) · learn − P · forget: the two measures
 *   one could choose coincide, and the closed form costs nothing. Learning is scaled by readiness
 *   because a student hardly learns a point whose prerequisites are shaky, which BKT alone ignores;
 * - review urgency (how far a mastered point's predicted mastery fell);
 * - readiness itself, and a bonus for stepping back after a failure streak.
 * Then a greedy pick keeps variety (at most ⌈count/2⌉ items per point, each further item of a
 * point pays a penalty; reviews take at most ⌈count/2⌉ places while other items remain) with ties broken by item id, so the output is a function of the inputs.
 *
 * Cost: the frontier scan reads each point of the scope once (readiness.ts); items are walked in
 * flat arrays, and the prediction, the expensive part, is skipped for an item that could not be
 * picked even with a perfect closeness (BestPoints). 10,000 points, 1,000 of them practised:
 * about 2 ms (benchmarks/recommender.ts).
 */
import type { KnowledgeGraphIndex } from "../graph/knowledge-graph-index.js";
import { type AdaptiveTarget, adaptiveTarget, DEFAULT_TARGET_SUCCESS } from "./adaptive-target.js";
import { predictedSuccess } from "./difficulty.js";
import { type CalibrationOf, type Explanation, MASTERED, type ParametersOf, type PointNameOf, type StudentSnapshot } from "./model.js";
import { bktItemPrediction, masteryProbability } from "./prediction.js";
import { READINESS_THRESHOLD, type RecommendationScope, readinessOf, readinessScore, scopeFilter, visitFrontier } from "./readiness.js";
import { type ReviewCandidate, reviewCandidates } from "./review.js";

/** Width of the closeness term exp(−(Δ/width)²): 15 points of predicted success off target score e^−1 of a hit. */
export const CLOSENESS_WIDTH = 0.15;
/** The gain term reaches 1 at the expected gain of practising an unknown point at the default learn rate. */
export const REFERENCE_GAIN = 0.15;
/** The urgency term reaches 1 when predicted mastery fell this far below MASTERED. */
export const REFERENCE_URGENCY = 0.15;
/**
 * Closeness and gain weigh the same: in the efficiency simulation (benchmarks/recommender-efficiency.ts)
 * doubling the gain or halving closeness cost 6–10 % more items, because items near the target
 * also test points the student is believed to know, which is how a wrong belief gets caught.
 * Urgency has full weight (review re-checks marks reached on lucky guesses: without review the
 * simulated students needed 12 % more items); readiness counts a little beyond its part in the gain.
 */
export const SCORE_WEIGHTS = {
  closeness: 1,
  gain: 1,
  urgency: 1,
  readiness: 0.25,
  stepBack: 0.5,
  /** Subtracted per item already chosen for the same point. */
  variety: 0.2,
} as const;

/**
 * Only the most urgent review points with an item left to offer compete: a student back from the
 * holidays may have hundreds due, and the most decayed come first anyway. Bounds the work at
 * REVIEW_POINTS_PER_ITEM per item asked for (at least MIN_REVIEW_POINTS).
 */
export const REVIEW_POINTS_PER_ITEM = 2;
export const MIN_REVIEW_POINTS = 10;

export type RecommendationKind = "frontier" | "review" | "step-back";

export interface NextItemsOptions {
  count: number;
  scope?: RecommendationScope;
  /** The class's or student's base success rate (default 0.7), adapted to the recent run. */
  targetSuccess?: number;
  /** The time the recommendation is for (spaced review); the clock is never read. */
  now: Date;
  readinessThreshold?: number;
  /** A caller's filter (e.g. item types a device can show); items it rejects are never returned. */
  isEligible?(itemId: string): boolean;
}

export interface Recommendation {
  itemId: string;
  /** The point the item was chosen for (of the item's points, the candidate with the largest weight). */
  knowledgePointId: string;
  kind: RecommendationKind;
  predictedSuccess: number;
  /** Expected change of the BKT estimates of the item's points, summed with Q-matrix weights. */
  expectedGain: number;
  /** Readiness of the point it was chosen for. */
  readiness: number;
  score: number;
  explanation: Explanation;
}

export interface NextItems {
  items: Recommendation[];
  target: AdaptiveTarget;
}

interface CandidatePoint {
  pointId: string;
  /** Teaching-order rank: the point's number in the item table. */
  rank: number;
  kind: RecommendationKind;
  /** P(known) now: the BKT estimate, or the forgetting curve's prediction for a review point. */
  mastery: number;
  readiness: number;
  review?: ReviewCandidate;
  /** Step-back: the failed point this one is a prerequisite of. */
  failedPointId?: string;
  /** What its items may score, to take the most promising points first (promisingFirst). */
  promise: number;
}

interface ScoredItem {
  itemId: string;
  pointId: string;
  candidate: CandidatePoint;
  predictedSuccess: number;
  expectedGain: number;
  score: number;
  /** Set once picked. */
  taken: boolean;
}

const KIND_PRIORITY: Record<RecommendationKind, number> = { "step-back": 2, review: 1, frontier: 0 };

/** The candidate points: frontier, then review, then step-back (a later kind replaces an earlier one). */
function candidatePoints(
  index: KnowledgeGraphIndex,
  student: StudentSnapshot,
  parametersOf: ParametersOf,
  options: NextItemsOptions,
  target: AdaptiveTarget,
  threshold: number,
  offerable: (itemId: string) => boolean,
): Map<string, CandidatePoint> {
  const candidates = new Map<string, CandidatePoint>();
  visitFrontier(index, student, parametersOf, { scope: options.scope, threshold }, (pointId, rank, mastery, readiness) => {
    candidates.set(pointId, { pointId, rank, kind: "frontier", mastery, readiness, promise: 0 });
  });
  let reviewPoints = Math.max(MIN_REVIEW_POINTS, REVIEW_POINTS_PER_ITEM * options.count);
  for (const review of reviewCandidates(student, parametersOf, options.now, scopeFilter(index, options.scope))) {
    if (reviewPoints === 0) break;
    if (!index.itemsOf(review.knowledgePointId).some((link) => offerable(link.id))) continue;
    reviewPoints--;
    candidates.set(review.knowledgePointId, {
      pointId: review.knowledgePointId,
      rank: index.topologicalRank(review.knowledgePointId),
      kind: "review",
      mastery: review.mastery,
      readiness: readinessScore(index, student, parametersOf, review.knowledgePointId),
      review,
      promise: 0,
    });
  }
  // Stepping back may leave the scope: the gap is often in an earlier unit. When every prerequisite
  // of the failed point is marked mastered, the streak casts doubt on the marks (0.95 can be reached
  // on lucky guesses), so they are re-checked: in the efficiency simulation this cut the students
  // stuck behind a falsely mastered prerequisite by a third.
  for (const failed of target.failedPointIds) {
    const prerequisites = index.prerequisitesOf(failed).map((link) => ({
      id: link.id,
      mastery: masteryProbability(student, link.id, parametersOf),
      readiness: readinessScore(index, student, parametersOf, link.id),
    }));
    const open = prerequisites.filter((p) => p.mastery < MASTERED && p.readiness >= threshold);
    const recheck = open.length === 0 && prerequisites.every((p) => p.mastery >= MASTERED);
    for (const p of recheck ? prerequisites : open) {
      if (candidates.get(p.id)?.kind === "step-back") continue;
      candidates.set(p.id, {
        pointId: p.id,
        rank: index.topologicalRank(p.id),
        kind: "step-back",
        mastery: p.mastery,
        readiness: p.readiness,
        failedPointId: failed,
        promise: 0,
      });
    }
  }
  return candidates;
}

/**
 * Items by point and points by item, numbered (points by teaching order, as the prerequisite
 * table), in flat arrays: the recommender walks thousands of items per request, and `itemsOf` /
 * `pointsOfItem` allocate a list per call. Built once per index through its public methods; an
 * index is immutable, so this cannot go stale.
 */
class ItemTable {
  readonly pointIds: string[];
  readonly itemIds: string[] = [];
  /** Items of point p: items[itemsOffsets[p] … itemsOffsets[p + 1]), with the point's weight in each. */
  readonly itemsOffsets: Int32Array;
  readonly items: Int32Array;
  readonly itemWeights: Float64Array;
  /** Points of item i: points[pointsOffsets[i] … pointsOffsets[i + 1]), with Q-matrix weights. */
  readonly pointsOffsets: Int32Array;
  readonly points: Int32Array;
  readonly pointWeights: Float64Array;

  constructor(index: KnowledgeGraphIndex) {
    this.pointIds = index.topologicalOrder();
    const numbers = new Map<string, number>();
    const itemLinks = this.pointIds.map((id) => index.itemsOf(id));
    this.itemsOffsets = new Int32Array(this.pointIds.length + 1);
    itemLinks.forEach((links, p) => {
      this.itemsOffsets[p + 1] = (this.itemsOffsets[p] as number) + links.length;
    });
    this.items = new Int32Array(this.itemsOffsets[this.pointIds.length] as number);
    this.itemWeights = new Float64Array(this.items.length);
    let e = 0;
    for (const links of itemLinks) {
      for (const link of links) {
        let item = numbers.get(link.id);
        if (item === undefined) {
          item = this.itemIds.length;
          numbers.set(link.id, item);
          this.itemIds.push(link.id);
        }
        this.items[e] = item;
        this.itemWeights[e++] = link.weight;
      }
    }
    const pointLinks = this.itemIds.map((id) => index.pointsOfItem(id));
    this.pointsOffsets = new Int32Array(this.itemIds.length + 1);
    pointLinks.forEach((links, i) => {
      this.pointsOffsets[i + 1] = (this.pointsOffsets[i] as number) + links.length;
    });
    this.points = new Int32Array(this.pointsOffsets[this.itemIds.length] as number);
    this.pointWeights = new Float64Array(this.points.length);
    e = 0;
    for (const links of pointLinks) {
      for (const link of links) {
        this.points[e] = index.topologicalRank(link.id);
        this.pointWeights[e++] = link.weight;
      }
    }
  }
}

const itemTables = new WeakMap<KnowledgeGraphIndex, ItemTable>();

function itemTableOf(index: KnowledgeGraphIndex): ItemTable {
  let table = itemTables.get(index);
  if (!table) {
    table = new ItemTable(index);
    itemTables.set(index, table);
  }
  return table;
}

/**
 * The best score of each of the `count` best points so far. An item that cannot beat the lowest
 * of them can never be picked: `count` items of distinct points outscore it, and each of those
 * is either picked before it or its point already has a pick (with the variety penalty or cap,
 * the item would come after it), so the list fills first.
 */
class BestPoints {
  private readonly pointIds: string[] = [];
  private readonly scores: number[] = [];
  private lowest = Number.NEGATIVE_INFINITY;

  constructor(private readonly count: number) {}

  threshold(): number {
    return this.lowest;
  }

  /** The best score of each point held (at most `count`). */
  bestScores(): readonly number[] {
    return this.scores;
  }

  offer(pointId: string, score: number): void {
    const at = this.pointIds.indexOf(pointId);
    if (at >= 0) {
      if (score <= (this.scores[at] as number)) return;
      this.scores[at] = score;
    } else if (this.pointIds.length < this.count) {
      this.pointIds.push(pointId);
      this.scores.push(score);
    } else {
      let min = 0;
      for (let k = 1; k < this.scores.length; k++) if ((this.scores[k] as number) < (this.scores[min] as number)) min = k;
      if (score <= (this.scores[min] as number)) return;
      this.pointIds[min] = pointId;
      this.scores[min] = score;
    }
    if (this.pointIds.length === this.count) this.lowest = Math.min(...this.scores);
  }
}

/**
 * BestPoints under the review cap of pickWithVariety: reviews take at most ⌈count/2⌉ places while
 * other items remain, so only the best ⌈count/2⌉ review points can keep an item out. The bar is
 * the `count`-th best score among the best `count` other points and the best ⌈count/2⌉ review
 * points: every one of those is picked before an item scoring below it (a review among them is
 * within the cap), so such an item, of either kind, never makes the list.
 */
class BestPointsUnderReviewCap {
  private readonly others: BestPoints;
  private readonly reviews: BestPoints;
  private bar = Number.NEGATIVE_INFINITY;

  constructor(private readonly count: number) {
    this.others = new BestPoints(count);
    this.reviews = new BestPoints(Math.ceil(count / 2));
  }

  threshold(): number {
    return this.bar;
  }

  offer(pointId: string, score: number, kind: RecommendationKind): void {
    if (kind === "review") this.reviews.offer(pointId, score);
    else this.others.offer(pointId, score);
    const scores = [...this.others.bestScores(), ...this.reviews.bestScores()];
    if (scores.length < this.count) return;
    scores.sort((a, b) => b - a);
    this.bar = scores[this.count - 1] as number;
  }
}

/** The score terms that depend on the point alone: readiness, review urgency, the step-back bonus. */
function pointTerms(candidate: CandidatePoint): number {
  let terms = SCORE_WEIGHTS.readiness * candidate.readiness;
  if (candidate.review) terms += SCORE_WEIGHTS.urgency * Math.min(1, candidate.review.urgency / REFERENCE_URGENCY);
  if (candidate.kind === "step-back") terms += SCORE_WEIGHTS.stepBack;
  return terms;
}

/** The most any item chosen for the point can score: closeness and the (capped) gain term at 1. */
function pointBound(candidate: CandidatePoint): number {
  return SCORE_WEIGHTS.closeness + SCORE_WEIGHTS.gain + pointTerms(candidate);
}

/**
 * Candidate points with the most promising first (the point's own terms and its expected gain
 * with the point's own learn rate), so the bounds in nextItems rise early and most items of
 * weaker points are dismissed without a prediction. The order changes only the work, never the
 * result.
 */
function promisingFirst(candidates: ReadonlyMap<string, CandidatePoint>, parametersOf: ParametersOf): CandidatePoint[] {
  const ordered = [...candidates.values()];
  for (const candidate of ordered) {
    const { learn } = parametersOf(candidate.pointId);
    candidate.promise =
      SCORE_WEIGHTS.gain * Math.min(1, ((1 - candidate.mastery) * learn * candidate.readiness) / REFERENCE_GAIN) + pointTerms(candidate);
  }
  return ordered.sort((a, b) => b.promise - a.promise || a.rank - b.rank);
}

export function nextItems(
  index: KnowledgeGraphIndex,
  student: StudentSnapshot,
  parametersOf: ParametersOf,
  calibrationOf: CalibrationOf,
  pointName: PointNameOf,
  options: NextItemsOptions,
): NextItems {
  const threshold = options.readinessThreshold ?? READINESS_THRESHOLD;
  const target = adaptiveTarget(student.recentAttempts, options.targetSuccess ?? DEFAULT_TARGET_SUCCESS);
  const recent = new Set<string>();
  for (const attempt of student.recentAttempts) recent.add(attempt.itemId);
  const offerable = (itemId: string) => !recent.has(itemId) && (!options.isEligible || options.isEligible(itemId));
  const candidates = candidatePoints(index, student, parametersOf, options, target, threshold, offerable);

  // Points an item assesses besides its candidate ones: mastered, or ready (possibly outside the scope).
  const readyElsewhere = new Map<string, number>();
  const readinessOutside = (pointId: string): number => {
    let readiness = readyElsewhere.get(pointId);
    if (readiness === undefined) {
      readiness = readinessScore(index, student, parametersOf, pointId);
      readyElsewhere.set(pointId, readiness);
    }
    return readiness;
  };
  // The point whose items are being scored is asked for most: answered without a lookup.
  let current = "";
  let currentMastery = 0;
  const masteryNow = (pointId: string): number =>
    pointId === current ? currentMastery : (candidates.get(pointId)?.mastery ?? masteryProbability(student, pointId, parametersOf));

  const table = itemTableOf(index);
  const best = new BestPointsUnderReviewCap(options.count);
  const scored: ScoredItem[] = [];

  for (const pointCandidate of promisingFirst(candidates, parametersOf)) {
    const { pointId, rank } = pointCandidate;
    // No item of this point can beat the best points: closeness and the capped gain term at 1.
    if (pointBound(pointCandidate) < best.threshold()) continue;
    current = pointId;
    currentMastery = pointCandidate.mastery;
    for (let e = table.itemsOffsets[rank] as number; e < (table.itemsOffsets[rank + 1] as number); e++) {
      const item = table.items[e] as number;
      const itemId = table.itemIds[item] as string;
      if (!offerable(itemId)) continue;

      let chosenFor = pointId;
      let chosen = pointCandidate;
      let chosenWeight = table.itemWeights[e] as number;
      let expectedGain = 0;
      let eligible = true;
      for (let k = table.pointsOffsets[item] as number; k < (table.pointsOffsets[item + 1] as number); k++) {
        const other = table.points[k] as number;
        const otherId = table.pointIds[other] as string;
        const weight = table.pointWeights[k] as number;
        const candidate = other === rank ? pointCandidate : candidates.get(otherId);
        let mastery: number;
        let readiness = 1;
        if (candidate) {
          mastery = candidate.mastery;
          readiness = candidate.readiness;
          if (
            weight > chosenWeight ||
            (weight === chosenWeight &&
              (KIND_PRIORITY[candidate.kind] > KIND_PRIORITY[chosen.kind] || (candidate.kind === chosen.kind && otherId < chosenFor)))
          ) {
            chosen = candidate;
            chosenFor = otherId;
            chosenWeight = weight;
          }
        } else {
          mastery = masteryProbability(student, otherId, parametersOf);
          if (mastery < MASTERED) {
            readiness = readinessOutside(otherId);
            if (readiness < threshold) {
              eligible = false;
              break;
            }
          }
        }
        const { learn, forget } = parametersOf(otherId, itemId);
        expectedGain += weight * ((1 - mastery) * learn * readiness - mastery * forget);
      }
      // An item of several candidate points is scored once, when reached from the point it is chosen for.
      if (!eligible || chosenFor !== pointId) continue;

      // Everything but closeness is known: could the item be picked with closeness at its best?
      let score = SCORE_WEIGHTS.gain * Math.min(1, Math.max(0, expectedGain) / REFERENCE_GAIN) + pointTerms(chosen);
      if (score + SCORE_WEIGHTS.closeness < best.threshold()) continue;

      const success = predictedSuccess(
        bktItemPrediction(index, itemId, parametersOf, masteryNow),
        calibrationOf(itemId).difficulty,
        student.ability,
      );
      const distance = (success - target.target) / CLOSENESS_WIDTH;
      score += SCORE_WEIGHTS.closeness * Math.exp(-distance * distance);
      best.offer(pointId, score, chosen.kind);
      scored.push({ itemId, pointId, candidate: chosen, predictedSuccess: success, expectedGain, score, taken: false });
    }
  }

  const picked = pickWithVariety(scored, options.count);
  return {
    items: picked.map((item) => ({
      itemId: item.itemId,
      knowledgePointId: item.pointId,
      kind: item.candidate.kind,
      predictedSuccess: item.predictedSuccess,
      expectedGain: item.expectedGain,
      readiness: item.candidate.readiness,
      score: item.score,
      explanation: explain(index, student, parametersOf, pointName, item, target),
    })),
    target,
  };
}

/**
 * Greedy by score, each further item of a point paying SCORE_WEIGHTS.variety and at most
 * ⌈count/2⌉ per point; equal scores go to the smaller item id. Reviews take at most ⌈count/2⌉
 * places while other items remain: a student back from a break has many points due at once and
 * would otherwise be offered nothing new. A scan per pick: count is small, and sorting thousands
 * of candidates would cost more.
 */
function pickWithVariety(scored: readonly ScoredItem[], count: number): ScoredItem[] {
  const cap = Math.ceil(count / 2);
  const perPoint = new Map<string, number>();
  const picked: ScoredItem[] = [];
  let reviews = 0;
  let limitReviews = true;
  while (picked.length < count) {
    let best: ScoredItem | undefined;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const item of scored) {
      if (item.taken || item.score < bestScore) continue;
      if (limitReviews && reviews >= cap && item.candidate.kind === "review") continue;
      const already = picked.length === 0 ? 0 : (perPoint.get(item.pointId) ?? 0);
      if (already >= cap) continue;
      const score = item.score - SCORE_WEIGHTS.variety * already;
      if (score > bestScore || (score === bestScore && best !== undefined && item.itemId < best.itemId)) {
        best = item;
        bestScore = score;
      }
    }
    if (!best) {
      if (!limitReviews) break;
      // Only reviews are left: they fill the remaining places.
      limitReviews = false;
      continue;
    }
    best.taken = true;
    picked.push(best);
    if (best.candidate.kind === "review") reviews++;
    perPoint.set(best.pointId, (perPoint.get(best.pointId) ?? 0) + 1);
  }
  return picked;
}

const percent = (p: number) => Math.round(p * 100);
const two = (p: number) => p.toFixed(2);

function ago(days: number): Explanation {
  if (days >= 1) {
    const n = Math.round(days);
    return { zh: `${n} 天前`, en: `${n} ${n === 1 ? "day" : "days"} ago` };
  }
  const hours = Math.max(1, Math.round(days * 24));
  return { zh: `${hours} 小时前`, en: `${hours} ${hours === 1 ? "hour" : "hours"} ago` };
}

function explain(
  index: KnowledgeGraphIndex,
  student: StudentSnapshot,
  parametersOf: ParametersOf,
  pointName: PointNameOf,
  item: ScoredItem,
  target: AdaptiveTarget,
): Explanation {
  const name = pointName(item.pointId);
  const success = { zh: `预计正确率 ${percent(item.predictedSuccess)}%`, en: `predicted success ${percent(item.predictedSuccess)} %` };
  const { candidate } = item;
  if (candidate.review) {
    const when = ago(candidate.review.days);
    const fell = two(candidate.review.mastery);
    return {
      zh: `${name.zh}——复习：上次练习在 ${when.zh}，预计掌握度降至 ${fell}；${success.zh}`,
      en: `${name.en} — review: last practised ${when.en}, predicted mastery fell to ${fell}; ${success.en}`,
    };
  }
  if (candidate.kind === "step-back" && candidate.failedPointId !== undefined) {
    const failed = pointName(candidate.failedPointId);
    const mastery = two(candidate.mastery);
    if (candidate.mastery >= MASTERED) {
      return {
        zh: `${name.zh}——回到先修：${failed.zh} 连续答错 ${target.streak} 题，本知识点虽已记为掌握（${mastery}），仍需复查；${success.zh}`,
        en: `${name.en} — step back: ${target.streak} wrong answers in a row on ${failed.en}, which builds on this point, marked mastered (${mastery}) but worth checking; ${success.en}`,
      };
    }
    return {
      zh: `${name.zh}——回到先修：${failed.zh} 连续答错 ${target.streak} 题，先巩固它的先修（掌握度 ${mastery}）；${success.zh}`,
      en: `${name.en} — step back: ${target.streak} wrong answers in a row on ${failed.en}, which builds on this point (mastery ${mastery}); ${success.en}`,
    };
  }
  const { prerequisites } = readinessOf(index, student, parametersOf, item.pointId);
  if (prerequisites.length === 0) {
    return { zh: `${name.zh}——起点：没有先修要求；${success.zh}`, en: `${name.en} — a starting point: no prerequisites; ${success.en}` };
  }
  const mastered = prerequisites.filter((p) => p.mastery >= MASTERED).map((p) => pointName(p.knowledgePointId));
  const partial = prerequisites
    .filter((p) => p.mastery < MASTERED)
    .map((p) => ({ name: pointName(p.knowledgePointId), mastery: two(p.mastery) }));
  const zh: string[] = [];
  const en: string[] = [];
  if (mastered.length > 0) {
    zh.push(`先修 ${mastered.map((n) => n.zh).join("、")} 已掌握`);
    en.push(`prerequisites ${mastered.map((n) => n.en).join(", ")} mastered`);
  }
  if (partial.length > 0) {
    zh.push(`${mastered.length > 0 ? "" : "先修 "}${partial.map((p) => `${p.name.zh} 掌握度 ${p.mastery}`).join("、")}`);
    en.push(`${mastered.length > 0 ? "" : "prerequisites "}${partial.map((p) => `${p.name.en} at ${p.mastery}`).join(", ")}`);
  }
  return {
    zh: `${name.zh}——已具备：${zh.join("，")}；${success.zh}`,
    en: `${name.en} — ready: ${en.join(", ")}; ${success.en}`,
  };
}
