/**
 * lesson-plans suite: the offline lesson plan end to end — store reads of the class's mastery and
 * answers, the skeleton (tiers, items chosen by the recommender's prediction, misconceptions), the
 * offline narrative, Markdown and the versioned save — for a class of 45 students over 5 target
 * points of the seeded maths curriculum, on the embedded store. The students first answer ~30
 * items each on the targets and their prerequisites through the real answer path, so the plan
 * reads real mastery rows and misconception history. Target (issue 7): p99 ≤ 200 ms.
 *
 * Options: --repeats n (default 60).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SeededRandom } from "../src/bkt/random.js";
import { loadConfig } from "../src/config.js";
import type { Item } from "../src/curriculum/model.js";
import { OfflineNarrativeGenerator } from "../src/llm/lesson-narrative-generator.js";
import { createLogger } from "../src/logger.js";
import { LessonPlanService } from "../src/services/lesson-plans/lesson-plan-service.js";
import { openRuntime } from "../src/services/runtime.js";
import { percentile, type Suite } from "./lib/suite.js";

const STUDENTS = 45;
const TARGETS = 5;
const ANSWERS_PER_STUDENT = 30;
const CLASS_ID = "bench:5A";

const suite: Suite = {
  name: "lesson-plans",
  description: `Offline lesson plan end to end (store reads, skeleton, narrative, Markdown, save) for a class of ${STUDENTS} students over ${TARGETS} target points, on the embedded store.`,
  async run({ args, log }) {
    const repeatsFlag = args.indexOf("--repeats");
    const repeats = repeatsFlag >= 0 ? Number(args[repeatsFlag + 1]) : 60;
    const dataDir = mkdtempSync(join(tmpdir(), "pathwise-bench-lessons-"));
    const runtime = await openRuntime(loadConfig({ PATHWISE_DATA_DIR: dataDir, PATHWISE_DEMO: "0" }), createLogger("silent"), {
      seed: true,
    });
    try {
      const index = runtime.curriculum.index;
      // Five consecutive grade-5 points that have prerequisites: a realistic lesson's targets.
      const targets = index
        .topologicalOrder()
        .filter((id) => index.point(id)?.grade === 5 && index.prerequisitesOf(id).length > 0)
        .slice(0, TARGETS);
      const pointIds = [...new Set([...targets, ...targets.flatMap((id) => index.prerequisitesOf(id).map((l) => l.id))])];
      const students = Array.from({ length: STUDENTS }, (_, i) => ({ id: `bench-s-${i + 1}`, displayName: `学生${i + 1}` }));
      await runtime.store.learners.applyRoster({
        school: { id: "bench", name: "Bench School" },
        classes: [{ id: CLASS_ID, name: "5A", grade: 5, subjectId: "math" }],
        teachers: [{ id: "bench-t" }],
        students,
        enrolments: students.map((s) => ({ classId: CLASS_ID, studentId: s.id })),
        teaching: [{ classId: CLASS_ID, teacherId: "bench-t" }],
      });
      const itemIds = [...new Set(pointIds.flatMap((id) => index.itemsOf(id).map((l) => l.id)))];
      const items = (await runtime.store.curriculum.getItems(itemIds)).filter(
        (item): item is Item => item !== undefined && item.type === "single_choice",
      );
      const random = new SeededRandom(11);
      log(`answering: ${STUDENTS} students × ${ANSWERS_PER_STUDENT} answers on ${pointIds.length} points (${items.length} choice items)`);
      for (const student of students) {
        const skill = random.next();
        for (let n = 0; n < ANSWERS_PER_STUDENT; n++) {
          const item = items[random.integer(0, items.length - 1)] as Item & { type: "single_choice" };
          const right = random.next() < 0.35 + 0.55 * skill;
          const wrong = item.options.filter((o) => o.id !== item.answer);
          const option = right || wrong.length === 0 ? item.answer : (wrong[random.integer(0, wrong.length - 1)]?.id ?? item.answer);
          await runtime.learning.submitAnswer({
            studentId: student.id,
            itemId: item.id,
            response: { kind: "options", optionIds: [option] },
            idempotencyKey: `${student.id}-${n}`,
          });
        }
      }
      const service = new LessonPlanService(
        runtime.store,
        runtime.curriculum,
        runtime.recommendations.contexts,
        new OfflineNarrativeGenerator(),
      );
      const caller = { userId: "bench-t", role: "teacher", schoolId: "bench" };
      const request = { classId: CLASS_ID, knowledgePointIds: targets, language: "zh" as const };
      for (let i = 0; i < 5; i++) await service.generate(request, caller);
      log(`timing ${repeats} plans`);
      const times: number[] = [];
      let last: Awaited<ReturnType<LessonPlanService["generate"]>> | undefined;
      for (let i = 0; i < repeats; i++) {
        const started = performance.now();
        last = await service.generate(i % 2 === 0 ? request : { ...request, language: "en" }, caller);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const plan = last?.plan as { skeleton: { tiers: { size: number }[]; misconceptions: unknown[] } } | undefined;
      return {
        suite: "lesson-plans",
        description: suite.description,
        figures: [
          { name: "offline plan, p50", value: percentile(times, 50), unit: "ms" },
          { name: "offline plan, p99", value: percentile(times, 99), unit: "ms", target: { value: 200, better: "lower" } },
          { name: "tiers of the plan", value: plan?.skeleton.tiers.length ?? 0, unit: "tiers" },
          { name: "misconceptions found in the class's answers", value: plan?.skeleton.misconceptions.length ?? 0, unit: "misconceptions" },
          { name: "Markdown size", value: Buffer.byteLength(last?.markdown ?? ""), unit: "bytes" },
        ],
        details: {
          students: STUDENTS,
          targets,
          prerequisitesAndTargets: pointIds.length,
          repeats,
          tierSizes: plan?.skeleton.tiers.map((t) => t.size),
        },
      };
    } finally {
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

export default suite;
