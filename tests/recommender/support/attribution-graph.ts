/**
 * A small hand-built arithmetic graph for the recommender's attribution, weak-point, path and
 * resource tests, with students built from plain mastery figures. Prerequisite edges (strength):
 *
 *   count → add (0.9);  add → sub (0.8), mul (0.9), frac-add (0.6);  sub → frac (0.3);  mul → frac (0.7), ratio (0.6);
 *   frac → frac-add (0.9), decimal (0.5), percent (0.6), ratio (0.5);  decimal → percent (0.8);  iso stands alone.
 */
import type { BktParameters } from "../../../src/bkt/parameters.js";
import { DEFAULT_PARAMETERS } from "../../../src/bkt/parameters.js";
import { KnowledgeGraphIndex } from "../../../src/graph/knowledge-graph-index.js";
import type { GraphSnapshot } from "../../../src/graph/store.js";
import { coldStartCalibration } from "../../../src/recommender/difficulty.js";
import type {
  CalibrationOf,
  Explanation,
  ParametersOf,
  PointMastery,
  PointNameOf,
  RecentAttempt,
  StudentSnapshot,
} from "../../../src/recommender/model.js";

export const POINTS: Record<string, Explanation> = {
  count: { zh: "数数", en: "Counting" },
  add: { zh: "加法", en: "Addition" },
  sub: { zh: "减法", en: "Subtraction" },
  mul: { zh: "乘法", en: "Multiplication" },
  frac: { zh: "分数的意义", en: "Fractions" },
  "frac-add": { zh: "分数加法", en: "Adding fractions" },
  decimal: { zh: "小数", en: "Decimals" },
  percent: { zh: "百分数", en: "Percentages" },
  ratio: { zh: "比", en: "Ratio" },
  iso: { zh: "独立知识点", en: "Isolated point" },
};

export const EDGES: readonly [from: string, to: string, strength: number][] = [
  ["count", "add", 0.9],
  ["add", "sub", 0.8],
  ["add", "mul", 0.9],
  ["mul", "frac", 0.7],
  ["sub", "frac", 0.3],
  ["frac", "frac-add", 0.9],
  ["add", "frac-add", 0.6],
  ["frac", "decimal", 0.5],
  ["decimal", "percent", 0.8],
  ["frac", "percent", 0.6],
  ["mul", "ratio", 0.6],
  ["frac", "ratio", 0.5],
];

export const MISCONCEPTIONS: Record<string, { name: Explanation; points: string[] }> = {
  "m.add-denominators": { name: { zh: "分子分母分别相加", en: "adds numerators and denominators" }, points: ["frac-add"] },
  "m.larger-denominator": { name: { zh: "分母越大分数越大", en: "a larger denominator means a larger fraction" }, points: ["frac"] },
  "m.mul-bigger": { name: { zh: "乘法总使数变大", en: "multiplying always makes bigger" }, points: ["mul", "decimal"] },
};

/** id → [difficulty band, assessed points with weights, misconceptions its options reveal]. */
const ITEMS: Record<string, [number, Record<string, number>, string[]]> = {
  "i.count.1": [1, { count: 1 }, []],
  "i.count.2": [2, { count: 1 }, []],
  "i.add.1": [1, { add: 1 }, []],
  "i.add.2": [2, { add: 1 }, []],
  "i.add.3": [3, { add: 1 }, []],
  "i.add.4": [4, { add: 1 }, []],
  "i.sub.1": [2, { sub: 1 }, []],
  "i.sub.2": [3, { sub: 1 }, []],
  "i.mul.1": [2, { mul: 1 }, []],
  "i.mul.2": [3, { mul: 1 }, []],
  "i.mul.3": [4, { mul: 1 }, ["m.mul-bigger"]],
  "i.frac.1": [2, { frac: 1 }, []],
  "i.frac.2": [3, { frac: 1 }, ["m.larger-denominator"]],
  "i.frac.3": [4, { frac: 1 }, ["m.larger-denominator"]],
  "i.fadd.1": [2, { "frac-add": 1 }, []],
  "i.fadd.2": [3, { "frac-add": 1 }, ["m.add-denominators"]],
  "i.fadd.3": [4, { "frac-add": 1 }, ["m.add-denominators"]],
  "i.fadd.4": [5, { "frac-add": 1 }, []],
  "i.fadd.5": [3, { "frac-add": 1 }, ["m.add-denominators"]],
  "i.mix.1": [4, { "frac-add": 0.6, decimal: 0.4 }, ["m.add-denominators"]],
  "i.dec.1": [2, { decimal: 1 }, ["m.mul-bigger"]],
  "i.dec.2": [3, { decimal: 1 }, []],
  "i.pct.1": [3, { percent: 1 }, []],
  "i.ratio.1": [3, { ratio: 1 }, []],
  "i.iso.1": [2, { iso: 1 }, []],
  "i.iso.2": [3, { iso: 1 }, []],
};

/** id → points it is linked to. */
export const RESOURCES: Record<string, string[]> = {
  "r.count.video": ["count"],
  "r.add.video": ["add"],
  "r.add.sheet": ["add"],
  "r.sub.video": ["sub"],
  "r.mul.video": ["mul"],
  "r.frac.video": ["frac"],
  "r.frac-and-fadd.game": ["frac", "frac-add"],
  "r.fadd.video": ["frac-add"],
  "r.fadd.sheet": ["frac-add"],
  "r.fadd.quiz": ["frac-add"],
  "r.decimal.video": ["decimal"],
  "r.percent.video": ["percent"],
};

export function attributionSnapshot(): GraphSnapshot {
  return {
    units: [{ id: "u", subjectId: "s", grade: 3, order: 1, stageId: "st" }],
    knowledgePoints: Object.keys(POINTS).map((id, order) => ({ id, subjectId: "s", unitId: "u", grade: 3, difficultyBand: 3, order })),
    prerequisites: EDGES.map(([fromId, toId, strength]) => ({ fromId, toId, strength })),
    items: Object.entries(ITEMS).map(([id, [difficulty]]) => ({ id, difficulty, type: "single_choice" as const })),
    itemKnowledgePoints: Object.entries(ITEMS).flatMap(([itemId, [, points]]) =>
      Object.entries(points).map(([knowledgePointId, weight]) => ({ itemId, knowledgePointId, weight })),
    ),
    itemMisconceptions: Object.entries(ITEMS).flatMap(([itemId, [, , misconceptions]]) =>
      misconceptions.map((misconceptionId) => ({ itemId, misconceptionId })),
    ),
    misconceptionKnowledgePoints: Object.entries(MISCONCEPTIONS).flatMap(([misconceptionId, m]) =>
      m.points.map((knowledgePointId) => ({ misconceptionId, knowledgePointId })),
    ),
    resourceKnowledgePoints: Object.entries(RESOURCES).flatMap(([resourceId, points]) =>
      points.map((knowledgePointId) => ({ resourceId, knowledgePointId })),
    ),
  };
}

export const attributionIndex = (): KnowledgeGraphIndex => KnowledgeGraphIndex.build(attributionSnapshot());

export const pointName: PointNameOf = (id) => POINTS[id] ?? { zh: id, en: id };
export const misconceptionName = (id: string): Explanation => MISCONCEPTIONS[id]?.name ?? { zh: id, en: id };
export const calibrationOf =
  (index: KnowledgeGraphIndex): CalibrationOf =>
  (itemId) =>
    coldStartCalibration(index.itemDifficultyBand(itemId) ?? 3);

/** The default parameters everywhere, with per-point overrides. */
export function parametersWith(overrides: Record<string, Partial<BktParameters>> = {}): ParametersOf {
  return (pointId) => ({ ...DEFAULT_PARAMETERS, ...overrides[pointId] });
}

export interface StudentSpec {
  /** P(known) per practised point, or the full record. */
  mastery?: Record<string, number | Partial<PointMastery>>;
  recentAttempts?: RecentAttempt[];
  /** misconception → [chosen, exposed]. */
  misconceptions?: Record<string, [chosen: number, exposed: number]>;
  ability?: number;
}

export function student(spec: StudentSpec = {}): StudentSnapshot {
  const mastery = new Map<string, PointMastery>();
  for (const [id, value] of Object.entries(spec.mastery ?? {})) {
    const record = typeof value === "number" ? { probability: value } : value;
    mastery.set(id, { probability: 0.5, attempts: 6, correct: 3, lastPractisedAt: "2025-03-01T08:00:00.000Z", ...record });
  }
  return {
    mastery,
    recentAttempts: spec.recentAttempts ?? [],
    ability: spec.ability ?? 0,
    abilityAttempts: 20,
    misconceptionCounts: new Map(Object.entries(spec.misconceptions ?? {}).map(([id, [chosen, exposed]]) => [id, { chosen, exposed }])),
  };
}

/** A recent answer to an item, with the item's points at the given mastery before it. */
export function answered(itemId: string, correct: boolean, before: Record<string, number>, misconceptionIds: string[] = []): RecentAttempt {
  return {
    attemptId: `a-${itemId}-${correct}`,
    itemId,
    correct,
    answeredAt: "2025-03-01T08:00:00.000Z",
    misconceptionIds,
    mastery: Object.entries(before).map(([knowledgePointId, value]) => ({ knowledgePointId, before: value, after: value })),
  };
}
