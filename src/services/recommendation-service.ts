/**
 * The recommender as the API uses it: resolves a student's context from the store once per call
 * (recommendation-context.ts), validates the request, and runs the pure functions of
 * src/recommender/. Everything returned carries its explanation (docs/recommender.md).
 */
import type { Item } from "../curriculum/model.js";
import type { AttemptRecord, KnowledgeGraphStore } from "../graph/store.js";
import { type Attribution, attributeWrongAnswer, type MisconceptionNameOf } from "../recommender/attribution.js";
import { type LearningPath, learningPath } from "../recommender/learning-path.js";
import type { Explanation } from "../recommender/model.js";
import { type NextItems, nextItems } from "../recommender/next-items.js";
import { frontier, type RecommendationScope } from "../recommender/readiness.js";
import { classNeeds, type PointNeed, type PushedResource, pushResources } from "../recommender/resource-push.js";
import { reviewCandidates } from "../recommender/review.js";
import { type WeakPointPlan, weakPointPlan } from "../recommender/weak-points.js";
import type { CurriculumService } from "./curriculum-service.js";
import { InvalidInputError, NotFoundError } from "./errors.js";
import type { MasteryModelService } from "./mastery-model-service.js";
import type { PlacementService } from "./placement.js";
import { type RecommendationContext, RecommendationContextBuilder } from "./recommendation-context.js";

/** Most items one nextItems call returns. */
export const MAX_NEXT_ITEMS = 50;
/** Most goals of one learning path. */
export const MAX_GOALS = 50;
/** Most weak points or resources one call returns. */
export const MAX_LIST = 50;
/**
 * "Recently seen" is the last RECENT_ATTEMPTS answers; when that leaves fewer items than asked
 * (many points have only a handful of items), the request is asked again with only this many.
 * In the efficiency simulation the strict rule alone cost 10 % more practice to master a unit.
 */
export const RECENTLY_SEEN_FALLBACK = 10;
/** Frontier points considered as needs for a student's resource push. */
const FRONTIER_NEEDS = 10;

export class RecommendationService {
  readonly contexts: RecommendationContextBuilder;

  private readonly now: () => Date;

  constructor(
    private readonly store: KnowledgeGraphStore,
    private readonly curriculum: CurriculumService,
    masteryModel: MasteryModelService,
    /** `placement`: share the answer path's (default: a new one); `now`: the clock spaced review reads. */
    options: { placement?: PlacementService; now?: () => Date } = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.contexts = new RecommendationContextBuilder(store, curriculum, masteryModel, options.placement);
  }

  private async context(studentId: string): Promise<RecommendationContext> {
    const context = await this.contexts.forStudent(studentId);
    if (!context) throw new NotFoundError("student", studentId);
    return context;
  }

  async nextItems(studentId: string, request: { count: number; scope?: RecommendationScope }): Promise<NextItems> {
    checkCount("count", request.count, MAX_NEXT_ITEMS);
    const scope = await this.checkedScope(request.scope);
    const c = await this.context(studentId);
    const options = { count: request.count, ...(scope ? { scope } : {}), targetSuccess: c.targetSuccess, now: this.now() };
    const strict = nextItems(c.index, c.student, c.parametersOf, c.calibrationOf, c.pointName, options);
    if (strict.items.length >= request.count || c.student.recentAttempts.length <= RECENTLY_SEEN_FALLBACK) return strict;
    const recent = { ...c.student, recentAttempts: c.student.recentAttempts.slice(0, RECENTLY_SEEN_FALLBACK) };
    const relaxed = nextItems(c.index, recent, c.parametersOf, c.calibrationOf, c.pointName, options);
    return relaxed.items.length > strict.items.length ? relaxed : strict;
  }

  async learningPath(studentId: string, goals: readonly string[]): Promise<LearningPath> {
    if (goals.length === 0 || goals.length > MAX_GOALS)
      throw new InvalidInputError("goals", `give 1 to ${MAX_GOALS} goal knowledge points`);
    const c = await this.context(studentId);
    const path = learningPath(c.index, c.student, goals, c.parametersOf, c.pointName);
    if (path.unknownGoalIds.length > 0) {
      throw new InvalidInputError("goals", `unknown knowledge point(s): ${path.unknownGoalIds.map((id) => JSON.stringify(id)).join(", ")}`);
    }
    return path;
  }

  async weakPoints(studentId: string, limit: number): Promise<WeakPointPlan> {
    checkCount("limit", limit, MAX_LIST);
    const c = await this.context(studentId);
    return weakPointPlan(c.index, c.student, c.parametersOf, c.calibrationOf, c.pointName, { limit, targetSuccess: c.targetSuccess });
  }

  /** Why a wrong answer was wrong; null for a right answer. */
  async attribution(attempt: AttemptRecord): Promise<Attribution | null> {
    if (attempt.correct) return null;
    const c = await this.context(attempt.studentId);
    const [item] = await this.store.curriculum.getItems([attempt.itemId]);
    const misconceptionIds = new Set([
      ...attempt.misconceptionIds,
      ...c.student.misconceptionCounts.keys(),
      ...c.index.misconceptionsOfItem(attempt.itemId),
    ]);
    const misconceptionName = await this.misconceptionNames([...misconceptionIds]);
    const optionCount = optionCountOf(item);
    return attributeWrongAnswer(
      c.index,
      c.student,
      {
        itemId: attempt.itemId,
        misconceptionIds: attempt.misconceptionIds,
        mastery: attempt.mastery.map((m) => ({ knowledgePointId: m.knowledgePointId, before: m.before })),
        ...(optionCount !== undefined ? { optionCount } : {}),
        countedInSnapshot: c.countedAttemptIds.has(attempt.id),
      },
      c.parametersOf,
      c.calibrationOf,
      c.pointName,
      misconceptionName,
    );
  }

  /** Resources for what the student needs now: weak points, points due for review, and the frontier. */
  async studentResources(studentId: string, limit: number): Promise<PushedResource[]> {
    checkCount("limit", limit, MAX_LIST);
    const c = await this.context(studentId);
    const needs: PointNeed[] = [];
    for (const weak of weakPointPlan(c.index, c.student, c.parametersOf, c.calibrationOf, c.pointName, { limit: MAX_LIST }).points) {
      needs.push({ knowledgePointId: weak.knowledgePointId, need: 1 + (0.95 - weak.mastery), reason: "weak", detail: weak.explanation });
    }
    for (const review of reviewCandidates(c.student, c.parametersOf, this.now())) {
      needs.push({ knowledgePointId: review.knowledgePointId, need: 0.5 + review.urgency, reason: "review" });
    }
    for (const point of frontier(c.index, c.student, c.parametersOf).slice(0, FRONTIER_NEEDS)) {
      needs.push({ knowledgePointId: point.knowledgePointId, need: point.readiness * (1 - point.mastery), reason: "frontier" });
    }
    return pushResources(c.index, needs, c.pointName, { limit });
  }

  /** Resources for the points many of the class have not mastered, weighted by what depends on them. */
  async classResources(classId: string, limit: number): Promise<PushedResource[]> {
    checkCount("limit", limit, MAX_LIST);
    const index = await this.curriculum.ensureIndex();
    const [matrix, pointName] = await Promise.all([this.store.learners.classMastery(classId), this.contexts.pointNames(index)]);
    return pushResources(index, classNeeds(index, matrix), pointName, { limit });
  }

  private async checkedScope(scope: RecommendationScope | undefined): Promise<RecommendationScope | undefined> {
    if (!scope) return undefined;
    const index = await this.curriculum.ensureIndex();
    const unknown = (scope.knowledgePointIds ?? []).filter((id) => !index.hasPoint(id));
    if (unknown.length > 0) throw new InvalidInputError("scope.knowledgePointIds", `unknown knowledge point(s): ${unknown.join(", ")}`);
    if (scope.unitId !== undefined && index.pointsOfUnit(scope.unitId).length === 0) {
      throw new InvalidInputError("scope.unitId", `unit ${JSON.stringify(scope.unitId)} does not exist or has no knowledge points`);
    }
    if (scope.subjectId !== undefined && (await this.store.curriculum.getSubjects([scope.subjectId]))[0] === undefined) {
      throw new InvalidInputError("scope.subjectId", `subject ${JSON.stringify(scope.subjectId)} does not exist`);
    }
    return scope;
  }

  private async misconceptionNames(ids: readonly string[]): Promise<MisconceptionNameOf> {
    const found = await this.store.curriculum.getMisconceptions(ids);
    const byId = new Map<string, Explanation>();
    for (const misconception of found)
      if (misconception) byId.set(misconception.id, { zh: misconception.name.zh, en: misconception.name.en });
    return (id: string) => byId.get(id) ?? { zh: id, en: id };
  }
}

function checkCount(field: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new InvalidInputError(field, `${field} must be a whole number from 1 to ${max}`);
}

/** A choice item's number of options (the chance a guess lands on the chosen one); undefined for open answers. */
function optionCountOf(item: Item | undefined): number | undefined {
  return item && (item.type === "single_choice" || item.type === "multiple_choice") ? item.options.length : undefined;
}
