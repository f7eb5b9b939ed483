/**
 * Lesson plans end to end on the real embedded store and the demo school: the skeleton from the
 * class's mastery and answers, the offline narrative, Markdown, versions — and with a model
 * configured (the local OpenAI-compatible stub, the only stand-in), no student id or name in any
 * request that leaves.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { llmConfigFromEnv } from "../../src/llm/config.js";
import { createNarrativeGenerator, OfflineNarrativeGenerator } from "../../src/llm/lesson-narrative-generator.js";
import { offlineNarrative } from "../../src/llm/offline-generator.js";
import { createLogger } from "../../src/logger.js";
import { type LessonPlanDocument, LessonPlanService } from "../../src/services/lesson-plans/lesson-plan-service.js";
import { RecommendationContextBuilder } from "../../src/services/recommendation-context.js";
import { classId } from "../../src/services/roster.js";
import { openRuntime, type Runtime } from "../../src/services/runtime.js";
import { type OpenAiStub, startOpenAiStub } from "../support/openai-stub.js";

const CALLER = { userId: "t-2", role: "teacher", schoolId: "demo" };
const CLASS = classId("demo", "4A-math");

describe("LessonPlanService", () => {
  let runtime: Runtime;
  let dataDir: string;
  let contexts: RecommendationContextBuilder;
  let targets: string[];
  let roster: { id: string; displayName?: string }[];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "pathwise-lesson-"));
    runtime = await openRuntime(loadConfig({ PATHWISE_DATA_DIR: dataDir, PATHWISE_DEMO: "1" }), createLogger("silent"), { seed: true });
    contexts = new RecommendationContextBuilder(runtime.store, runtime.curriculum, runtime.masteryModel);
    // Three points the class has practised, in teaching order.
    const matrix = await runtime.store.learners.classMastery(CLASS);
    const index = runtime.curriculum.index;
    const grade4 = matrix.knowledgePointIds.filter((id) => index.point(id)?.grade === 4);
    targets = grade4.sort((a, b) => index.topologicalRank(a) - index.topologicalRank(b)).slice(0, 3);
    const ids = await runtime.store.learners.studentsOfClass(CLASS);
    roster = (await runtime.store.learners.getStudents(ids)).flatMap((s) => (s ? [s] : []));
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it("builds a grounded, tiered plan offline, stores it as versions, and exports Markdown without the roster", async () => {
    const service = new LessonPlanService(runtime.store, runtime.curriculum, contexts, new OfflineNarrativeGenerator());
    const first = await service.generate({ classId: CLASS, knowledgePointIds: targets, language: "zh" }, CALLER);
    const second = await service.generate({ classId: CLASS, knowledgePointIds: [...targets].reverse(), language: "zh" }, CALLER);
    expect([first.version, second.version]).toEqual([1, 2]);
    expect(second.series).toBe(first.series);

    const document = first.plan as LessonPlanDocument;
    const { skeleton } = document;
    expect(skeleton.targets.map((t) => t.knowledgePointId)).toEqual(targets);
    expect(skeleton.targets.every((t) => t.standardCode.length > 0)).toBe(true);
    expect(skeleton.tiers).toHaveLength(3);
    expect(skeleton.tiers.reduce((sum, tier) => sum + tier.size, 0)).toBe(roster.length);
    // Tiers are ordered by readiness: the support tier's range lies below the extension tier's.
    expect((skeleton.tiers[0] as { scoreRange: number[] }).scoreRange[1]).toBeLessThanOrEqual(
      (skeleton.tiers[2] as { scoreRange: number[] }).scoreRange[0] as number,
    );
    for (const tier of skeleton.tiers) {
      const items = [...tier.workedExamples, ...tier.practice, ...tier.exitTicket, ...tier.homework].map((c) => c.itemId);
      expect(new Set(items).size).toBe(items.length);
      expect(tier.practice.length).toBeGreaterThan(0);
    }
    expect(skeleton.timing.reduce((sum, s) => sum + s.minutes, 0)).toBe(40);
    expect(document.narrative.tiers.map((t) => t.tierId)).toEqual(skeleton.tiers.map((t) => t.id));

    // The roster is in the skeleton (staff-only through the API), nowhere in the texts or the export.
    const exported = `${first.markdown}${JSON.stringify(document.request)}${JSON.stringify(document.narrative)}`;
    for (const student of roster) {
      expect(exported).not.toContain(student.id);
      if (student.displayName) expect(exported).not.toContain(student.displayName);
    }
    expect(first.markdown).toContain("# ");
    expect(first.markdown).toContain("巩固组");
    expect(first.generation).toMatchObject({ source: "offline", provider: "offline" });
    expect(await runtime.store.lessonPlans.getLessonPlans([first.id])).toEqual([first]);
  });

  it("rejects a request it cannot plan, naming the field", async () => {
    const service = new LessonPlanService(runtime.store, runtime.curriculum, contexts, new OfflineNarrativeGenerator());
    await expect(service.validate({ classId: "nope", knowledgePointIds: targets })).rejects.toMatchObject({ entity: "class" });
    await expect(service.validate({ classId: CLASS })).rejects.toMatchObject({ field: "knowledgePointIds" });
    await expect(service.validate({ classId: CLASS, knowledgePointIds: ["no.such.point"] })).rejects.toMatchObject({
      field: "knowledgePointIds",
    });
    await expect(service.validate({ classId: CLASS, knowledgePointIds: targets, tierCount: 9 })).rejects.toMatchObject({
      field: "tierCount",
    });
    await expect(service.validate({ classId: CLASS, knowledgePointIds: targets, durationMinutes: 5 })).rejects.toMatchObject({
      field: "durationMinutes",
    });
  });

  describe("with a model configured", () => {
    let stub: OpenAiStub;

    beforeAll(async () => {
      stub = await startOpenAiStub();
    });

    afterAll(async () => {
      await stub.close();
    });

    it("sends no student id or name, records the model, and audits the call", async () => {
      const auditPath = join(dataDir, "audit.jsonl");
      const config = llmConfigFromEnv(
        {
          PATHWISE_LLM_PROVIDER: "openai-compatible",
          PATHWISE_LLM_BASE_URL: stub.baseUrl,
          PATHWISE_LLM_MODEL: "qwen2.5-7b-instruct",
          PATHWISE_LLM_API_KEY: "sk-test",
          PATHWISE_LLM_AUDIT_LOG: auditPath,
        },
        { dataDir },
      );
      // The model's answer: a valid narrative for exactly the request the service will build.
      const offline = new LessonPlanService(runtime.store, runtime.curriculum, contexts, new OfflineNarrativeGenerator());
      const probe = (await offline.generate({ classId: CLASS, knowledgePointIds: targets, language: "en" }, CALLER))
        .plan as LessonPlanDocument;
      stub.script({ kind: "structured", value: offlineNarrative({ ...probe.request, context: [] }) });

      const service = new LessonPlanService(runtime.store, runtime.curriculum, contexts, createNarrativeGenerator(config));
      const plan = await service.generate({ classId: CLASS, knowledgePointIds: targets, language: "en" }, CALLER);
      expect(plan.generation).toMatchObject({ source: "llm", provider: "openai-compatible", model: "qwen2.5-7b-instruct" });
      expect(stub.requests.length).toBeGreaterThan(0);
      for (const request of stub.requests) {
        for (const student of roster) {
          expect(request.text).not.toContain(student.id);
          if (student.displayName) expect(request.text).not.toContain(student.displayName);
        }
      }
      const audit = readFileSync(auditPath, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(audit.at(-1)).toMatchObject({ outcome: "ok", model: "qwen2.5-7b-instruct" });
      expect(JSON.stringify(audit)).not.toContain(roster[0]?.id as string);
    });
  });
});
