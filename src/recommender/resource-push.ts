/**
 * 精准推送: teaching resources for the points a student (or a class) needs now.
 *
 * The caller says which points are needed and how much (`PointNeed`: a score on any scale and a
 * reason — frontier, weak, review — from the functions that found them); `classNeeds` derives such
 * needs for a class from its mastery matrix. `pushResources` then ranks the resources linked to
 * those points: by the highest need among the points a resource serves, then by how many needed
 * points it serves, then by id. A resource linked to several needed points appears once, listing
 * all of them; a point contributes at most `perPoint` resources, so one urgent point does not
 * crowd out the rest; resources the student already has can be excluded.
 */
import type { KnowledgeGraphIndex } from "../graph/knowledge-graph-index.js";
import { type Explanation, MASTERED, type PointNameOf } from "./model.js";
import { dependentWeight } from "./weak-points.js";

export type NeedReason = "frontier" | "weak" | "review" | "class-gap";

export interface PointNeed {
  knowledgePointId: string;
  /** Larger is more urgent; any scale, compared only with the other needs of one call. */
  need: number;
  reason: NeedReason;
  /** The caller's account of the need, added to the explanation of resources pushed for it. */
  detail?: Explanation;
}

export interface ResourcePushOptions {
  /** Resources returned. Default 10. */
  limit?: number;
  /** Resources pushed on account of one point. Default 2. */
  perPoint?: number;
  /** Resources not to push (already pushed or opened). */
  excludeResourceIds?: Iterable<string>;
}

export interface NeedCovered {
  knowledgePointId: string;
  need: number;
  reasons: NeedReason[];
}

export interface PushedResource {
  resourceId: string;
  /** The highest need among the points it serves: the ranking key. */
  need: number;
  /** The needed points it is linked to, most needed first. */
  covers: NeedCovered[];
  explanation: Explanation;
}

const REASON_LABEL: Record<NeedReason, Explanation> = {
  frontier: { zh: "可以开始学习", en: "ready to learn" },
  weak: { zh: "薄弱知识点", en: "weak point" },
  review: { zh: "需要复习", en: "due for review" },
  "class-gap": { zh: "全班薄弱", en: "class gap" },
};

export function pushResources(
  index: KnowledgeGraphIndex,
  needs: readonly PointNeed[],
  pointName: PointNameOf,
  options: ResourcePushOptions = {},
): PushedResource[] {
  // The same point may be needed for several reasons: keep its highest need and every reason.
  const byPoint = new Map<string, NeedCovered & { details: Explanation[] }>();
  for (const need of needs) {
    if (!index.hasPoint(need.knowledgePointId)) continue;
    const entry = byPoint.get(need.knowledgePointId);
    if (!entry) {
      byPoint.set(need.knowledgePointId, { ...need, reasons: [need.reason], details: need.detail ? [need.detail] : [] });
      continue;
    }
    entry.need = Math.max(entry.need, need.need);
    if (!entry.reasons.includes(need.reason)) entry.reasons.push(need.reason);
    if (need.detail) entry.details.push(need.detail);
  }
  const points = [...byPoint.values()].sort((a, b) => b.need - a.need || cmp(a.knowledgePointId, b.knowledgePointId));

  const excluded = new Set(options.excludeResourceIds ?? []);
  const covers = new Map<string, (NeedCovered & { details: Explanation[] })[]>();
  for (const point of points) {
    for (const resourceId of index.resourcesOf(point.knowledgePointId)) {
      if (excluded.has(resourceId)) continue;
      const list = covers.get(resourceId);
      if (list) list.push(point);
      else covers.set(resourceId, [point]);
    }
  }
  // Each list is in need order (points were visited that way), so its head is the resource's main point.
  const ranked = [...covers.entries()].sort(
    ([a, ca], [b, cb]) => (cb[0]?.need ?? 0) - (ca[0]?.need ?? 0) || cb.length - ca.length || cmp(a, b),
  );

  const perPoint = options.perPoint ?? 2;
  const limit = options.limit ?? 10;
  const pushedFor = new Map<string, number>();
  const pushed: PushedResource[] = [];
  for (const [resourceId, served] of ranked) {
    if (pushed.length >= limit) break;
    const main = served[0];
    if (!main) continue;
    const count = pushedFor.get(main.knowledgePointId) ?? 0;
    if (count >= perPoint) continue;
    pushedFor.set(main.knowledgePointId, count + 1);
    pushed.push({
      resourceId,
      need: main.need,
      covers: served.map(({ knowledgePointId, need, reasons }) => ({ knowledgePointId, need, reasons: [...reasons] })),
      explanation: pushExplanation(served, pointName),
    });
  }
  return pushed;
}

function pushExplanation(served: readonly (NeedCovered & { details: Explanation[] })[], pointName: PointNameOf): Explanation {
  const describe = (point: NeedCovered) => {
    const name = pointName(point.knowledgePointId);
    const zhReasons = point.reasons.map((r) => REASON_LABEL[r].zh).join("、");
    const enReasons = point.reasons.map((r) => REASON_LABEL[r].en).join(", ");
    return {
      zh: `“${name.zh}”（${zhReasons}，需求 ${point.need.toFixed(2)}）`,
      en: `"${name.en}" (${enReasons}, need ${point.need.toFixed(2)})`,
    };
  };
  const [main, ...others] = served.map(describe);
  const zh = [`针对${main?.zh ?? ""}`];
  const en = [`for ${main?.en ?? ""}`];
  if (others.length > 0) {
    zh.push(`也涉及${others.map((o) => o.zh).join("、")}`);
    en.push(`also covers ${others.map((o) => o.en).join(", ")}`);
  }
  for (const detail of served[0]?.details ?? []) {
    zh.push(detail.zh);
    en.push(detail.en);
  }
  return { zh: zh.join("；"), en: en.join("; ") };
}

/** A class's mastery: one cell per (student, point) practised; a missing cell is a point not started. */
export interface ClassMastery {
  studentIds: readonly string[];
  knowledgePointIds: readonly string[];
  cells: readonly { studentId: string; knowledgePointId: string; probability: number }[];
}

export interface ClassNeedOptions {
  /** Points where fewer students than this share are below mastery are not needs. Default 0.2. */
  minShare?: number;
}

export interface ClassNeed extends PointNeed {
  reason: "class-gap";
  studentCount: number;
  /** Students below MASTERED, including those who have not started the point. */
  belowMastery: number;
  notStarted: number;
  /** belowMastery / studentCount. */
  share: number;
  dependentCount: number;
}

/**
 * The points a class needs: per point, the share of enrolled students below mastery (not started
 * counts as below), weighted by how much of the graph depends on the point:
 * need = share × (1 + ln(1 + strength-weighted dependents)). The logarithm keeps a hub point from
 * outranking a point the whole class has not mastered on its dependents alone. Most needed first.
 */
export function classNeeds(index: KnowledgeGraphIndex, matrix: ClassMastery, options: ClassNeedOptions = {}): ClassNeed[] {
  const students = new Set(matrix.studentIds);
  if (students.size === 0) return [];
  const minShare = options.minShare ?? 0.2;
  const practised = new Map<string, { mastered: number; learning: number }>();
  for (const cell of matrix.cells) {
    if (!students.has(cell.studentId)) continue;
    let counts = practised.get(cell.knowledgePointId);
    if (!counts) {
      counts = { mastered: 0, learning: 0 };
      practised.set(cell.knowledgePointId, counts);
    }
    if (cell.probability >= MASTERED) counts.mastered++;
    else counts.learning++;
  }
  const needs: ClassNeed[] = [];
  for (const pointId of new Set(matrix.knowledgePointIds)) {
    if (!index.hasPoint(pointId)) continue;
    const counts = practised.get(pointId) ?? { mastered: 0, learning: 0 };
    const notStarted = students.size - counts.mastered - counts.learning;
    const belowMastery = students.size - counts.mastered;
    const share = belowMastery / students.size;
    if (share <= 0 || share < minShare) continue;
    const { dependentCount, weightedDependents } = dependentWeight(index, pointId);
    needs.push({
      knowledgePointId: pointId,
      need: share * (1 + Math.log1p(weightedDependents)),
      reason: "class-gap",
      studentCount: students.size,
      belowMastery,
      notStarted,
      share,
      dependentCount,
      detail: {
        zh: `全班 ${students.size} 人中 ${belowMastery} 人未掌握（${notStarted} 人未开始）；${dependentCount} 个知识点依赖它`,
        en: `${belowMastery} of ${students.size} students below mastery (${notStarted} not started); ${dependentCount} points depend on it`,
      },
    });
  }
  return needs.sort((a, b) => b.need - a.need || cmp(a.knowledgePointId, b.knowledgePointId));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
