/** The demo school on the real embedded store with the real seed curriculum: the simulation, first-start seeding and reset. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updateMastery } from "../../src/bkt/online.js";
import { DEFAULT_PARAMETERS } from "../../src/bkt/parameters.js";
import { loadConfig } from "../../src/config.js";
import type { AttemptRecord } from "../../src/graph/store.js";
import { createLogger } from "../../src/logger.js";
import {
  type DemoCurriculum,
  type DemoDefinition,
  DemoSchoolError,
  loadDemoCurriculum,
  loadDemoDefinition,
  planDemoSchool,
  resetDemoSchool,
  schoolDays,
} from "../../src/services/demo-school.js";
import { openRuntime, type Runtime } from "../../src/services/runtime.js";

const quiet = createLogger("silent");
/** A fixed end date, so that plans made in the tests do not depend on the day they run. */
const UNTIL = new Date("2026-03-20T12:00:00Z");

function settings(env: Record<string, string> = {}, dataDir = mkdtempSync(join(tmpdir(), "pathwise-demo-"))) {
  return loadConfig({ PATHWISE_DATA_DIR: dataDir, ...env });
}

async function allAttempts(runtime: Runtime, studentIds: readonly string[]): Promise<AttemptRecord[]> {
  const pages = await Promise.all(studentIds.map((id) => runtime.store.learners.attemptHistory(id, { limit: 100_000 })));
  return pages.flatMap((page) => page.nodes);
}

async function attemptCount(runtime: Runtime, schoolId = "demo"): Promise<number> {
  const students = await runtime.store.learners.listStudents(schoolId);
  const pages = await Promise.all(students.map((s) => runtime.store.learners.attemptHistory(s.id, { limit: 1 })));
  return pages.reduce((sum, page) => sum + page.totalCount, 0);
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

describe("the demo school", () => {
  let dataDir: string;
  let runtime: Runtime;
  let definition: DemoDefinition;
  let curriculum: DemoCurriculum;

  beforeAll(async () => {
    const config = settings();
    dataDir = config.dataDir;
    runtime = await openRuntime(config, quiet, { seed: true });
    definition = loadDemoDefinition();
    curriculum = await loadDemoCurriculum(runtime.store, runtime.curriculum.index, definition);
  });

  afterAll(async () => {
    await runtime?.close();
  });

  describe("the simulation", () => {
    it("is deterministic for a seed and end date, and another seed gives another history", () => {
      const a = planDemoSchool(definition, curriculum, { until: UNTIL });
      const b = planDemoSchool(definition, curriculum, { until: UNTIL });
      expect(b).toEqual(a);
      const other = planDemoSchool(definition, curriculum, { until: UNTIL, seed: definition.seed + 1 });
      expect(other.classes).toEqual(a.classes);
      expect(other.answers).not.toEqual(a.answers);
    });

    it("spans the configured weeks of school days, ending before the end date", () => {
      const days = schoolDays(UNTIL, 30);
      expect(days).toHaveLength(30);
      expect(days.every((day) => day.getUTCDay() >= 1 && day.getUTCDay() <= 5)).toBe(true);
      expect(days.at(-1)?.toISOString().slice(0, 10)).toBe("2026-03-19");
      const plan = planDemoSchool(definition, curriculum, { until: UNTIL });
      expect(plan.from).toBe("2026-02-06");
      expect(plan.to).toBe("2026-03-19");
      for (const answer of plan.answers) expect(Date.parse(answer.answeredAt as string)).toBeLessThan(UNTIL.getTime());
    });

    it("has 3 classes of 30 pseudonymous students, a teacher each, and the ids of the printed demo tokens", () => {
      const plan = planDemoSchool(definition, curriculum, { until: UNTIL });
      expect(plan.skippedClasses).toEqual([]);
      expect(plan.classes.map((c) => [c.name, c.grade, c.subjectId])).toEqual([
        ["4A-math", 4, "math"],
        ["7A-math", 7, "math"],
        ["7B-ai", 7, "ai"],
      ]);
      for (const c of plan.classes) {
        expect(c.studentIds).toHaveLength(30);
        expect(c.teacherIds).toContain("demo-teacher");
        expect(c.pointIds.length).toBeGreaterThanOrEqual(10);
        // Taught points are of the class's grade and subject, in teaching order; revised ones from earlier grades.
        const index = curriculum.index;
        expect(c.pointIds.every((id) => index.point(id)?.grade === c.grade && index.point(id)?.subjectId === c.subjectId)).toBe(true);
        const ranks = c.pointIds.map((id) => index.topologicalRank(id));
        expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
        expect(c.reviewPointIds.length).toBeGreaterThan(0);
        expect(c.reviewPointIds.every((id) => (index.point(id)?.grade ?? 99) < c.grade)).toBe(true);
      }
      expect(plan.classes.find((c) => c.name === "7A-math")?.teacherIds).toContain("t-1");
      expect(plan.classes.find((c) => c.name === "7A-math")?.studentIds).toContain("demo-student");
      expect(plan.students).toHaveLength(90);
      expect(new Set(plan.students.map((s) => s.id)).size).toBe(90);
      expect(new Set(plan.students.map((s) => s.displayName)).size).toBe(90);
      expect(plan.students.every((s) => /^\p{Script=Han}{2,5}$/u.test(s.displayName))).toBe(true);
    });

    it("gives every student 10–40 answers a week, on real items of the class's points", () => {
      const plan = planDemoSchool(definition, curriculum, { until: UNTIL });
      const from = Date.parse(`${plan.from}T00:00:00Z`);
      const perWeek = new Map<string, number>();
      for (const answer of plan.answers) {
        const week = Math.floor((Date.parse(answer.answeredAt as string) + 8 * 3_600_000 - from) / (7 * 86_400_000));
        const key = `${answer.studentId}/${week}`;
        perWeek.set(key, (perWeek.get(key) ?? 0) + 1);
      }
      expect(perWeek.size).toBe(90 * 6);
      for (const count of perWeek.values()) {
        expect(count).toBeGreaterThanOrEqual(10);
        expect(count).toBeLessThanOrEqual(40);
      }
      const classOf = new Map(plan.students.map((s) => [s.id, plan.classes.find((c) => c.id === s.classId)]));
      for (const answer of plan.answers) {
        const points = curriculum.index.pointsOfItem(answer.itemId).map((link) => link.id);
        const own = classOf.get(answer.studentId);
        expect(points.some((id) => own?.pointIds.includes(id) || own?.reviewPointIds.includes(id))).toBe(true);
      }
    });
  });

  describe("created on first start", () => {
    it("writes the roster and the history through the answer path", async () => {
      expect(runtime.demo).toMatchObject({ schoolId: "demo", classes: 3, teachers: 4, students: 90, skipped: 0 });
      expect(runtime.demo?.attempts).toBeGreaterThan(90 * 6 * 10);
      expect(runtime.demo?.attempts).toBeLessThan(90 * 6 * 40);
      expect(await attemptCount(runtime)).toBe(runtime.demo?.attempts);
      const [school] = await runtime.store.learners.getSchools(["demo"]);
      expect(school?.name).toBe("示范学校 / Demo School");
      expect(await runtime.store.learners.classesOfTeacher("t-1")).toEqual(["demo:7A-math"]);
      expect(await runtime.store.learners.classesOfTeacher("demo-teacher")).toHaveLength(3);
      expect(await runtime.store.learners.classesOfStudent("demo-student")).toEqual(["demo:7A-math"]);
      for (const c of await runtime.store.learners.listClasses("demo")) {
        expect(await runtime.store.learners.studentsOfClass(c.id)).toHaveLength(30);
      }
    });

    it("records only real items, and misconceptions of the points the items assess", async () => {
      const students = (await runtime.store.learners.listStudents("demo")).map((s) => s.id);
      const attempts = await allAttempts(runtime, students);
      const index = runtime.curriculum.index;
      expect(attempts.every((a) => index.hasItem(a.itemId))).toBe(true);
      const revealing = attempts.filter((a) => a.misconceptionIds.length > 0);
      expect(revealing.length).toBeGreaterThan(200);
      expect(revealing.every((a) => !a.correct)).toBe(true);
      expect(new Set(revealing.flatMap((a) => a.misconceptionIds)).size).toBeGreaterThan(20);
      for (const a of revealing) {
        for (const id of a.misconceptionIds) expect(index.misconceptionsOfItem(a.itemId)).toContain(id);
      }
      // A plausible share of wrong answers, and both kinds of outcome on every class.
      const wrong = attempts.filter((a) => !a.correct).length / attempts.length;
      expect(wrong).toBeGreaterThan(0.1);
      expect(wrong).toBeLessThan(0.5);
    });

    it("stores the mastery that replaying the answers with the BKT update gives (nothing written directly)", async () => {
      for (const studentId of ["demo-student", "demo-4a-07", "demo-7b-30"]) {
        const attempts = (await allAttempts(runtime, [studentId])).sort((a, b) => a.sequence - b.sequence);
        expect(attempts.map((a) => a.sequence)).toEqual(attempts.map((_, i) => i + 1));
        const times = attempts.map((a) => Date.parse(a.answeredAt));
        expect(times).toEqual([...times].sort((x, y) => x - y));
        const expected = new Map<string, number>();
        for (const attempt of attempts) {
          for (const change of attempt.mastery) {
            const before = expected.get(change.knowledgePointId) ?? DEFAULT_PARAMETERS.prior;
            expect(change.before).toBeCloseTo(before, 12);
            expected.set(change.knowledgePointId, updateMastery(before, attempt.correct, DEFAULT_PARAMETERS));
          }
        }
        const stored = await runtime.learning.studentMastery(studentId);
        expect(stored).toHaveLength(expected.size);
        for (const row of stored) expect(row.probability).toBeCloseTo(expected.get(row.knowledgePointId) as number, 12);
      }
    });

    it("differs across students, with abler students ahead, and rises over time on average", async () => {
      const plan = planDemoSchool(definition, curriculum);
      const ability = new Map(plan.students.map((s) => [s.id, s.ability]));
      for (const c of await runtime.store.learners.listClasses("demo")) {
        const matrix = await runtime.learning.classMastery(c.id);
        const byStudent = new Map<string, number[]>();
        for (const cell of matrix.cells) byStudent.set(cell.studentId, [...(byStudent.get(cell.studentId) ?? []), cell.probability]);
        const means = [...byStudent].map(([id, values]) => ({ ability: ability.get(id) as number, mastery: mean(values) }));
        expect(means).toHaveLength(30);
        const spread = Math.max(...means.map((m) => m.mastery)) - Math.min(...means.map((m) => m.mastery));
        expect(spread).toBeGreaterThan(0.2);
        means.sort((a, b) => a.ability - b.ability);
        expect(mean(means.slice(-10).map((m) => m.mastery))).toBeGreaterThan(mean(means.slice(0, 10).map((m) => m.mastery)));
        const states = new Set(matrix.cells.map((cell) => cell.state));
        expect(states).toEqual(new Set(["learning", "mastered"]));
      }
      // Per student and point: mastery after the last answer above mastery before the first, on average by far.
      const students = (await runtime.store.learners.listStudents("demo")).map((s) => s.id);
      const first = new Map<string, number>();
      const last = new Map<string, number>();
      for (const attempt of (await allAttempts(runtime, students)).sort((a, b) => a.sequence - b.sequence)) {
        for (const change of attempt.mastery) {
          const key = `${attempt.studentId}/${change.knowledgePointId}`;
          if (!first.has(key)) first.set(key, change.before);
          last.set(key, change.after);
        }
      }
      const gains = [...first].map(([key, before]) => (last.get(key) as number) - before);
      expect(mean(gains)).toBeGreaterThan(0.3);
    });

    it("runs once: a second start of the same store adds nothing", async () => {
      const again = await openRuntime(settings({}, dataDir), quiet, { seed: true });
      try {
        expect(again.demo).toBeUndefined();
        expect(await attemptCount(again)).toBe(runtime.demo?.attempts);
        expect(await again.store.learners.listStudents("demo")).toHaveLength(90);
      } finally {
        await again.close();
      }
    });
  });

  describe("first start without the demo", () => {
    it("is skipped with PATHWISE_DEMO=0, and off by default in production mode", async () => {
      expect(loadConfig({ PATHWISE_MODE: "production" }).demo).toBe(false);
      expect(loadConfig({ PATHWISE_MODE: "development" }).demo).toBe(true);
      expect(loadConfig({ PATHWISE_MODE: "production", PATHWISE_DEMO: "1" }).demo).toBe(true);
      expect(() => loadConfig({ PATHWISE_DEMO: "maybe" })).toThrow(/PATHWISE_DEMO must be true or false/);
      const off = await openRuntime(settings({ PATHWISE_DEMO: "0" }), quiet, { seed: true });
      try {
        expect(off.demo).toBeUndefined();
        expect(off.curriculum.index.pointCount).toBeGreaterThan(250);
        expect(await off.store.learners.listSchoolIds(1000)).toEqual([]);
      } finally {
        await off.close();
      }
    });

    it("is skipped when the store already has a school, or the curriculum has none of the demo's classes", async () => {
      const config = settings();
      const first = await openRuntime(config, quiet);
      await first.store.learners.upsertSchool({ id: "school-a" });
      await first.close();
      const started = await openRuntime(config, quiet, { seed: true });
      try {
        expect(started.demo).toBeUndefined();
        expect(await started.store.learners.listSchoolIds(1000)).toEqual(["school-a"]);
      } finally {
        await started.close();
      }
      const mini = await openRuntime(settings({ PATHWISE_SEED_PATH: "tests/fixtures/curriculum/mini" }), quiet, { seed: true });
      try {
        expect(mini.demo).toBeUndefined();
        expect(await mini.store.learners.listSchoolIds(1000)).toEqual([]);
      } finally {
        await mini.close();
      }
    });
  });

  describe("reset", () => {
    it("removes the demo school with answers given since and creates it again", async () => {
      const config = settings({ PATHWISE_DEMO: "0" });
      const rt = await openRuntime(config, quiet, { seed: true });
      const deps = { store: rt.store, index: rt.curriculum.index, learning: rt.learning, logger: quiet };
      try {
        const created = await resetDemoSchool(deps, { until: UNTIL });
        expect(created.removed).toEqual({ students: 0, attempts: 0 });
        const planned = planDemoSchool(definition, curriculum, { until: UNTIL }).answers.length;
        expect(created.attempts).toBe(planned);
        // A live answer in the demo, then a reset: back to the simulated history alone.
        const item = [...curriculum.items.values()].find((i) => i.type === "single_choice");
        if (item?.type !== "single_choice") throw new Error("the demo points have no single-choice item");
        const live = await rt.learning.submitAnswer({
          studentId: "demo-student",
          itemId: item.id,
          response: { kind: "options", optionIds: [item.answer] },
          idempotencyKey: "live-1",
        });
        expect(live.replayed).toBe(false);
        expect(await attemptCount(rt)).toBe(planned + 1);
        const again = await resetDemoSchool(deps, { until: UNTIL });
        expect(again.removed).toEqual({ students: 90, attempts: planned + 1 });
        expect(await attemptCount(rt)).toBe(planned);
        expect(await rt.store.learners.listStudents("demo")).toHaveLength(90);
      } finally {
        await rt.close();
      }
    });

    it("refuses, changing nothing, when a demo id belongs to another school", async () => {
      const rt = await openRuntime(settings({ PATHWISE_DEMO: "0" }), quiet, { seed: true });
      try {
        await rt.store.learners.applyRoster({
          school: { id: "real-school" },
          classes: [{ id: "real-school:7A", name: "7A", grade: 7 }],
          teachers: [{ id: "t-1" }],
          students: [],
          enrolments: [],
          teaching: [{ classId: "real-school:7A", teacherId: "t-1" }],
        });
        const deps = { store: rt.store, index: rt.curriculum.index, learning: rt.learning, logger: quiet };
        await expect(resetDemoSchool(deps, { until: UNTIL })).rejects.toThrow(DemoSchoolError);
        await expect(resetDemoSchool(deps, { until: UNTIL })).rejects.toThrow(/teacher t-1 belongs to school real-school/);
        expect(await rt.store.learners.listSchoolIds(1000)).toEqual(["real-school"]);
        expect(await rt.store.learners.classesOfTeacher("t-1")).toEqual(["real-school:7A"]);
      } finally {
        await rt.close();
      }
    });
  });
});
