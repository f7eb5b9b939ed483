/**
 * The deterministic, graph-grounded layer of a lesson plan: everything a plan decides — targets
 * and their standard codes, the class's aggregated mastery, tiers, and per tier the prerequisite
 * review, worked examples, practice, misconceptions, exit ticket and homework, and the timing.
 * The narrative layer (src/llm/) only writes prose into this; it cannot change a choice made here.
 *
 * Items are chosen with the recommender's prediction (src/recommender/prediction.ts) for a
 * "typical student" of each tier — the tier's mean mastery per point and the item's calibrated
 * difficulty — aiming at a success rate that is higher for the tier needing support and lower
 * for the extension tier.
 */
import type { Item, KnowledgePoint } from "../../curriculum/model.js";
import type { KnowledgeGraphIndex } from "../../graph/knowledge-graph-index.js";
import { predictedSuccess } from "../../recommender/difficulty.js";
import { type CalibrationOf, MASTERED, type ParametersOf } from "../../recommender/model.js";
import { bktItemPrediction } from "../../recommender/prediction.js";
import { assignTiers, tierLabel } from "./tiers.js";

/** How a group of students stands on one point. */
export interface PointStanding {
  knowledgePointId: string;
  meanMastery: number;
  /** Share of the students at or above the mastery threshold. */
  masteredShare: number;
  /** Share of the students with no answer on the point yet. */
  notStartedShare: number;
}

export interface ChosenItem {
  itemId: string;
  knowledgePointId: string;
  /** P(correct) for the tier's typical student. */
  predictedSuccess: number;
}

export interface MisconceptionFrequency {
  misconceptionId: string;
  /** Students who showed it on these points (class attempts), or 0 when taken from the curriculum. */
  students: number;
  occurrences: number;
  source: "class-answers" | "curriculum";
}

export interface SkeletonTier {
  id: string;
  rank: number;
  label: { zh: string; en: string };
  criteria: { zh: string; en: string };
  size: number;
  /** The roster: staff-only (the GraphQL type enforces it); never part of a prompt or an export. */
  studentIds: string[];
  scoreRange: [number, number];
  targetSuccess: number;
  standing: PointStanding[];
  prerequisiteReview: string[];
  workedExamples: ChosenItem[];
  practice: ChosenItem[];
  misconceptions: MisconceptionFrequency[];
  exitTicket: ChosenItem[];
  homework: (ChosenItem & { purpose: "review" | "practice" | "stretch" })[];
}

export type SegmentKind = "opening" | "prerequisite-review" | "instruction" | "tiered-practice" | "exit-ticket" | "closing";

export interface LessonSkeleton {
  classId: string;
  subjectId: string;
  grade?: number;
  durationMinutes: number;
  targets: { knowledgePointId: string; standardCode: string; standing: PointStanding }[];
  prerequisites: { knowledgePointId: string; standardCode: string; forTargets: string[]; strength: number; standing: PointStanding }[];
  students: number;
  /** Students with at least one answer on the targets or prerequisites. */
  studentsWithAnswers: number;
  tiers: SkeletonTier[];
  misconceptions: MisconceptionFrequency[];
  resourceIds: string[];
  timing: { segment: SegmentKind; minutes: number }[];
}

export interface SkeletonInputs {
  index: KnowledgeGraphIndex;
  parametersOf: ParametersOf;
  calibrationOf: CalibrationOf;
  classId: string;
  grade?: number;
  durationMinutes: number;
  tierCount: number;
  /** The class's target success rate (the middle tier aims at it). */
  baseTarget: number;
  /** In teaching order. */
  targets: KnowledgePoint[];
  prerequisites: { point: KnowledgePoint; strength: number; forTargets: string[] }[];
  studentIds: string[];
  /** studentId → pointId → P(known); a missing entry has not been started. */
  mastery: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Misconceptions the students' answers on these points indicated. */
  misconceptionEvents: readonly { studentId: string; misconceptionId: string }[];
  /** Candidate items by id (items of the targets, prerequisites and their dependents). */
  items: ReadonlyMap<string, Item>;
}

/** Prerequisites reviewed by a tier whose mean mastery of them is below this. */
const REVIEW_BELOW = 0.8;
/** Most targets, prerequisites and misconceptions a plan works with at once. */
export const MAX_TARGETS = 8;
const MISCONCEPTIONS_PER_TIER = 3;

export function buildSkeleton(inputs: SkeletonInputs): LessonSkeleton {
  const { index, parametersOf, targets, prerequisites, studentIds } = inputs;
  const targetIds = targets.map((t) => t.id);
  const prerequisiteIds = prerequisites.map((p) => p.point.id);
  const pointIds = [...targetIds, ...prerequisiteIds];
  const probability = (studentId: string, pointId: string) => inputs.mastery.get(studentId)?.get(pointId) ?? parametersOf(pointId).prior;

  // Readiness score: targets count double, prerequisites once (what the lesson builds on).
  const scores = studentIds.map((studentId) => {
    let sum = 0;
    let weight = 0;
    for (const id of targetIds) {
      sum += 2 * probability(studentId, id);
      weight += 2;
    }
    for (const id of prerequisiteIds) {
      sum += probability(studentId, id);
      weight += 1;
    }
    return { studentId, score: weight > 0 ? sum / weight : 0 };
  });
  const tiers = assignTiers(scores, inputs.tierCount);
  const used = new Set<string>();

  const skeletonTiers = tiers.map((tier): SkeletonTier => {
    const label = tierLabel(tier.rank, tiers.length);
    const targetSuccess = tierTarget(inputs.baseTarget, tier.rank, tiers.length);
    const standing = pointIds.map((id) => standingOf(id, tier.studentIds, inputs.mastery, parametersOf));
    const meanById = new Map(standing.map((s) => [s.knowledgePointId, s.meanMastery]));
    const meanOf = (id: string) => meanById.get(id) ?? 0;
    const predict = (itemId: string) =>
      predictedSuccess(
        bktItemPrediction(index, itemId, parametersOf, (id) => meanById.get(id) ?? parametersOf(id).prior),
        inputs.calibrationOf(itemId).difficulty,
        0,
      );
    const chooser = new ItemChooser(index, inputs.items, predict, used);

    const prerequisiteReview = prerequisiteIds.filter((id) => meanOf(id) < REVIEW_BELOW);
    const workedExamples = targetIds.slice(0, 3).flatMap((id) => chooser.take(id, 1, { aim: 0.9, needsExplanation: true }));
    const practice = targetIds.flatMap((id) => chooser.take(id, 2, { aim: targetSuccess }));
    const exitTicket = targetIds.slice(0, 3).flatMap((id) => chooser.take(id, 1, { aim: targetSuccess }));
    const homework = [
      ...prerequisiteReview
        .slice(0, 2)
        .flatMap((id) => chooser.take(id, 1, { aim: 0.85 }).map((c) => ({ ...c, purpose: "review" as const }))),
      ...targetIds.flatMap((id) => chooser.take(id, 1, { aim: targetSuccess }).map((c) => ({ ...c, purpose: "practice" as const }))),
      ...(tier.rank === tiers.length && tiers.length > 1
        ? targetIds.slice(0, 2).flatMap((id) => chooser.take(id, 1, { aim: 0.5 }).map((c) => ({ ...c, purpose: "stretch" as const })))
        : []),
    ];
    const members = new Set(tier.studentIds);
    return {
      id: `T${tier.rank}`,
      rank: tier.rank,
      label,
      criteria: {
        zh: `目标与先修知识点的平均掌握度 ${tier.minScore.toFixed(2)}–${tier.maxScore.toFixed(2)}`,
        en: `mean mastery of the targets and prerequisites ${tier.minScore.toFixed(2)}–${tier.maxScore.toFixed(2)}`,
      },
      size: tier.studentIds.length,
      studentIds: tier.studentIds,
      scoreRange: [tier.minScore, tier.maxScore],
      targetSuccess,
      standing,
      prerequisiteReview,
      workedExamples,
      practice,
      misconceptions: frequencies(
        inputs.misconceptionEvents.filter((e) => members.has(e.studentId)),
        index,
        targetIds,
      ).slice(0, MISCONCEPTIONS_PER_TIER),
      exitTicket,
      homework,
    };
  });

  const everyone = studentIds;
  const answered = new Set<string>();
  for (const studentId of everyone) {
    if (pointIds.some((id) => inputs.mastery.get(studentId)?.has(id))) answered.add(studentId);
  }
  const resourceIds = [...new Set(pointIds.flatMap((id) => index.resourcesOf(id)))];
  const needsReview = skeletonTiers.some((t) => t.prerequisiteReview.length > 0);
  return {
    classId: inputs.classId,
    subjectId: targets[0]?.subjectId ?? "",
    ...(inputs.grade !== undefined ? { grade: inputs.grade } : {}),
    durationMinutes: inputs.durationMinutes,
    targets: targets.map((t) => ({
      knowledgePointId: t.id,
      standardCode: t.standardCode,
      standing: standingOf(t.id, everyone, inputs.mastery, parametersOf),
    })),
    prerequisites: prerequisites.map((p) => ({
      knowledgePointId: p.point.id,
      standardCode: p.point.standardCode,
      forTargets: p.forTargets,
      strength: p.strength,
      standing: standingOf(p.point.id, everyone, inputs.mastery, parametersOf),
    })),
    students: everyone.length,
    studentsWithAnswers: answered.size,
    tiers: skeletonTiers,
    misconceptions: frequencies(inputs.misconceptionEvents, index, targetIds),
    resourceIds,
    timing: lessonTiming(inputs.durationMinutes, needsReview),
  };
}

/** The middle tier aims at the class target; lower tiers higher (more success), upper tiers lower. */
export function tierTarget(base: number, rank: number, count: number): number {
  if (count === 1) return base;
  const step = 0.1 * ((count + 1) / 2 - rank);
  return Math.round(Math.min(0.9, Math.max(0.5, base + step)) * 100) / 100;
}

function standingOf(
  pointId: string,
  studentIds: readonly string[],
  mastery: ReadonlyMap<string, ReadonlyMap<string, number>>,
  parametersOf: ParametersOf,
): PointStanding {
  let sum = 0;
  let mastered = 0;
  let notStarted = 0;
  for (const studentId of studentIds) {
    const p = mastery.get(studentId)?.get(pointId);
    if (p === undefined) notStarted++;
    const value = p ?? parametersOf(pointId).prior;
    sum += value;
    if (value >= MASTERED) mastered++;
  }
  const n = Math.max(1, studentIds.length);
  return { knowledgePointId: pointId, meanMastery: sum / n, masteredShare: mastered / n, notStartedShare: notStarted / n };
}

/** Misconceptions by how many students showed them; the curriculum's own list when nobody did. */
function frequencies(
  events: readonly { studentId: string; misconceptionId: string }[],
  index: KnowledgeGraphIndex,
  targetIds: readonly string[],
): MisconceptionFrequency[] {
  const byId = new Map<string, { students: Set<string>; occurrences: number }>();
  for (const event of events) {
    const entry = byId.get(event.misconceptionId) ?? { students: new Set<string>(), occurrences: 0 };
    entry.students.add(event.studentId);
    entry.occurrences++;
    byId.set(event.misconceptionId, entry);
  }
  if (byId.size > 0) {
    return [...byId.entries()]
      .map(([misconceptionId, e]) => ({
        misconceptionId,
        students: e.students.size,
        occurrences: e.occurrences,
        source: "class-answers" as const,
      }))
      .sort((a, b) => b.students - a.students || b.occurrences - a.occurrences || a.misconceptionId.localeCompare(b.misconceptionId));
  }
  return [...new Set(targetIds.flatMap((id) => index.misconceptionsOf(id)))].map((misconceptionId) => ({
    misconceptionId,
    students: 0,
    occurrences: 0,
    source: "curriculum" as const,
  }));
}

/** Picks items of a point nearest an aimed success rate, never the same item twice in a plan tier. */
class ItemChooser {
  private readonly takenInTier = new Set<string>();

  constructor(
    private readonly index: KnowledgeGraphIndex,
    private readonly items: ReadonlyMap<string, Item>,
    private readonly predict: (itemId: string) => number,
    /** Items used by earlier tiers: preferred against, so tiers get different items when there are enough. */
    private readonly usedInPlan: Set<string>,
  ) {}

  take(pointId: string, count: number, options: { aim: number; needsExplanation?: boolean }): ChosenItem[] {
    const candidates = this.index
      .itemsOf(pointId)
      .filter((link) => !this.takenInTier.has(link.id) && this.items.has(link.id))
      .filter((link) => !options.needsExplanation || this.items.get(link.id)?.explanation !== undefined)
      .map((link) => ({ itemId: link.id, knowledgePointId: pointId, predictedSuccess: this.predict(link.id) }))
      .sort(
        (a, b) =>
          Number(this.usedInPlan.has(a.itemId)) - Number(this.usedInPlan.has(b.itemId)) ||
          Math.abs(a.predictedSuccess - options.aim) - Math.abs(b.predictedSuccess - options.aim) ||
          a.itemId.localeCompare(b.itemId),
      )
      .slice(0, count);
    for (const chosen of candidates) {
      this.takenInTier.add(chosen.itemId);
      this.usedInPlan.add(chosen.itemId);
    }
    return candidates;
  }
}

/** Minutes per segment, summing to the lesson's duration. */
export function lessonTiming(durationMinutes: number, withReview: boolean): { segment: SegmentKind; minutes: number }[] {
  const shares: [SegmentKind, number][] = [
    ["opening", 0.1],
    ...(withReview ? [["prerequisite-review", 0.15] as [SegmentKind, number]] : []),
    ["instruction", withReview ? 0.25 : 0.3],
    ["tiered-practice", withReview ? 0.3 : 0.4],
    ["exit-ticket", 0.1],
    ["closing", 0.1],
  ];
  const timing = shares.map(([segment, share]) => ({ segment, minutes: Math.max(1, Math.floor(durationMinutes * share)) }));
  const rest = durationMinutes - timing.reduce((sum, s) => sum + s.minutes, 0);
  const practice = timing.find((s) => s.segment === "tiered-practice");
  if (practice) practice.minutes += rest;
  return timing;
}
