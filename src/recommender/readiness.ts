/**
 * The frontier: the points a student is ready to learn next.
 *
 * Readiness of a point is a soft AND over its direct prerequisites q:
 *
 *   readiness(p) = Π_q (1 − strength(q→p) · (1 − P(known q)))
 *
 * An edge of strength 1 to a prerequisite the student does not know closes the point; an edge of
 * strength 0.2 to the same prerequisite costs at most 20 %. A point without prerequisites has
 * readiness 1. A point is on the frontier when it is not mastered (P < MASTERED) and its readiness
 * reaches the threshold (default 0.8: one strong edge opens once its prerequisite is about 80 %
 * known, long before it is mastered, so the student need not over-practise the basics first).
 */
import type { KnowledgeGraphIndex } from "../graph/knowledge-graph-index.js";
import { MASTERED, type ParametersOf, type StudentSnapshot } from "./model.js";
import { masteryProbability } from "./prediction.js";

export const READINESS_THRESHOLD = 0.8;

/** Where to look for points; every criterion given must hold (none: the whole graph). */
export interface RecommendationScope {
  knowledgePointIds?: readonly string[];
  unitId?: string;
  subjectId?: string;
}

export interface PrerequisiteReadiness {
  knowledgePointId: string;
  strength: number;
  /** P(known) of the prerequisite (its prior when never practised). */
  mastery: number;
}

export interface Readiness {
  readiness: number;
  /** The direct prerequisites behind the figure, for explanations. */
  prerequisites: PrerequisiteReadiness[];
}

/** Readiness of a point, with each direct prerequisite's mastery and edge strength. */
export function readinessOf(index: KnowledgeGraphIndex, student: StudentSnapshot, parametersOf: ParametersOf, pointId: string): Readiness {
  let readiness = 1;
  const prerequisites: PrerequisiteReadiness[] = [];
  for (const link of index.prerequisitesOf(pointId)) {
    const mastery = masteryProbability(student, link.id, parametersOf);
    readiness *= 1 - link.weight * (1 - mastery);
    prerequisites.push({ knowledgePointId: link.id, strength: link.weight, mastery });
  }
  return { readiness, prerequisites };
}

/** The readiness figure alone, without the per-prerequisite list (the recommender's inner loop). */
export function readinessScore(index: KnowledgeGraphIndex, student: StudentSnapshot, parametersOf: ParametersOf, pointId: string): number {
  let readiness = 1;
  for (const link of index.prerequisitesOf(pointId)) {
    readiness *= 1 - link.weight * (1 - masteryProbability(student, link.id, parametersOf));
  }
  return readiness;
}

/**
 * The prerequisite structure numbered by teaching order (a point's number is its topological
 * rank), in flat arrays: the frontier scans thousands of points per request, and reading
 * `prerequisitesOf` would allocate a list per point. Built once per index through its public
 * methods; an index is immutable (a new one is built after every import), so this cannot go
 * stale. It also holds the per-request mastery of each point, computed at most once per scan.
 */
class PrerequisiteTable {
  readonly ids: string[];
  readonly offsets: Int32Array;
  readonly sources: Int32Array;
  readonly strengths: Float64Array;
  private readonly subjects = new Map<string, Int32Array>();
  private everyPoint: Int32Array | undefined;
  private readonly mastery: Float64Array;
  private readonly stamps: Uint32Array;
  private stamp = 0;
  private prefilled = false;

  constructor(private readonly index: KnowledgeGraphIndex) {
    this.ids = index.topologicalOrder();
    const n = this.ids.length;
    const links = this.ids.map((id) => index.prerequisitesOf(id));
    this.offsets = new Int32Array(n + 1);
    links.forEach((list, p) => {
      this.offsets[p + 1] = (this.offsets[p] as number) + list.length;
    });
    this.sources = new Int32Array(this.offsets[n] as number);
    this.strengths = new Float64Array(this.offsets[n] as number);
    links.forEach((list, p) => {
      let e = this.offsets[p] as number;
      for (const link of list) {
        this.sources[e] = index.topologicalRank(link.id);
        this.strengths[e++] = link.weight;
      }
    });
    this.mastery = new Float64Array(n);
    this.stamps = new Uint32Array(n);
  }

  /** Every point's number, in teaching order. */
  get allPoints(): Int32Array {
    this.everyPoint ??= Int32Array.from(this.ids, (_, p) => p);
    return this.everyPoint;
  }

  /** Numbers of the points of a subject, in teaching order. */
  subjectPoints(subjectId: string): Int32Array {
    let points = this.subjects.get(subjectId);
    if (!points) {
      const found: number[] = [];
      this.ids.forEach((id, p) => {
        if (this.index.point(id)?.subjectId === subjectId) found.push(p);
      });
      points = Int32Array.from(found);
      this.subjects.set(subjectId, points);
    }
    return points;
  }

  /**
   * Starts a scan: masteries computed by an earlier one are forgotten. A scan that will read more
   * points than the student has practised takes their masteries in one pass over the snapshot, so
   * every other point is known to be unpractised and needs only its prior.
   */
  beginScan(student: StudentSnapshot, points: number): void {
    if (++this.stamp === 0xffffffff) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
    this.prefilled = points > student.mastery.size;
    if (!this.prefilled) return;
    for (const [id, record] of student.mastery) {
      const p = this.index.topologicalRank(id);
      if (p < 0) continue;
      this.mastery[p] = record.probability;
      this.stamps[p] = this.stamp;
    }
  }

  masteryOf(p: number, student: StudentSnapshot, parametersOf: ParametersOf): number {
    if (this.stamps[p] === this.stamp) return this.mastery[p] as number;
    const id = this.ids[p] as string;
    const mastery = this.prefilled ? parametersOf(id).prior : masteryProbability(student, id, parametersOf);
    this.mastery[p] = mastery;
    this.stamps[p] = this.stamp;
    return mastery;
  }

  readiness(p: number, student: StudentSnapshot, parametersOf: ParametersOf): number {
    let readiness = 1;
    for (let e = this.offsets[p] as number; e < (this.offsets[p + 1] as number); e++) {
      readiness *= 1 - (this.strengths[e] as number) * (1 - this.masteryOf(this.sources[e] as number, student, parametersOf));
    }
    return readiness;
  }
}

const tables = new WeakMap<KnowledgeGraphIndex, PrerequisiteTable>();

function tableOf(index: KnowledgeGraphIndex): PrerequisiteTable {
  let table = tables.get(index);
  if (!table) {
    table = new PrerequisiteTable(index);
    tables.set(index, table);
  }
  return table;
}

/** The points of a scope as table numbers: the narrowest criterion lists them, the others filter. */
function scopeNumbers(index: KnowledgeGraphIndex, table: PrerequisiteTable, scope: RecommendationScope): ArrayLike<number> {
  const { knowledgePointIds, unitId, subjectId } = scope;
  if (knowledgePointIds || unitId !== undefined) {
    const accept = scopeFilter(index, scope);
    const listed = new Set(knowledgePointIds ?? index.pointsOfUnit(unitId as string));
    const numbers: number[] = [];
    for (const id of listed) if (accept(id)) numbers.push(index.topologicalRank(id));
    return numbers;
  }
  return subjectId === undefined ? table.allPoints : table.subjectPoints(subjectId);
}

/** Whether a point lies in a scope (every criterion given must hold). */
export function scopeFilter(index: KnowledgeGraphIndex, scope: RecommendationScope = {}): (pointId: string) => boolean {
  const { knowledgePointIds, unitId, subjectId } = scope;
  if (!knowledgePointIds && unitId === undefined && subjectId === undefined) return (pointId) => index.hasPoint(pointId);
  const listed = knowledgePointIds ? new Set(knowledgePointIds) : undefined;
  return (pointId) => {
    if (listed && !listed.has(pointId)) return false;
    const point = index.point(pointId);
    return (
      point !== undefined && (unitId === undefined || point.unitId === unitId) && (subjectId === undefined || point.subjectId === subjectId)
    );
  };
}

export interface FrontierOptions {
  scope?: RecommendationScope;
  /** Readiness a point needs to be on the frontier. Default READINESS_THRESHOLD. */
  threshold?: number;
}

export interface FrontierPoint {
  knowledgePointId: string;
  /** P(known) now (the prior when never practised). */
  mastery: number;
  readiness: number;
}

/**
 * Visits the unmastered points of the scope whose readiness reaches the threshold, in the scope's
 * order (teaching order for a subject or the whole graph), with each point's teaching-order rank.
 * Each point's mastery is looked up once per call, readiness is computed only for unmastered
 * points, and nothing is allocated per point.
 */
export function visitFrontier(
  index: KnowledgeGraphIndex,
  student: StudentSnapshot,
  parametersOf: ParametersOf,
  options: FrontierOptions,
  visit: (pointId: string, rank: number, mastery: number, readiness: number) => void,
): void {
  const threshold = options.threshold ?? READINESS_THRESHOLD;
  const table = tableOf(index);
  const points = scopeNumbers(index, table, options.scope ?? {});
  table.beginScan(student, points.length);
  for (let k = 0; k < points.length; k++) {
    const p = points[k] as number;
    const mastery = table.masteryOf(p, student, parametersOf);
    if (mastery >= MASTERED) continue;
    const readiness = table.readiness(p, student, parametersOf);
    if (readiness >= threshold) visit(table.ids[p] as string, p, mastery, readiness);
  }
}

/** The frontier of the scope as a list (see visitFrontier). */
export function frontier(
  index: KnowledgeGraphIndex,
  student: StudentSnapshot,
  parametersOf: ParametersOf,
  options: FrontierOptions = {},
): FrontierPoint[] {
  const result: FrontierPoint[] = [];
  visitFrontier(index, student, parametersOf, options, (knowledgePointId, _rank, mastery, readiness) => {
    result.push({ knowledgePointId, mastery, readiness });
  });
  return result;
}
