/**
 * Hand-built curricula and students for the recommender tests: a few points with chosen
 * prerequisite strengths, items with chosen difficulty bands, and students whose mastery,
 * practice dates and recent answers are set by hand, so every expected answer can be worked out.
 */
import type { BktParameters } from "../../../src/bkt/parameters.js";
import { KnowledgeGraphIndex } from "../../../src/graph/knowledge-graph-index.js";
import { emptyGraphSnapshot } from "../../../src/graph/store.js";
import { coldStartCalibration } from "../../../src/recommender/difficulty.js";
import type {
  CalibrationOf,
  ItemCalibration,
  ParametersOf,
  PointMastery,
  PointNameOf,
  RecentAttempt,
  StudentSnapshot,
} from "../../../src/recommender/model.js";

export const NOW = new Date("2026-11-23T08:00:00Z");
const DAY_MS = 86_400_000;

export interface PointSpec {
  id: string;
  unitId?: string;
  subjectId?: string;
  /** Prerequisite id → edge strength. */
  prerequisites?: Record<string, number>;
  /** Items assessing this point alone: item id → difficulty band. Default: `<id>1` and `<id>2`, band 3. */
  items?: Record<string, number>;
}

export interface ItemSpec {
  id: string;
  /** Point id → Q-matrix weight. */
  points: Record<string, number>;
  band?: number;
}

/** An index over the given points (subject "math", unit "u1" unless set) and items. */
export function buildIndex(points: readonly PointSpec[], items: readonly ItemSpec[] = []): KnowledgeGraphIndex {
  const snapshot = emptyGraphSnapshot();
  const units = new Set<string>();
  points.forEach((point, order) => {
    const unitId = point.unitId ?? "u1";
    const subjectId = point.subjectId ?? "math";
    if (!units.has(unitId)) {
      units.add(unitId);
      snapshot.units.push({ id: unitId, subjectId, grade: 1, order: units.size, stageId: "stage" });
    }
    snapshot.knowledgePoints.push({ id: point.id, subjectId, unitId, grade: 1, difficultyBand: 3, order });
    for (const [fromId, strength] of Object.entries(point.prerequisites ?? {})) {
      snapshot.prerequisites.push({ fromId, toId: point.id, strength });
    }
    for (const [itemId, band] of Object.entries(point.items ?? { [`${point.id}1`]: 3, [`${point.id}2`]: 3 })) {
      snapshot.items.push({ id: itemId, difficulty: band, type: "single_choice" });
      snapshot.itemKnowledgePoints.push({ itemId, knowledgePointId: point.id, weight: 1 });
    }
  });
  for (const item of items) {
    snapshot.items.push({ id: item.id, difficulty: item.band ?? 3, type: "single_choice" });
    for (const [knowledgePointId, weight] of Object.entries(item.points)) {
      snapshot.itemKnowledgePoints.push({ itemId: item.id, knowledgePointId, weight });
    }
  }
  return KnowledgeGraphIndex.build(snapshot);
}

export const BASE_PARAMETERS: BktParameters = { prior: 0.2, learn: 0.15, forget: 0, slip: 0.1, guess: 0.2 };

/** The same parameters for every point, except where overridden. */
export function parametersFor(overrides: Record<string, Partial<BktParameters>> = {}): ParametersOf {
  return (knowledgePointId) => ({ ...BASE_PARAMETERS, ...overrides[knowledgePointId] });
}

/** Cold-start calibrations from the difficulty band, except the items given a difficulty here. */
export function calibrationsFor(index: KnowledgeGraphIndex, difficulties: Record<string, number> = {}): CalibrationOf {
  return (itemId): ItemCalibration => {
    const difficulty = difficulties[itemId];
    return difficulty === undefined ? coldStartCalibration(index.itemDifficultyBand(itemId) ?? 3) : { difficulty, attempts: 50 };
  };
}

/** Point names are their ids in capitals, in both languages. */
export const pointNames: PointNameOf = (id) => ({ zh: id.toUpperCase(), en: id.toUpperCase() });

export interface MasterySpec {
  probability: number;
  correct?: number;
  /** Days before NOW of the last practice (default 0). */
  daysAgo?: number;
}

export function practised(spec: number | MasterySpec): PointMastery {
  const { probability, correct = 3, daysAgo = 0 } = typeof spec === "number" ? { probability: spec } : spec;
  return {
    probability,
    attempts: Math.max(correct, 4),
    correct,
    lastPractisedAt: new Date(NOW.getTime() - daysAgo * DAY_MS).toISOString(),
  };
}

export function studentWith(
  mastery: Record<string, number | MasterySpec>,
  recentAttempts: readonly RecentAttempt[] = [],
  ability = 0,
): StudentSnapshot {
  return {
    mastery: new Map(Object.entries(mastery).map(([id, spec]) => [id, practised(spec)])),
    recentAttempts,
    ability,
    abilityAttempts: 20,
    misconceptionCounts: new Map(),
  };
}

/** One recent answer; build lists newest first. */
export function answer(itemId: string, pointId: string, correct: boolean, responseTimeMs?: number): RecentAttempt {
  return {
    attemptId: `${itemId}-${correct ? "right" : "wrong"}-${responseTimeMs ?? "untimed"}`,
    itemId,
    correct,
    answeredAt: NOW.toISOString(),
    ...(responseTimeMs === undefined ? {} : { responseTimeMs }),
    misconceptionIds: [],
    mastery: [{ knowledgePointId: pointId, before: 0.5, after: 0.5 }],
  };
}
