/**
 * The recommender over GraphQL (src/services/recommendation-service.ts, docs/recommender.md):
 * next items, learning paths, weak-point plans, resource push, wrong-answer attribution and the
 * target success rate. Every result object carries the student (or class) it is about, and its
 * type checks the same scope as that student's mastery: the student themself, a teacher of one of
 * their classes, an admin of their school — never analysts.
 */
import type { AttemptRecord } from "../../graph/store.js";
import type { AttributedCause, Attribution } from "../../recommender/attribution.js";
import type { LearningPath, LearningPathStep } from "../../recommender/learning-path.js";
import type { NextItems, Recommendation } from "../../recommender/next-items.js";
import type { PushedResource } from "../../recommender/resource-push.js";
import type { PracticeItem, WeakPoint, WeakPointPlan } from "../../recommender/weak-points.js";
import { AUTHENTICATED, classStaffOf, STAFF, STUDENT_READERS, studentData } from "../auth/scopes.js";
import { builder } from "../builder.js";
import { InvalidInputError, NotFoundError, serviceCall } from "../errors.js";
import { ItemRef } from "./item.js";
import { KnowledgePointRef } from "./knowledge-point.js";
import { AttemptRef, ClassRef, StudentRef } from "./learner.js";
import { LocalizedTextRef } from "./localized-text.js";
import { MisconceptionRef, ResourceRef } from "./misconception.js";

type ForStudent<T> = T & { studentId: string };
const forStudent = <T extends object>(studentId: string, value: T): ForStudent<T> => ({ ...value, studentId });

export const RecommendationKindEnum = builder.enumType("RecommendationKind", {
  values: {
    FRONTIER: { value: "frontier", description: "Ready to learn: not mastered, prerequisites mastered enough." },
    REVIEW: { value: "review", description: "Mastered, but predicted to have faded since it was last practised." },
    STEP_BACK: { value: "step-back", description: "A prerequisite of a point just failed several times running." },
  } as const,
});

export const TargetAdjustmentEnum = builder.enumType("TargetAdjustment", {
  values: {
    STEADY: { value: "steady" },
    STEP_BACK: { value: "step-back", description: "A run of failures: easier items, prerequisites first." },
    STEP_UP: { value: "step-up", description: "A run of fast successes: harder items." },
  } as const,
});

const RecommendedItemRef = builder.objectRef<ForStudent<Recommendation>>("RecommendedItem").implement({
  description: "An item to practise next, with why it was chosen.",
  authScopes: (r) => studentData(r.studentId),
  fields: (t) => ({
    item: t.field({ type: ItemRef, resolve: (r) => r.itemId }),
    knowledgePoint: t.field({ type: KnowledgePointRef, description: "The point it was chosen for.", resolve: (r) => r.knowledgePointId }),
    kind: t.field({ type: RecommendationKindEnum, resolve: (r) => r.kind }),
    predictedSuccess: t.exposeFloat("predictedSuccess", {
      description: "P(correct) from BKT mastery and the item's calibrated difficulty.",
    }),
    expectedGain: t.exposeFloat("expectedGain", { description: "Expected change of the BKT estimates of the item's points." }),
    readiness: t.exposeFloat("readiness", { description: "Readiness of the point from its prerequisites' mastery and edge strength." }),
    explanation: t.field({ type: LocalizedTextRef, resolve: (r) => r.explanation }),
  }),
});

const SuccessTargetRef = builder.objectRef<ForStudent<NextItems["target"]>>("SuccessTarget").implement({
  description: "The success rate aimed at, adapted to the student's recent run.",
  authScopes: (r) => studentData(r.studentId),
  fields: (t) => ({
    target: t.exposeFloat("target"),
    base: t.exposeFloat("base", { description: "The student's, else their classes', else the default 0.7." }),
    adjustment: t.field({ type: TargetAdjustmentEnum, resolve: (r) => r.adjustment }),
    streak: t.exposeInt("streak"),
    explanation: t.field({ type: LocalizedTextRef, resolve: (r) => r.explanation }),
  }),
});

const NextItemsRef = builder.objectRef<ForStudent<NextItems>>("NextItems").implement({
  authScopes: (r) => studentData(r.studentId),
  fields: (t) => ({
    items: t.field({ type: [RecommendedItemRef], resolve: (r) => r.items.map((item) => forStudent(r.studentId, item)) }),
    target: t.field({ type: SuccessTargetRef, resolve: (r) => forStudent(r.studentId, r.target) }),
  }),
});

const LearningPathStepRef = builder.objectRef<ForStudent<LearningPathStep>>("LearningPathStep").implement({
  authScopes: (r) => studentData(r.studentId),
  fields: (t) => ({
    position: t.exposeInt("position"),
    knowledgePoint: t.field({ type: KnowledgePointRef, resolve: (r) => r.knowledgePointId }),
    isGoal: t.exposeBoolean("isGoal"),
    mastery: t.exposeFloat("mastery", { description: "P(known) now (the prior when never practised)." }),
    practised: t.exposeBoolean("practised"),
    prerequisites: t.field({
      type: [KnowledgePointRef],
      description: "Direct prerequisites earlier in the path.",
      resolve: (r) => r.prerequisiteIds,
    }),
    expectedOpportunities: t.exposeFloat("expectedOpportunities", {
      nullable: true,
      description:
        "Expected practice opportunities to reach mastery under the point's fitted BKT parameters; null when they never reach it.",
    }),
    explanation: t.field({ type: LocalizedTextRef, resolve: (r) => r.explanation }),
  }),
});

const LearningPathRef = builder.objectRef<ForStudent<LearningPath>>("LearningPath").implement({
  description: "The unmastered prerequisites of the goals and the goals, in an order that respects every prerequisite edge.",
  authScopes: (r) => studentData(r.studentId),
  fields: (t) => ({
    goals: t.field({ type: [KnowledgePointRef], resolve: (r) => r.goalIds }),
    steps: t.field({ type: [LearningPathStepRef], resolve: (r) => r.steps.map((step) => forStudent(r.studentId, step)) }),
    skipped: t.field({
      type: [KnowledgePointRef],
      description: "Points on the way already mastered.",
      resolve: (r) => r.skipped.map((s) => s.knowledgePointId),
    }),
    totalExpectedOpportunities: t.exposeFloat("totalExpectedOpportunities"),
    unreachableCount: t.exposeInt("unreachableCount"),
    explanation: t.field({ type: LocalizedTextRef, resolve: (r) => r.explanation }),
  }),
});

const PracticeItemRef = builder.objectRef<ForStudent<PracticeItem>>("PracticeItem").implement({
  authScopes: (r) => studentData(r.studentId),
  fields: (t) => ({
    item: t.field({ type: ItemRef, resolve: (r) => r.itemId }),
    predictedSuccess: t.exposeFloat("predictedSuccess"),
    misconception: t.field({
      type: MisconceptionRef,
      nullable: true,
      description: "Set when the item is there to reveal a misconception the student has shown.",
      resolve: (r) => r.misconceptionId ?? null,
    }),
  }),
});

const WeakPointRef = builder.objectRef<ForStudent<WeakPoint>>("WeakPoint").implement({
  authScopes: (r) => studentData(r.studentId),
  fields: (t) => ({
    knowledgePoint: t.field({ type: KnowledgePointRef, resolve: (r) => r.knowledgePointId }),
    mastery: t.exposeFloat("mastery"),
    attempts: t.exposeInt("attempts"),
    correct: t.exposeInt("correct"),
    recentFailures: t.exposeInt("recentFailures"),
    reasons: t.stringList({ description: "low-mastery, repeated-failures", resolve: (r) => r.reasons }),
    dependentCount: t.exposeInt("dependentCount", { description: "Points that build on this one, directly or not." }),
    priority: t.exposeFloat("priority"),
    misconceptions: t.field({ type: [MisconceptionRef], resolve: (r) => r.misconceptionIds }),
    practice: t.field({ type: [PracticeItemRef], resolve: (r) => r.practice.map((p) => forStudent(r.studentId, p)) }),
    resources: t.field({ type: [ResourceRef], resolve: (r) => r.resourceIds }),
    explanation: t.field({ type: LocalizedTextRef, resolve: (r) => r.explanation }),
  }),
});

const WeakPointPlanRef = builder.objectRef<ForStudent<WeakPointPlan>>("WeakPointPlan").implement({
  description: "Weak points ranked by how much of the graph depends on them, each with a practice set.",
  authScopes: (r) => studentData(r.studentId),
  fields: (t) => ({
    points: t.field({ type: [WeakPointRef], resolve: (r) => r.points.map((p) => forStudent(r.studentId, p)) }),
    weakCount: t.exposeInt("weakCount", { description: "Weak points found before the limit." }),
  }),
});

type PushedShape = PushedResource & { owner: { studentId: string } | { classId: string } };

const ResourceNeedRef = builder.objectRef<PushedShape["covers"][number]>("ResourceNeed").implement({
  authScopes: AUTHENTICATED,
  fields: (t) => ({
    knowledgePoint: t.field({ type: KnowledgePointRef, resolve: (r) => r.knowledgePointId }),
    need: t.exposeFloat("need"),
    reasons: t.stringList({ description: "frontier, weak, review, class-gap", resolve: (r) => r.reasons }),
  }),
});

const PushedResourceRef = builder.objectRef<PushedShape>("PushedResource").implement({
  description: "A teaching resource for what is needed now, with the points it serves.",
  authScopes: (r) => ("studentId" in r.owner ? studentData(r.owner.studentId) : classStaffOf(r.owner.classId)),
  fields: (t) => ({
    resource: t.field({ type: ResourceRef, resolve: (r) => r.resourceId }),
    need: t.exposeFloat("need"),
    covers: t.field({ type: [ResourceNeedRef], resolve: (r) => r.covers }),
    explanation: t.field({ type: LocalizedTextRef, resolve: (r) => r.explanation }),
  }),
});

export const CauseKindEnum = builder.enumType("CauseKind", {
  values: {
    SLIP: { value: "slip", description: "Knew every point and slipped." },
    UNKNOWN_POINT: { value: "unknown-point", description: "The point itself is not known yet." },
    MISSING_PREREQUISITE: { value: "missing-prerequisite", description: "A prerequisite of the point is not known." },
    MISCONCEPTION: { value: "misconception", description: "A named misconception the chosen answer indicates." },
  } as const,
});

const AttributionCauseRef = builder.objectRef<ForStudent<AttributedCause>>("AttributionCause").implement({
  authScopes: (r) => studentData(r.studentId),
  fields: (t) => ({
    kind: t.field({ type: CauseKindEnum, resolve: (r) => r.kind }),
    probability: t.exposeFloat("probability", { description: "Posterior probability; the causes of one answer sum to 1." }),
    knowledgePoint: t.field({ type: KnowledgePointRef, nullable: true, resolve: (r) => r.knowledgePointId ?? null }),
    prerequisite: t.field({ type: KnowledgePointRef, nullable: true, resolve: (r) => r.prerequisiteId ?? null }),
    misconception: t.field({ type: MisconceptionRef, nullable: true, resolve: (r) => r.misconceptionId ?? null }),
    evidence: t.field({ type: LocalizedTextRef, resolve: (r) => r.evidence }),
    remedyItems: t.field({ type: [ItemRef], resolve: (r) => r.remedy.itemIds }),
    remedyResources: t.field({ type: [ResourceRef], resolve: (r) => r.remedy.resourceIds }),
  }),
});

export const AttributionRef = builder.objectRef<ForStudent<Attribution>>("Attribution").implement({
  description:
    "Why a wrong answer was wrong (错题归因): the posterior probabilities of its causes, most probable first, with evidence and remedies.",
  authScopes: (r) => studentData(r.studentId),
  fields: (t) => ({
    causes: t.field({
      type: [AttributionCauseRef],
      args: { limit: t.arg.int({ required: false, description: "Only the most probable causes (default: all)." }) },
      resolve: (r, args) => r.causes.slice(0, args.limit ?? undefined).map((cause) => forStudent(r.studentId, cause)),
    }),
    summary: t.field({ type: LocalizedTextRef, resolve: (r) => r.summary }),
  }),
});

/** Attribution of a recorded attempt; null for a right answer. */
export async function attributionOf(
  attempt: AttemptRecord,
  ctx: { recommendations: { attribution(a: AttemptRecord): Promise<Attribution | null> } },
) {
  const attribution = await serviceCall(() => ctx.recommendations.attribution(attempt));
  return attribution ? forStudent(attempt.studentId, attribution) : null;
}

builder.objectField(AttemptRef, "attribution", (t) =>
  t.field({
    type: AttributionRef,
    nullable: true,
    description: "Wrong answers: why (null for a right answer).",
    resolve: (attempt, _args, ctx) => attributionOf(attempt, ctx),
  }),
);

const LIMIT_DEFAULT = 10;

builder.objectFields(StudentRef, (t) => ({
  weakPoints: t.field({
    type: WeakPointPlanRef,
    description: "薄弱知识点强化训练: weak points ranked by how much depends on them, each with a practice set.",
    args: { limit: t.arg.int({ required: false, defaultValue: LIMIT_DEFAULT }) },
    resolve: async (student, args, ctx) =>
      forStudent(student.id, await serviceCall(() => ctx.recommendations.weakPoints(student.id, args.limit ?? LIMIT_DEFAULT))),
  }),
  recommendedResources: t.field({
    type: [PushedResourceRef],
    description: "精准推送: resources for the student's weak points, points due for review and the frontier.",
    args: { limit: t.arg.int({ required: false, defaultValue: 5 }) },
    resolve: async (student, args, ctx) =>
      (await serviceCall(() => ctx.recommendations.studentResources(student.id, args.limit ?? 5))).map((r) => ({
        ...r,
        owner: { studentId: student.id },
      })),
  }),
  targetSuccessRate: t.float({
    nullable: true,
    description: "The success rate set for this student by a teacher (null: the class's or the default applies).",
    resolve: async (student, _args, ctx) => (await ctx.store.learners.recommendationProfile(student.id))?.targetSuccessRate ?? null,
  }),
}));

builder.objectFields(ClassRef, (t) => ({
  targetSuccessRate: t.float({
    nullable: true,
    description: "The success rate the recommender aims at for this class (null: the default 0.7).",
    resolve: (c) => c.targetSuccessRate ?? null,
  }),
  recommendedResources: t.field({
    type: [PushedResourceRef],
    description: "精准推送 for the class: resources for the points many students have not mastered, weighted by what depends on them.",
    authScopes: (c) => classStaffOf(c.id),
    args: { limit: t.arg.int({ required: false, defaultValue: 5 }) },
    resolve: async (c, args, ctx) =>
      (await serviceCall(() => ctx.recommendations.classResources(c.id, args.limit ?? 5))).map((r) => ({ ...r, owner: { classId: c.id } })),
  }),
}));

const RecommendationScopeInput = builder.inputType("RecommendationScopeInput", {
  description: "Restrict recommendations to points, a unit or a subject (any combination narrows).",
  fields: (t) => ({
    knowledgePointIds: t.idList({ required: false }),
    unitId: t.id({ required: false }),
    subjectId: t.id({ required: false }),
  }),
});

builder.queryFields((t) => ({
  nextItems: t.field({
    type: NextItemsRef,
    description:
      "The items a student should practise next: ready points (prerequisites mastered) and fading mastered points, items near the target success rate, never a locked point or a recently seen item. For the student themself, their teachers and their school's admins. Errors: NOT_FOUND, INVALID_INPUT (`count`, `scope.*`).",
    authScopes: (_root, args) => ({ $all: { ...STUDENT_READERS, ...studentData(String(args.studentId)) } }),
    args: {
      studentId: t.arg.id({ required: true }),
      count: t.arg.int({ required: false, defaultValue: 5 }),
      scope: t.arg({ type: RecommendationScopeInput, required: false }),
    },
    resolve: async (_root, args, ctx) => {
      const studentId = String(args.studentId);
      const scope = args.scope
        ? {
            ...(args.scope.knowledgePointIds ? { knowledgePointIds: args.scope.knowledgePointIds.map(String) } : {}),
            ...(args.scope.unitId != null ? { unitId: String(args.scope.unitId) } : {}),
            ...(args.scope.subjectId != null ? { subjectId: String(args.scope.subjectId) } : {}),
          }
        : undefined;
      const result = await serviceCall(() =>
        ctx.recommendations.nextItems(studentId, { count: args.count ?? 5, ...(scope ? { scope } : {}) }),
      );
      return forStudent(studentId, result);
    },
  }),
  learningPath: t.field({
    type: LearningPathRef,
    description:
      "A path to the goal knowledge points: their unmastered prerequisites in a valid order, each with the expected practice opportunities to mastery. Errors: NOT_FOUND, INVALID_INPUT (`goals`).",
    authScopes: (_root, args) => ({ $all: { ...STUDENT_READERS, ...studentData(String(args.studentId)) } }),
    args: { studentId: t.arg.id({ required: true }), goals: t.arg.idList({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const studentId = String(args.studentId);
      return forStudent(studentId, await serviceCall(() => ctx.recommendations.learningPath(studentId, args.goals.map(String))));
    },
  }),
}));

const SetTargetSuccessRateInput = builder.inputType("SetTargetSuccessRateInput", {
  description: "Exactly one of classId and studentId.",
  fields: (t) => ({
    classId: t.id({ required: false }),
    studentId: t.id({ required: false }),
    rate: t.float({ required: false, description: "Between 0 and 1 (exclusive), e.g. 0.75; null clears it." }),
  }),
});

const TargetSuccessRatePayloadRef = builder
  .objectRef<{ classId?: string; studentId?: string; rate: number | null }>("TargetSuccessRatePayload")
  .implement({
    authScopes: STAFF,
    fields: (t) => ({
      class: t.field({ type: ClassRef, nullable: true, resolve: (r) => r.classId ?? null }),
      student: t.field({ type: StudentRef, nullable: true, resolve: (r) => r.studentId ?? null }),
      rate: t.exposeFloat("rate", { nullable: true }),
    }),
  });

builder.mutationField("setTargetSuccessRate", (t) =>
  t.field({
    type: TargetSuccessRatePayloadRef,
    description:
      "Sets the success rate recommendations aim at, for a class (its teachers, admins) or a student (their teachers, admins). Errors: INVALID_INPUT (`input.rate`, `input.classId`), NOT_FOUND.",
    authScopes: (_root, args) =>
      args.input.classId != null
        ? classStaffOf(String(args.input.classId))
        : { $all: { ...STAFF, ...studentData(String(args.input.studentId ?? "")) } },
    args: { input: t.arg({ type: SetTargetSuccessRateInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      if ((input.classId == null) === (input.studentId == null))
        throw new InvalidInputError("input.classId", "give exactly one of classId and studentId");
      const rate = input.rate ?? null;
      if (rate !== null && !(rate > 0 && rate < 1)) throw new InvalidInputError("input.rate", "rate must be between 0 and 1 (exclusive)");
      if (input.classId != null) {
        const classId = String(input.classId);
        if (!(await ctx.store.learners.setTargetSuccessRate({ classId }, rate))) throw new NotFoundError("class", classId);
        ctx.loaders.classes.clear(classId);
        return { classId, rate };
      }
      const studentId = String(input.studentId);
      if (!(await ctx.store.learners.setTargetSuccessRate({ studentId }, rate))) throw new NotFoundError("student", studentId);
      return { studentId, rate };
    },
  }),
);
