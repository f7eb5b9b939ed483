/**
 * The recommender as the API runs it, on the real embedded store with the seeded curriculum and
 * the demo school's simulated answers (whose recording also calibrated items Elo-style).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PARAMETERS } from "../../src/bkt/parameters.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { MASTERED } from "../../src/recommender/model.js";
import { InvalidInputError, NotFoundError } from "../../src/services/errors.js";
import { EARLIER_GRADE_PRIOR } from "../../src/services/placement.js";
import { RECENTLY_SEEN_FALLBACK, RecommendationService } from "../../src/services/recommendation-service.js";
import { classId } from "../../src/services/roster.js";
import { openRuntime, type Runtime } from "../../src/services/runtime.js";

describe("RecommendationService on the demo school", () => {
  let runtime: Runtime;
  let recommendations: RecommendationService;
  const now = new Date();

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "pathwise-recommend-"));
    runtime = await openRuntime(loadConfig({ PATHWISE_DATA_DIR: dataDir, PATHWISE_DEMO: "1" }), createLogger("silent"), { seed: true });
    recommendations = new RecommendationService(runtime.store, runtime.curriculum, runtime.masteryModel, { now: () => now });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it("calibrated item difficulty and student ability while the demo's answers were recorded", async () => {
    const calibrations = await runtime.store.learners.itemCalibrations();
    expect(calibrations.length).toBeGreaterThan(100);
    expect(calibrations.every((c) => Number.isFinite(c.offset) && c.attempts > 0)).toBe(true);
    const profile = await runtime.store.learners.recommendationProfile("demo-student");
    expect(profile?.abilityAttempts).toBeGreaterThan(0);
  });

  it("recommends items of unlocked points only, never one seen recently, each explained", async () => {
    const context = await recommendations.contexts.forStudent("demo-student");
    if (!context) throw new Error("the demo student is missing");
    const { index, student, parametersOf } = context;
    const result = await recommendations.nextItems("demo-student", { count: 6 });
    expect(result.items.length).toBeGreaterThan(0);
    // Never among the last answers (the last 50, or the last 10 when 50 leave too few items).
    const recent = new Set(student.recentAttempts.slice(0, RECENTLY_SEEN_FALLBACK).map((a) => a.itemId));
    for (const recommendation of result.items) {
      expect(recent.has(recommendation.itemId)).toBe(false);
      expect(recommendation.explanation.zh.length).toBeGreaterThan(0);
      expect(recommendation.explanation.en.length).toBeGreaterThan(0);
      expect(recommendation.predictedSuccess).toBeGreaterThan(0);
      expect(recommendation.predictedSuccess).toBeLessThan(1);
      // No point of the item is locked: every strong prerequisite of an unmastered point is known enough.
      for (const point of index.pointsOfItem(recommendation.itemId)) {
        const mastery = student.mastery.get(point.id)?.probability ?? parametersOf(point.id).prior;
        if (mastery >= MASTERED) continue;
        let readiness = 1;
        for (const link of index.prerequisitesOf(point.id)) {
          readiness *= 1 - link.weight * (1 - (student.mastery.get(link.id)?.probability ?? parametersOf(link.id).prior));
        }
        expect(readiness).toBeGreaterThanOrEqual(0.8 - 1e-9);
      }
    }
    expect(new Set(result.items.map((r) => r.itemId)).size).toBe(result.items.length);
    expect(result.target.target).toBeGreaterThanOrEqual(0.5);
  });

  it("assumes a grade-7 student knows earlier grades' unanswered points, in the answer path as in recommendations", async () => {
    const index = runtime.curriculum.index;
    const answered = new Set((await runtime.store.learners.studentMastery("demo-student")).map((m) => m.knowledgePointId));
    const unanswered = (grade: number) =>
      index.topologicalOrder().find((id) => index.point(id)?.grade === grade && index.point(id)?.subjectId === "math" && !answered.has(id));
    const second = unanswered(2) as string;
    const seventh = unanswered(7) as string;
    const views = await runtime.learning.studentMastery("demo-student", [second, seventh]);
    expect(views.map((v) => [v.probability, v.state])).toEqual([
      [EARLIER_GRADE_PRIOR, "not-started"],
      [DEFAULT_PARAMETERS.prior, "not-started"],
    ]);
    const context = await recommendations.contexts.forStudent("demo-student");
    expect(context?.parametersOf(second).prior).toBe(EARLIER_GRADE_PRIOR);
    expect(context?.parametersOf(seventh).prior).toBe(DEFAULT_PARAMETERS.prior);
    // The first answer on the grade-2 point starts from the same assumption.
    const item = index.itemsOf(second)[0]?.id as string;
    const [found] = await runtime.store.curriculum.getItems([item]);
    if (found?.type !== "single_choice") throw new Error(`expected a single-choice item of ${second}`);
    const wrong = found.options.find((o) => o.id !== found.answer)?.id as string;
    const result = await runtime.learning.submitAnswer({
      studentId: "demo-student",
      itemId: item,
      response: { kind: "options", optionIds: [wrong] },
      idempotencyKey: "placement-1",
    });
    const change = result.mastery.find((m) => m.knowledgePointId === second);
    expect(change?.before).toBe(EARLIER_GRADE_PRIOR);
    expect(change?.after).toBeLessThan(EARLIER_GRADE_PRIOR);
  });

  it("follows a target success rate set for the class", async () => {
    const seventh = classId("demo", "7A-math");
    await runtime.store.learners.setTargetSuccessRate({ classId: seventh }, 0.85);
    const context = await recommendations.contexts.forStudent("demo-student");
    expect(context?.targetSuccess).toBe(0.85);
    await runtime.store.learners.setTargetSuccessRate({ classId: seventh }, null);
  });

  it("rejects bad requests with the field at fault", async () => {
    await expect(recommendations.nextItems("nobody", { count: 3 })).rejects.toBeInstanceOf(NotFoundError);
    await expect(recommendations.nextItems("demo-student", { count: 0 })).rejects.toMatchObject({ field: "count" });
    await expect(recommendations.nextItems("demo-student", { count: 3, scope: { unitId: "no.such.unit" } })).rejects.toMatchObject({
      field: "scope.unitId",
    });
    await expect(recommendations.learningPath("demo-student", ["no.such.point"])).rejects.toBeInstanceOf(InvalidInputError);
  });

  it("plans a path in prerequisite order to a later point", async () => {
    const index = runtime.curriculum.index;
    const goal = index.topologicalOrder().at(-1) as string;
    const path = await recommendations.learningPath("demo-student", [goal]);
    const position = new Map(path.steps.map((step) => [step.knowledgePointId, step.position]));
    expect(path.steps.at(-1)?.knowledgePointId).toBe(goal);
    for (const step of path.steps) {
      for (const link of index.prerequisitesOf(step.knowledgePointId)) {
        const before = position.get(link.id);
        if (before !== undefined) expect(before).toBeLessThan(step.position);
      }
    }
    expect(path.totalExpectedOpportunities).toBeGreaterThan(0);
  });

  it("attributes a wrong answer with causes summing to 1, and nothing for a right one", async () => {
    const history = await runtime.store.learners.attemptHistory("demo-student", { limit: 200 });
    const wrong = history.nodes.find((a) => !a.correct);
    const right = history.nodes.find((a) => a.correct);
    if (!wrong || !right) throw new Error("the demo student has no wrong or no right answer");
    const attribution = await recommendations.attribution(wrong);
    expect(attribution?.causes.length).toBeGreaterThan(0);
    expect(attribution?.causes.reduce((sum, cause) => sum + cause.probability, 0)).toBeCloseTo(1, 9);
    expect(await recommendations.attribution(right)).toBeNull();
  });

  it("plans weak points and pushes resources for a student and a class", async () => {
    const students = await runtime.store.learners.studentsOfClass(classId("demo", "4A-math"));
    const plans = await Promise.all(students.map((id) => recommendations.weakPoints(id, 5)));
    const withWeakPoints = plans.filter((plan) => plan.points.length > 0);
    expect(withWeakPoints.length).toBeGreaterThan(0);
    for (const plan of withWeakPoints) {
      const priorities = plan.points.map((p) => p.priority);
      expect(priorities).toEqual([...priorities].sort((a, b) => b - a));
    }
    const pushed = await recommendations.classResources(classId("demo", "4A-math"), 5);
    expect(pushed.length).toBeGreaterThan(0);
    expect(new Set(pushed.map((r) => r.resourceId)).size).toBe(pushed.length);
    expect((await recommendations.studentResources("demo-student", 3)).length).toBeLessThanOrEqual(3);
  });
});
