/**
 * Differentiated lesson plans over GraphQL (src/services/lesson-plans/, docs/lesson-plans.md):
 * `generateLessonPlan` checks the request, queues a `lesson-plan` job (BullMQ with REDIS_URL,
 * in-process otherwise) and by default waits for it; plans are read back by id or per class.
 * A plan — its tiers' rosters included — is for the class's staff only: its teachers and the
 * school's admins.
 */
import { resolveOffsetConnection } from "@pothos/plugin-relay";
import type { LessonPlanRecord } from "../../graph/store.js";
import { JobWaitTimeoutError } from "../../jobs/errors/job-wait-timeout-error.js";
import { lessonPlanJob } from "../../jobs/handlers/lesson-plan.js";
import type { JobStatus } from "../../jobs/job-queue.js";
import type { LessonPlanDocument } from "../../services/lesson-plans/lesson-plan-service.js";
import type { SkeletonTier } from "../../services/lesson-plans/skeleton.js";
import { AUTHENTICATED, classStaffOf, STAFF } from "../auth/scopes.js";
import { isAuthenticated } from "../auth/viewer.js";
import { builder } from "../builder.js";
import { serviceCall } from "../errors.js";
import { JobRef } from "./job.js";
import { KnowledgePointRef } from "./knowledge-point.js";
import { ClassRef, StudentRef } from "./learner.js";
import { LocalizedTextRef } from "./localized-text.js";

const LanguageEnum = builder.enumType("Language", { values: { ZH: { value: "zh" }, EN: { value: "en" } } as const });

type TierShape = SkeletonTier & { classId: string };

const LessonPlanTierRef = builder.objectRef<TierShape>("LessonPlanTier").implement({
  description: "A teaching tier: who is in it (staff only, like the whole plan), on what criterion, and what it aims at.",
  authScopes: (tier) => classStaffOf(tier.classId),
  fields: (t) => ({
    id: t.exposeID("id"),
    rank: t.exposeInt("rank", { description: "1 = needs the most support." }),
    label: t.field({ type: LocalizedTextRef, resolve: (tier) => tier.label }),
    criteria: t.field({ type: LocalizedTextRef, resolve: (tier) => tier.criteria }),
    size: t.exposeInt("size"),
    targetSuccess: t.exposeFloat("targetSuccess", { description: "The success rate its items were chosen for." }),
    students: t.field({
      type: [StudentRef],
      description: "The roster: never part of a prompt or the Markdown export.",
      resolve: (tier) => tier.studentIds,
    }),
    prerequisiteReview: t.field({ type: [KnowledgePointRef], resolve: (tier) => tier.prerequisiteReview }),
  }),
});

const LessonPlanGenerationRef = builder.objectRef<LessonPlanRecord>("LessonPlanGeneration").implement({
  description:
    "How the narrative was written: the model (or the offline templates), tokens and warnings. Text from a model is never used to evaluate a student.",
  authScopes: (plan) => classStaffOf(plan.classId),
  fields: (t) => {
    const generation = (plan: LessonPlanRecord) =>
      plan.generation as {
        source: string;
        provider: string;
        model?: string;
        method?: string;
        attempts: number;
        tokens: { prompt?: number; completion?: number };
        warnings: { message: string }[];
      };
    return {
      source: t.string({ description: "llm or offline", resolve: (plan) => generation(plan).source }),
      provider: t.string({ resolve: (plan) => generation(plan).provider }),
      model: t.string({ nullable: true, resolve: (plan) => generation(plan).model ?? null }),
      method: t.string({
        nullable: true,
        description: "The structured-output method.",
        resolve: (plan) => generation(plan).method ?? null,
      }),
      attempts: t.int({ description: "Calls made to the model (0 offline).", resolve: (plan) => generation(plan).attempts }),
      promptTokens: t.int({
        nullable: true,
        description: "Counted with tiktoken before sending.",
        resolve: (plan) => generation(plan).tokens.prompt ?? null,
      }),
      completionTokens: t.int({ nullable: true, resolve: (plan) => generation(plan).tokens.completion ?? null }),
      warnings: t.stringList({ resolve: (plan) => generation(plan).warnings.map((w) => w.message) }),
    };
  },
});

export const LessonPlanRef = builder.objectRef<LessonPlanRecord>("LessonPlan").implement({
  description: "A stored, versioned lesson plan: structured (JSON) and as Markdown. Staff of its class only.",
  authScopes: (plan) => classStaffOf(plan.classId),
  fields: (t) => ({
    id: t.exposeID("id"),
    version: t.exposeInt("version", { description: "1, 2, … within its series (same class, targets, duration, tiers, language)." }),
    series: t.exposeString("series"),
    title: t.exposeString("title"),
    language: t.field({ type: LanguageEnum, resolve: (plan) => plan.language }),
    createdAt: t.exposeString("createdAt"),
    createdBy: t.exposeID("createdBy"),
    class: t.field({ type: ClassRef, resolve: (plan) => plan.classId }),
    targets: t.field({
      type: [KnowledgePointRef],
      resolve: (plan) => document(plan).skeleton.targets.map((target) => target.knowledgePointId),
    }),
    tiers: t.field({
      type: [LessonPlanTierRef],
      resolve: (plan) => document(plan).skeleton.tiers.map((tier) => ({ ...tier, classId: plan.classId })),
    }),
    generation: t.field({ type: LessonPlanGenerationRef, resolve: (plan) => plan }),
    inputs: t.string({ description: "What it was generated from, as JSON text.", resolve: (plan) => JSON.stringify(plan.inputs) }),
    json: t.string({
      description: "The whole plan as JSON text: skeleton (with the tier rosters), the texts it was written from, and the narrative.",
      resolve: (plan) => JSON.stringify(plan.plan),
    }),
    markdown: t.exposeString("markdown", { description: "The export: in the plan's language, without the roster." }),
  }),
});

const document = (plan: LessonPlanRecord) => plan.plan as LessonPlanDocument;

const GenerateLessonPlanInput = builder.inputType("GenerateLessonPlanInput", {
  fields: (t) => ({
    classId: t.id({ required: true }),
    knowledgePointIds: t.idList({ required: false, description: "The points to teach (at most 8); or give unitId." }),
    unitId: t.id({ required: false }),
    durationMinutes: t.int({ required: false, description: "10 to 240; default 40." }),
    tierCount: t.int({ required: false, description: "1 to 5; default 3." }),
    language: t.field({ type: LanguageEnum, required: false, description: "Default ZH." }),
    wait: t.boolean({
      required: false,
      defaultValue: true,
      description: "Wait for the plan (up to PATHWISE_JOBS_WAIT_MS); false returns the queued job at once.",
    }),
  }),
});

const GenerateLessonPlanPayloadRef = builder
  .objectRef<{ job: JobStatus; lessonPlan: LessonPlanRecord | null }>("GenerateLessonPlanPayload")
  .implement({
    authScopes: AUTHENTICATED,
    fields: (t) => ({
      job: t.field({ type: JobRef, description: "Follow it with job(id) or jobProgress(jobId).", resolve: (p) => p.job }),
      lessonPlan: t.field({
        type: LessonPlanRef,
        nullable: true,
        description: "Null until the job has completed.",
        resolve: (p) => p.lessonPlan,
      }),
    }),
  });

builder.mutationFields((t) => ({
  generateLessonPlan: t.field({
    type: GenerateLessonPlanPayloadRef,
    description:
      "Generates a differentiated lesson plan for a class: tiers from the class's mastery, items chosen by the recommender for each tier, the class's frequent misconceptions, narrative by the configured model or the offline templates (no student name or id is ever sent). Runs as a `lesson-plan` job. For the class's teachers and the school's admins. Errors: NOT_FOUND (class), INVALID_INPUT (`input.*`).",
    authScopes: (_root, args) => classStaffOf(String(args.input.classId)),
    args: { input: t.arg({ type: GenerateLessonPlanInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      if (!isAuthenticated(ctx.viewer)) throw new Error("unreachable: generateLessonPlan needs a token");
      const request = {
        classId: String(input.classId),
        ...(input.knowledgePointIds ? { knowledgePointIds: input.knowledgePointIds.map(String) } : {}),
        ...(input.unitId != null ? { unitId: String(input.unitId) } : {}),
        ...(input.durationMinutes != null ? { durationMinutes: input.durationMinutes } : {}),
        ...(input.tierCount != null ? { tierCount: input.tierCount } : {}),
        ...(input.language != null ? { language: input.language } : {}),
      };
      await serviceCall(() => ctx.lessonPlans.validate(request), "input.");
      const { schoolId, subject, role } = ctx.viewer;
      const queued = await serviceCall(() =>
        ctx.jobs.enqueue(lessonPlanJob, { schoolId, requestedBy: subject, payload: { ...request, role } }),
      );
      if (input.wait === false) return { job: queued, lessonPlan: null };
      let job: JobStatus;
      try {
        job = await ctx.jobs.waitUntilFinished(schoolId, queued.jobId);
      } catch (error) {
        if (error instanceof JobWaitTimeoutError) return { job: error.status, lessonPlan: null };
        throw error;
      }
      const result = job.result as { lessonPlanId?: string } | undefined;
      if (job.state !== "COMPLETED" || !result?.lessonPlanId)
        throw new Error(`lesson plan job ${job.jobId} failed: ${job.error ?? "no result"}`);
      const [plan] = await ctx.store.lessonPlans.getLessonPlans([result.lessonPlanId]);
      return { job, lessonPlan: plan ?? null };
    },
  }),
}));

builder.queryFields((t) => ({
  lessonPlan: t.field({
    type: LessonPlanRef,
    nullable: true,
    description:
      "A lesson plan of your school by id (null when unknown or of another school); its class's teachers and the school's admins.",
    authScopes: STAFF,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const [plan] = await ctx.store.lessonPlans.getLessonPlans([String(args.id)]);
      return plan && isAuthenticated(ctx.viewer) && plan.schoolId === ctx.viewer.schoolId ? plan : null;
    },
  }),
}));

builder.objectFields(ClassRef, (t) => ({
  lessonPlans: t.connection({
    type: LessonPlanRef,
    description: "The class's lesson plans, newest first (default 10 per page, at most 50).",
    authScopes: (c) => classStaffOf(c.id),
    resolve: (c, args, ctx) =>
      resolveOffsetConnection(
        { args, defaultSize: 10, maxSize: 50 },
        async ({ limit, offset }) => (await ctx.store.lessonPlans.listLessonPlans(c.id, { limit, offset })).nodes,
      ),
  }),
}));
