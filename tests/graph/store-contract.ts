/**
 * The behaviour every KnowledgeGraphStore backend must have. Run by sqlite-store.test.ts always
 * and by neo4j-store.test.ts when NEO4J_URI is set (see docs/neo4j.md).
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CurriculumValidationError } from "../../src/curriculum/errors.js";
import { importCurriculum } from "../../src/curriculum/importer.js";
import { InvalidBktParameterSetError } from "../../src/graph/bkt-parameter-set.js";
import { KnowledgeGraphIndex } from "../../src/graph/knowledge-graph-index.js";
import { InvalidLearnerDataError } from "../../src/graph/learner-records.js";
import type {
  AttemptRecord,
  BktPointParameters,
  CalibrationState,
  KnowledgeGraphStore,
  NewAttempt,
  NewBktParameterSet,
  NewLessonPlan,
  RosterChanges,
} from "../../src/graph/store.js";
import { point, unitWith, writePackage } from "../support/curriculum-files.js";

export const MINI = "tests/fixtures/curriculum/mini";

/** A writable copy of the mini fixture, to edit per test. */
export function copyOfMini(): string {
  const directory = join(mkdtempSync(join(tmpdir(), "pathwise-mini-")), "mini");
  cpSync(MINI, directory, { recursive: true });
  return directory;
}

/** A copy of mini with one more point, mini.kp.bonus, that the original fixture does not have. */
export function miniWithBonusPoint(): string {
  const directory = copyOfMini();
  writeFileSync(
    join(directory, "bonus.yaml"),
    `units:
  - id: mini.u.bonus
    name: { zh: 附加单元, en: Bonus unit }
    grade: 5
    stage: mini.s3
    domain: NA.NO
    order: 3
    knowledgePoints:
      - id: mini.kp.bonus
        name: { zh: 附加, en: Bonus }
        description: { zh: 附加知识点。, en: A bonus point. }
        standardCode: NA.NO.5.9
        difficultyBand: 2
`,
  );
  return directory;
}

/** Packages of subject t that refer to mini.kp.bonus in one way each. */
const REFERENCES_TO_BONUS: Record<string, string> = {
  prerequisite: unitWith(point("t.kp.a", ["mini.kp.bonus"])),
  item: `${unitWith(point("t.kp.a"))}items:
  - id: t.item.q1
    type: numeric
    stem: { zh: 题, en: Q }
    knowledgePoints: [t.kp.a, mini.kp.bonus]
    difficulty: 1
    answer: { value: 1 }
`,
  misconception: `misconceptions:
  - id: t.mis.m1
    name: { zh: 误解, en: Misconception }
    description: { zh: 描述, en: Description }
    knowledgePoints: [mini.kp.bonus]
`,
  resource: `resources:
  - id: t.res.r1
    kind: activity
    title: { zh: 活动, en: Activity }
    body: { zh: 内容, en: Body }
    knowledgePoints: [mini.kp.bonus]
`,
};

/** One point's parameters; `prior` varies so that tests can tell sets apart. */
export function pointParameters(knowledgePointId: string, prior: number, extra: Partial<BktPointParameters> = {}): BktPointParameters {
  return { knowledgePointId, prior, learn: 0.15, forget: 0, slip: 0.1, guess: 0.2, ...extra };
}

/** A parameter set with full provenance over the given points. */
export function parameterSet(points: BktPointParameters[], overrides: Partial<NewBktParameterSet> = {}): NewBktParameterSet {
  return {
    variant: "standard",
    fittedAt: "2026-05-01T12:00:00.000Z",
    source: { data: "answers-2026-04.csv.gz", rows: 1200, students: 80 },
    fit: { logLikelihood: -612.5, iterations: 41, warnings: 1 },
    createdBy: "contract-test",
    points,
    ...overrides,
  };
}

export function storeContract(name: string, openEmptyStore: () => Promise<KnowledgeGraphStore>): void {
  describe(`${name} store contract`, () => {
    let store: KnowledgeGraphStore;
    beforeEach(async () => {
      store = await openEmptyStore();
    });
    afterEach(async () => {
      await store.close();
    });

    it("migrates idempotently and answers ping", async () => {
      await store.migrate();
      await store.migrate();
      await expect(store.ping()).resolves.toBeUndefined();
      expect(await store.curriculum.listSubjects()).toEqual([]);
      expect(await store.curriculum.curriculumRevision()).toBe(0);
    });

    it("imports a curriculum and reads every kind back", async () => {
      const report = await importCurriculum(store, MINI);
      expect(report.wrote).toBe(true);
      expect(report.added).toMatchObject({ subjects: 1, knowledgePoints: 5, prerequisites: 5, items: 12, itemTemplates: 2 });
      expect(await store.curriculum.curriculumRevision()).toBe(1);

      const [subject] = await store.curriculum.listSubjects();
      expect(subject).toMatchObject({ id: "mini", name: { zh: "迷你数学", en: "Mini maths" }, version: "test-1" });
      expect((await store.curriculum.listStages("mini")).map((s) => s.id)).toEqual(["mini.s2", "mini.s3"]);
      expect((await store.curriculum.listDomains("mini")).map((d) => d.code)).toEqual(["NA", "NA.NO"]);
      expect((await store.curriculum.listUnits("mini", 5)).map((u) => u.id)).toEqual(["mini.u.fractions-add"]);

      const [point, missing] = await store.curriculum.getKnowledgePoints(["mini.kp.add-unlike", "nope"]);
      expect(point).toMatchObject({ unitId: "mini.u.fractions-add", grade: 5, difficultyBand: 4, standardCode: "NA.NO.5.3" });
      expect(missing).toBeUndefined();

      const [item] = await store.curriculum.getItems(["mini.item.unlike-1"]);
      expect(item).toMatchObject({
        type: "multiple_choice",
        answer: ["A", "B"],
        knowledgePoints: [{ id: "mini.kp.common-denominator", weight: 0.5 }],
      });
      const [template] = await store.curriculum.getItemTemplates(["mini.tpl.add-like"]);
      expect(template?.count).toBe(5);
      const [misconception] = await store.curriculum.getMisconceptions(["mini.mis.add-across"]);
      expect(misconception?.knowledgePointIds).toEqual(["mini.kp.add-like", "mini.kp.add-unlike"]);
      const [resource] = await store.curriculum.getResources(["mini.res.fraction-strips"]);
      expect(resource).toMatchObject({ kind: "activity", durationMinutes: 10 });
      expect(await store.curriculum.getSubjects(["mini"])).toHaveLength(1);
      expect((await store.curriculum.getUnits(["mini.u.fractions-meaning"]))[0]?.grade).toBe(3);
      expect(await store.curriculum.lastImport()).toMatchObject({ subjects: [{ id: "mini", version: "test-1" }] });
    });

    it("searches knowledge points by name, grade and unit in teaching order", async () => {
      await importCurriculum(store, MINI);
      const byText = await store.curriculum.searchKnowledgePoints({ text: "FRACTION" }, { limit: 10, offset: 0 });
      expect(byText.totalCount).toBe(4);
      expect(byText.nodes.map((k) => k.id)).toEqual([
        "mini.kp.unit-fraction",
        "mini.kp.fraction-compare",
        "mini.kp.add-like",
        "mini.kp.add-unlike",
      ]);
      const byChinese = await store.curriculum.searchKnowledgePoints({ text: "通分" }, { limit: 10, offset: 0 });
      expect(byChinese.nodes.map((k) => k.id)).toEqual(["mini.kp.common-denominator"]);
      const paged = await store.curriculum.searchKnowledgePoints({ grade: 5 }, { limit: 2, offset: 1 });
      expect(paged.totalCount).toBe(3);
      expect(paged.nodes.map((k) => k.id)).toEqual(["mini.kp.add-like", "mini.kp.add-unlike"]);
      const byUnit = await store.curriculum.searchKnowledgePoints({ unitId: "mini.u.fractions-meaning" }, { limit: 10, offset: 0 });
      expect(byUnit.totalCount).toBe(2);
      const literal = await store.curriculum.searchKnowledgePoints({ text: "%_" }, { limit: 10, offset: 0 });
      expect(literal.totalCount).toBe(0);
    });

    it("gives the index the whole structure", async () => {
      await importCurriculum(store, MINI);
      const index = KnowledgeGraphIndex.build(await store.curriculum.loadGraphSnapshot());
      expect(index.pointCount).toBe(5);
      expect(index.itemCount).toBe(12);
      expect(index.prerequisitesOf("mini.kp.add-unlike")).toEqual(
        expect.arrayContaining([
          { id: "mini.kp.common-denominator", weight: 1 },
          { id: "mini.kp.add-like", weight: 0.8 },
        ]),
      );
      expect(index.itemsOf("mini.kp.add-like").map((l) => l.id)).toHaveLength(5);
      expect(index.misconceptionsOfItem("mini.tpl.add-unlike.1")).toEqual(["mini.mis.add-across"]);
      expect([...index.resourcesOf("mini.kp.unit-fraction")]).toEqual(["mini.res.fraction-strips"]);
      expect([...index.misconceptionsOf("mini.kp.fraction-compare")]).toEqual(["mini.mis.bigger-denominator"]);
    });

    it("re-imports idempotently: nothing written, everything unchanged", async () => {
      await importCurriculum(store, MINI);
      const again = await importCurriculum(store, MINI);
      expect(again.wrote).toBe(false);
      expect(again.changeCount).toBe(0);
      expect(again.unchanged.items).toBe(12);
      expect(await store.curriculum.curriculumRevision()).toBe(1);
    });

    it("reports added, changed and removed entities and applies them", async () => {
      await importCurriculum(store, MINI);
      const edited = copyOfMini();
      const file = join(edited, "fractions.yaml");
      let text = readFileSync(file, "utf8");
      text = text.replace("认识几分之一", "认识几分之一（修订）");
      // Drop the short-answer item and the compare prerequisite; add a resource.
      text = text.replace(/ {2}- id: mini\.item\.word-1[\s\S]*?accept: \[分母, denominator\] \}\n/, "");
      text = text.replace("        prerequisites: [mini.kp.unit-fraction]\n  - id: mini.u.fractions-add", "  - id: mini.u.fractions-add");
      text += `  - id: mini.res.number-line
    kind: explanation
    title: { zh: 数轴上的分数, en: Fractions on a number line }
    body: { zh: 在数轴上标出分数。, en: Mark fractions on a number line. }
    knowledgePoints: [mini.kp.fraction-compare]
`;
      writeFileSync(file, text);
      const report = await importCurriculum(store, edited);
      expect(report.changed.knowledgePoints).toBe(1);
      expect(report.removed.items).toBe(1);
      expect(report.removed.prerequisites).toBe(1);
      expect(report.added.resources).toBe(1);
      expect(report.unchanged.items).toBe(11);

      expect((await store.curriculum.getKnowledgePoints(["mini.kp.unit-fraction"]))[0]?.name.zh).toBe("认识几分之一（修订）");
      expect(await store.curriculum.getItems(["mini.item.word-1"])).toEqual([undefined]);
      const index = KnowledgeGraphIndex.build(await store.curriculum.loadGraphSnapshot());
      expect(index.prerequisitesOf("mini.kp.fraction-compare")).toEqual([]);
      expect([...index.resourcesOf("mini.kp.fraction-compare")].sort()).toEqual(["mini.res.fraction-strips", "mini.res.number-line"]);
      expect(index.itemsOf("mini.kp.unit-fraction").map((l) => l.id)).toEqual(["mini.item.unit-fraction-1"]);
      expect(await store.curriculum.curriculumRevision()).toBe(2);
    });

    it("writes nothing when validation fails", async () => {
      await importCurriculum(store, MINI);
      const broken = copyOfMini();
      const file = join(broken, "fractions.yaml");
      writeFileSync(file, readFileSync(file, "utf8").replace("认识几分之一", "新名字").replace("answer: B", "answer: Z"));
      await expect(importCurriculum(store, broken)).rejects.toBeInstanceOf(CurriculumValidationError);
      expect((await store.curriculum.getKnowledgePoints(["mini.kp.unit-fraction"]))[0]?.name.zh).toBe("认识几分之一");
      expect(await store.curriculum.curriculumRevision()).toBe(1);
    });

    it("gives a subject the same hashes whichever subjects are imported with it", async () => {
      await importCurriculum(store, MINI);
      const root = join(mkdtempSync(join(tmpdir(), "pathwise-set-")), "set");
      cpSync(writePackage({ "units.yaml": unitWith(point("t.kp.a")) }), join(root, "aaa"), { recursive: true });
      cpSync(MINI, join(root, "mini"), { recursive: true });
      const report = await importCurriculum(store, root);
      expect(report.subjects).toEqual(["t", "mini"]);
      expect(Object.values(report.changed).every((n) => n === 0)).toBe(true);
      expect(report.removed.stages + report.removed.domains).toBe(0);
      expect(report.added).toMatchObject({ subjects: 1, stages: 1, domains: 1, knowledgePoints: 1 });
      expect(report.unchanged).toMatchObject({ subjects: 1, stages: 2, domains: 2, knowledgePoints: 5, items: 12 });
    });

    for (const [kind, files] of Object.entries(REFERENCES_TO_BONUS)) {
      it(`refuses to remove a point another subject's ${kind} refers to, writing nothing`, async () => {
        await importCurriculum(store, miniWithBonusPoint());
        await importCurriculum(store, writePackage({ "refs.yaml": files }));
        const revision = await store.curriculum.curriculumRevision();
        const error = await importCurriculum(store, MINI).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(CurriculumValidationError);
        const issues = (error as CurriculumValidationError).issues;
        expect(issues.length).toBeGreaterThan(0);
        for (const issue of issues) {
          expect(issue).toMatchObject({ code: "REMOVAL_BREAKS_REFERENCE", id: "mini.kp.bonus" });
          expect(issue.message).toMatch(/cannot remove knowledge point "mini\.kp\.bonus": .*\(subject t\)/);
        }
        expect(issues.map((i) => i.message).join("\n")).toContain(kind === "prerequisite" ? "knowledge point" : kind);
        // Nothing was written: the point and every link to it are still there.
        expect(await store.curriculum.curriculumRevision()).toBe(revision);
        expect((await store.curriculum.getKnowledgePoints(["mini.kp.bonus"]))[0]?.id).toBe("mini.kp.bonus");
        const index = KnowledgeGraphIndex.build(await store.curriculum.loadGraphSnapshot());
        expect(index.hasPoint("mini.kp.bonus")).toBe(true);
        // A dry run is refused the same way.
        await expect(importCurriculum(store, MINI, { dryRun: true })).rejects.toBeInstanceOf(CurriculumValidationError);
        // Once the other subject drops the reference, the removal goes through.
        await importCurriculum(store, writePackage({}));
        const report = await importCurriculum(store, MINI);
        expect(report.removed.knowledgePoints).toBe(1);
        const snapshot = await store.curriculum.loadGraphSnapshot();
        const linked = [
          ...snapshot.prerequisites.flatMap((e) => [e.fromId, e.toId]),
          ...snapshot.itemKnowledgePoints.map((l) => l.knowledgePointId),
          ...snapshot.misconceptionKnowledgePoints.map((l) => l.knowledgePointId),
          ...snapshot.resourceKnowledgePoints.map((l) => l.knowledgePointId),
        ];
        expect(linked).not.toContain("mini.kp.bonus");
      });
    }

    it("allows removing a referenced point when the referring subject is replaced in the same import", async () => {
      await importCurriculum(store, miniWithBonusPoint());
      await importCurriculum(store, writePackage({ "refs.yaml": REFERENCES_TO_BONUS.resource as string }));
      const root = join(mkdtempSync(join(tmpdir(), "pathwise-set-")), "set");
      cpSync(writePackage({}), join(root, "aaa"), { recursive: true });
      cpSync(MINI, join(root, "mini"), { recursive: true });
      const report = await importCurriculum(store, root);
      expect(report.removed).toMatchObject({ knowledgePoints: 1, resources: 1 });
    });

    describe("BKT parameters", () => {
      const priorsOf = async (ids: string[]) => (await store.bktParameters.currentParameters(ids)).map((p) => p && [p.setId, p.prior]);

      it("saves a set with its provenance and makes its points current", async () => {
        expect(await store.bktParameters.listParameterSets()).toEqual([]);
        expect(await store.bktParameters.parameterRevision()).toBe(0);
        const items = { "mini.item.like-1": { guess: 0.3, slip: 0.05 } };
        const saved = await store.bktParameters.saveParameterSet(
          parameterSet(
            [pointParameters("mini.kp.add-like", 0.4, { items, itemLearn: { "mini.item.like-1": 0.25 } }), pointParameters("Angles", 0.6)],
            {
              id: "set-a",
              variant: "item-difficulty",
              metrics: { pooled: { auc: 0.71, rmse: 0.42 }, folds: 5 },
            },
          ),
        );
        expect(saved).toMatchObject({
          id: "set-a",
          variant: "item-difficulty",
          fittedAt: "2026-05-01T12:00:00.000Z",
          source: { data: "answers-2026-04.csv.gz", rows: 1200, students: 80 },
          fit: { logLikelihood: -612.5, iterations: 41, warnings: 1 },
          metrics: { pooled: { auc: 0.71, rmse: 0.42 }, folds: 5 },
          createdBy: "contract-test",
          activation: 1,
          pointCount: 2,
          currentPointCount: 2,
        });
        expect(Date.parse(saved.savedAt)).not.toBeNaN();
        expect(Date.parse(saved.activatedAt ?? "")).not.toBeNaN();
        expect(await store.bktParameters.getParameterSet("set-a")).toEqual(saved);
        expect(await store.bktParameters.listParameterSets()).toEqual([saved]);
        expect(await store.bktParameters.getParameterSet("nope")).toBeUndefined();

        const [fitted, external, never] = await store.bktParameters.currentParameters([
          "mini.kp.add-like",
          "Angles",
          "mini.kp.unit-fraction",
        ]);
        expect(fitted).toEqual({
          ...pointParameters("mini.kp.add-like", 0.4, { items, itemLearn: { "mini.item.like-1": 0.25 } }),
          setId: "set-a",
          variant: "item-difficulty",
          fittedAt: "2026-05-01T12:00:00.000Z",
          activatedAt: saved.activatedAt,
        });
        expect(external).toMatchObject({ knowledgePointId: "Angles", prior: 0.6, setId: "set-a" });
        expect(external).not.toHaveProperty("items");
        expect(never).toBeUndefined();
        expect(await store.bktParameters.currentParameters([])).toEqual([]);
        expect(await store.bktParameters.parameterRevision()).toBe(1);
      });

      it("keeps every set; per point the most recently activated set is current", async () => {
        await store.bktParameters.saveParameterSet(parameterSet([pointParameters("x", 0.1), pointParameters("y", 0.11)], { id: "a" }));
        await store.bktParameters.saveParameterSet(parameterSet([pointParameters("x", 0.2), pointParameters("z", 0.22)], { id: "b" }));
        expect(await priorsOf(["x", "y", "z"])).toEqual([
          ["b", 0.2],
          ["a", 0.11],
          ["b", 0.22],
        ]);

        // Saved without activation: stored and listed, current nowhere.
        const c = await store.bktParameters.saveParameterSet(parameterSet([pointParameters("x", 0.3)], { id: "c" }), { activate: false });
        expect(c.activation).toBeUndefined();
        expect(c.activatedAt).toBeUndefined();
        expect(c.currentPointCount).toBe(0);
        expect((await priorsOf(["x"]))[0]).toEqual(["b", 0.2]);
        const revision = await store.bktParameters.parameterRevision();
        expect(revision).toBe(2);

        // Re-activating the older set makes it current again for its points only.
        const a = await store.bktParameters.activateParameterSet("a");
        expect(a.currentPointCount).toBe(2);
        expect(await store.bktParameters.parameterRevision()).toBeGreaterThan(revision);
        expect(await priorsOf(["x", "y", "z"])).toEqual([
          ["a", 0.1],
          ["a", 0.11],
          ["b", 0.22],
        ]);
        const sets = await store.bktParameters.listParameterSets();
        expect(sets.map((s) => [s.id, s.pointCount, s.currentPointCount])).toEqual([
          ["c", 1, 0],
          ["b", 2, 1],
          ["a", 2, 2],
        ]);

        const history = await store.bktParameters.parameterHistory("x");
        expect(history.map((h) => [h.setId, h.prior, h.current])).toEqual([
          ["c", 0.3, false],
          ["b", 0.2, false],
          ["a", 0.1, true],
        ]);
        expect(history[0]).not.toHaveProperty("activatedAt");
        expect(history[2]).toMatchObject({ variant: "standard", fittedAt: "2026-05-01T12:00:00.000Z", activatedAt: a.activatedAt });
        expect(await store.bktParameters.parameterHistory("never-fitted")).toEqual([]);

        await store.bktParameters.activateParameterSet("c");
        expect(await priorsOf(["x", "y"])).toEqual([
          ["c", 0.3],
          ["a", 0.11],
        ]);
        await expect(store.bktParameters.activateParameterSet("ghost")).rejects.toThrow(/unknown BKT parameter set: ghost/);
      });

      it("generates an id when none is given, and never overwrites a set", async () => {
        const first = await store.bktParameters.saveParameterSet(parameterSet([pointParameters("x", 0.1)]));
        expect(first.id).toMatch(/^bkt-\d{8}T\d{6}Z-[0-9a-f]{6}$/);
        const second = await store.bktParameters.saveParameterSet(parameterSet([pointParameters("x", 0.2)]));
        expect(second.id).not.toBe(first.id);
        await expect(store.bktParameters.saveParameterSet(parameterSet([pointParameters("x", 0.9)], { id: first.id }))).rejects.toThrow(
          /already exists/,
        );
        expect((await store.bktParameters.parameterHistory("x")).map((h) => h.prior)).toEqual([0.2, 0.1]);
      });

      it("rejects a set with a bad row before writing anything", async () => {
        await store.bktParameters.saveParameterSet(parameterSet([pointParameters("x", 0.1)], { id: "good" }));
        const before = await store.bktParameters.listParameterSets();
        const bad: [string, NewBktParameterSet][] = [
          ["prior", parameterSet([pointParameters("x", 0.5), pointParameters("y", 0.5), pointParameters("z", 1.5)], { id: "bad" })],
          ["slip", parameterSet([pointParameters("x", 0.5, { slip: -0.1 })], { id: "bad" })],
          ["guess", parameterSet([pointParameters("x", 0.5, { guess: Number.NaN })], { id: "bad" })],
          ["items.q1.guess", parameterSet([pointParameters("x", 0.5, { items: { q1: { guess: 2, slip: 0.1 } } })], { id: "bad" })],
          ["itemLearn.q1", parameterSet([pointParameters("x", 0.5, { itemLearn: { q1: 7 } })], { id: "bad" })],
          ["more than once", parameterSet([pointParameters("x", 0.5), pointParameters("x", 0.6)], { id: "bad" })],
          ["at least one", parameterSet([], { id: "bad" })],
          ["variant", parameterSet([pointParameters("x", 0.5)], { id: "bad", variant: "fancy" as never })],
          ["fittedAt", parameterSet([pointParameters("x", 0.5)], { id: "bad", fittedAt: "yesterday" })],
        ];
        for (const [problem, set] of bad) {
          const error = await store.bktParameters.saveParameterSet(set).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error, problem).toBeInstanceOf(InvalidBktParameterSetError);
          expect((error as Error).message).toContain(problem);
        }
        expect((await store.bktParameters.currentParameters(["x"]))[0]).toMatchObject({ setId: "good", prior: 0.1 });
        expect(await store.bktParameters.parameterHistory("y")).toEqual([]);
        expect(await store.bktParameters.listParameterSets()).toEqual(before);
        expect(await store.bktParameters.parameterRevision()).toBe(1);
      });

      it("leaves nothing behind when a write fails midway", async () => {
        // Valid values, but the last point's per-item record cannot be serialised: the write fails after earlier rows.
        const unserialisable = { q1: { guess: 0.2, slip: 0.1, note: 1n } } as unknown as BktPointParameters["items"];
        const set = parameterSet([pointParameters("x", 0.5), pointParameters("y", 0.5, { items: unserialisable })], { id: "half" });
        await expect(store.bktParameters.saveParameterSet(set)).rejects.toThrow();
        expect(await store.bktParameters.getParameterSet("half")).toBeUndefined();
        expect(await store.bktParameters.currentParameters(["x", "y"])).toEqual([undefined, undefined]);
        expect(await store.bktParameters.parameterRevision()).toBe(0);
      });
    });

    describe("learners", () => {
      const roster = (overrides: Partial<RosterChanges> = {}): RosterChanges => ({
        school: { id: "school-a", name: "School A" },
        classes: [
          { id: "school-a:7A", name: "7A", grade: 7, subjectId: "mini" },
          { id: "school-a:7B", name: "7B", grade: 7 },
        ],
        teachers: [{ id: "t-1", displayName: "Ms Li" }],
        students: [{ id: "s-1", displayName: "Wang" }, { id: "s-2" }, { id: "s-3" }],
        enrolments: [
          { classId: "school-a:7A", studentId: "s-1" },
          { classId: "school-a:7A", studentId: "s-2" },
          { classId: "school-a:7B", studentId: "s-3" },
        ],
        teaching: [{ classId: "school-a:7A", teacherId: "t-1" }],
        ...overrides,
      });

      /** An attempt whose update moves every point to `after` (the service computes real BKT numbers). */
      const attempt = (studentId: string, key: string, points: string[], after = 0.5, extra: Partial<NewAttempt> = {}): NewAttempt => ({
        studentId,
        itemId: "mini.item.compare-1",
        response: { kind: "options", optionIds: ["B"] },
        correct: true,
        misconceptionIds: [],
        idempotencyKey: key,
        payloadHash: `hash-${key}`,
        answeredAt: "2026-05-01T08:00:00.000Z",
        knowledgePointIds: points,
        update: (current) => ({
          predictedCorrect: 0.4,
          mastery: points.map((id, i) => ({
            knowledgePointId: id,
            before: current[i]?.probability ?? 0.2,
            after,
            predictedCorrect: 0.4,
            ...(i === 0 ? { parameterSetId: "set-1" } : {}),
          })),
        }),
        ...extra,
      });

      it("lists schools and deletes one with all its learner data, leaving the others", async () => {
        await store.learners.applyRoster(roster());
        await store.learners.applyRoster({
          school: { id: "school-b" },
          classes: [{ id: "school-b:1", name: "1", grade: 7 }],
          teachers: [],
          students: [{ id: "s-9" }],
          enrolments: [{ classId: "school-b:1", studentId: "s-9" }],
          teaching: [],
        });
        const points = ["mini.kp.compare"];
        await store.learners.recordAttempts([attempt("s-1", "d-1", points), attempt("s-1", "d-2", points), attempt("s-9", "d-3", points)]);
        expect(await store.learners.listSchoolIds(10)).toEqual(["school-a", "school-b"]);
        expect(await store.learners.listSchoolIds(1)).toEqual(["school-a"]);

        expect(await store.learners.deleteSchool("school-a")).toEqual({ students: 3, attempts: 2 });
        expect(await store.learners.listSchoolIds(10)).toEqual(["school-b"]);
        expect(await store.learners.getStudents(["s-1", "s-9"])).toEqual([undefined, expect.objectContaining({ id: "s-9" })]);
        expect(await store.learners.getClasses(["school-a:7A"])).toEqual([undefined]);
        expect(await store.learners.getTeachers(["t-1"])).toEqual([undefined]);
        expect(await store.learners.studentMastery("s-1")).toEqual([]);
        expect((await store.learners.attemptHistory("s-1", { limit: 10 })).nodes).toEqual([]);
        expect((await store.learners.attemptHistory("s-9", { limit: 10 })).nodes).toHaveLength(1);
        expect(await store.learners.deleteSchool("school-a")).toEqual({ students: 0, attempts: 0 });
      });

      it("applies a roster and answers every look-up by id and by school", async () => {
        const summary = await store.learners.applyRoster(roster());
        expect(summary).toEqual({
          schoolCreated: true,
          classes: { added: 2, updated: 0 },
          teachers: { added: 1, updated: 0 },
          students: { added: 3, updated: 0 },
          enrolments: { added: 3, unchanged: 0 },
          teaching: { added: 1, unchanged: 0 },
        });
        const [school, missing] = await store.learners.getSchools(["school-a", "nope"]);
        expect(school).toMatchObject({ id: "school-a", name: "School A" });
        expect(missing).toBeUndefined();
        expect(await store.learners.getClasses(["school-a:7B", "x", "school-a:7A"])).toEqual([
          { id: "school-a:7B", schoolId: "school-a", name: "7B", grade: 7 },
          undefined,
          { id: "school-a:7A", schoolId: "school-a", name: "7A", grade: 7, subjectId: "mini" },
        ]);
        expect(await store.learners.getStudents(["s-1", "s-2"])).toEqual([
          { id: "s-1", schoolId: "school-a", displayName: "Wang" },
          { id: "s-2", schoolId: "school-a" },
        ]);
        expect(await store.learners.getTeachers(["t-1"])).toEqual([{ id: "t-1", schoolId: "school-a", displayName: "Ms Li" }]);
        expect((await store.learners.listClasses("school-a")).map((c) => c.name)).toEqual(["7A", "7B"]);
        expect((await store.learners.listStudents("school-a")).map((s) => s.id)).toEqual(["s-1", "s-2", "s-3"]);
        expect((await store.learners.listTeachers("school-a")).map((t) => t.id)).toEqual(["t-1"]);
        expect(await store.learners.listStudents("school-b")).toEqual([]);
        expect(await store.learners.studentsOfClass("school-a:7A")).toEqual(["s-1", "s-2"]);
        expect(await store.learners.teachersOfClass("school-a:7A")).toEqual(["t-1"]);
        expect(await store.learners.classesOfStudent("s-3")).toEqual(["school-a:7B"]);
        expect(await store.learners.classesOfTeacher("t-1")).toEqual(["school-a:7A"]);

        // Re-applying updates in place; an absent display name keeps the stored one.
        const again = await store.learners.applyRoster(
          roster({
            students: [{ id: "s-1" }, { id: "s-2", displayName: "Zhao" }, { id: "s-3" }],
            classes: [{ id: "school-a:7A", name: "7A", grade: 8 }],
          }),
        );
        expect(again).toMatchObject({ schoolCreated: false, classes: { added: 0, updated: 1 }, students: { added: 0, updated: 3 } });
        expect(again.enrolments).toEqual({ added: 0, unchanged: 3 });
        expect(await store.learners.getStudents(["s-1", "s-2"])).toEqual([
          { id: "s-1", schoolId: "school-a", displayName: "Wang" },
          { id: "s-2", schoolId: "school-a", displayName: "Zhao" },
        ]);
        expect((await store.learners.getClasses(["school-a:7A"]))[0]).toEqual({
          id: "school-a:7A",
          schoolId: "school-a",
          name: "7A",
          grade: 8,
          subjectId: "mini",
        });
      });

      it("refuses a roster with ids of another school or unknown links, writing nothing", async () => {
        await store.learners.applyRoster(roster());
        const other = roster({
          school: { id: "school-b" },
          classes: [{ id: "school-b:1", name: "1" }],
          teachers: [],
          students: [{ id: "s-1" }, { id: "s-9" }],
          enrolments: [
            { classId: "school-b:1", studentId: "s-9" },
            { classId: "school-b:nope", studentId: "s-9" },
          ],
          teaching: [],
        });
        const error = await store.learners.applyRoster(other).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidLearnerDataError);
        expect((error as InvalidLearnerDataError).issues.join("\n")).toMatch(/student "s-1" belongs to another school/);
        expect((error as InvalidLearnerDataError).issues.join("\n")).toMatch(/class "school-b:nope" is neither in the roster/);
        expect(await store.learners.getSchools(["school-b"])).toEqual([undefined]);
        expect(await store.learners.getStudents(["s-9"])).toEqual([undefined]);
        await expect(store.learners.applyRoster(roster({ students: [{ id: "" }] }))).rejects.toThrow(InvalidLearnerDataError);
      });

      it("records an attempt with its mastery, and answers a repeated key with the stored attempt", async () => {
        await store.learners.applyRoster(roster());
        const points = ["mini.kp.fraction-compare", "mini.kp.unit-fraction"];
        const [first] = await store.learners.recordAttempts([attempt("s-1", "k-1", points, 0.6, { responseTimeMs: 4200 })]);
        expect(first?.status).toBe("recorded");
        const recorded = (first as { attempt: AttemptRecord }).attempt;
        expect(recorded).toMatchObject({
          studentId: "s-1",
          schoolId: "school-a",
          sequence: 1,
          itemId: "mini.item.compare-1",
          response: { kind: "options", optionIds: ["B"] },
          correct: true,
          misconceptionIds: [],
          responseTimeMs: 4200,
          answeredAt: "2026-05-01T08:00:00.000Z",
          idempotencyKey: "k-1",
          payloadHash: "hash-k-1",
          predictedCorrect: 0.4,
        });
        expect(recorded.mastery.map((m) => [m.knowledgePointId, m.before, m.after])).toEqual([
          ["mini.kp.fraction-compare", 0.2, 0.6],
          ["mini.kp.unit-fraction", 0.2, 0.6],
        ]);
        expect(await store.learners.getAttempts([recorded.id, "nope"])).toEqual([recorded, undefined]);

        const [again] = await store.learners.recordAttempts([attempt("s-1", "k-1", points, 0.9)]);
        expect(again).toEqual({ status: "existing", attempt: recorded });
        expect(
          await store.learners.findAttemptsByKey([
            { studentId: "s-1", idempotencyKey: "k-1" },
            { studentId: "s-2", idempotencyKey: "k-1" },
          ]),
        ).toEqual([recorded, undefined]);
        // Keys are per student: another student may use the same key.
        expect((await store.learners.recordAttempts([attempt("s-2", "k-1", points)]))[0]?.status).toBe("recorded");
        expect(await store.learners.recordAttempts([attempt("nobody", "k-1", points)])).toEqual([{ status: "unknown-student" }]);

        const [second] = await store.learners.recordAttempts([
          attempt("s-1", "k-2", ["mini.kp.fraction-compare"], 0.8, { correct: false, answeredAt: "2026-04-01T00:00:00.000Z" }),
        ]);
        expect((second as { attempt: AttemptRecord }).attempt.mastery[0]?.before).toBe(0.6);
        const mastery = await store.learners.studentMastery("s-1");
        expect(mastery).toEqual([
          {
            studentId: "s-1",
            knowledgePointId: "mini.kp.fraction-compare",
            probability: 0.8,
            attempts: 2,
            correct: 1,
            lastPractisedAt: "2026-05-01T08:00:00.000Z", // the older answer arrived later: never goes back
            parameterSetId: "set-1",
            updatedAt: expect.any(String),
          },
          expect.objectContaining({ knowledgePointId: "mini.kp.unit-fraction", probability: 0.6, attempts: 1, correct: 1 }),
        ]);
        expect(mastery[1]?.parameterSetId).toBeUndefined();
        expect((await store.learners.studentMastery("s-1", ["mini.kp.unit-fraction", "nope"])).map((m) => m.knowledgePointId)).toEqual([
          "mini.kp.unit-fraction",
        ]);
      });

      it("pages attempt history newest first and builds a class mastery matrix", async () => {
        await store.learners.applyRoster(roster());
        for (let i = 1; i <= 5; i++) await store.learners.recordAttempts([attempt("s-1", `k-${i}`, ["mini.kp.add-like"], i / 10)]);
        await store.learners.recordAttempts([attempt("s-2", "k-1", ["mini.kp.unit-fraction"], 0.3)]);
        await store.learners.recordAttempts([attempt("s-3", "k-1", ["mini.kp.unit-fraction"], 0.3)]);

        const page1 = await store.learners.attemptHistory("s-1", { limit: 2 });
        expect(page1.nodes.map((a) => [a.sequence, a.idempotencyKey])).toEqual([
          [5, "k-5"],
          [4, "k-4"],
        ]);
        expect(page1).toMatchObject({ totalCount: 5, hasMore: true });
        const page3 = await store.learners.attemptHistory("s-1", { limit: 2, before: 2 });
        expect(page3.nodes.map((a) => a.sequence)).toEqual([1]);
        expect(page3.hasMore).toBe(false);
        expect(await store.learners.attemptHistory("s-9", { limit: 2 })).toEqual({ nodes: [], totalCount: 0, hasMore: false });

        const matrix = await store.learners.classMastery("school-a:7A");
        expect(matrix.studentIds).toEqual(["s-1", "s-2"]);
        expect(matrix.knowledgePointIds).toEqual(["mini.kp.add-like", "mini.kp.unit-fraction"]);
        expect(matrix.cells.map((c) => [c.studentId, c.knowledgePointId, c.probability, c.attempts])).toEqual([
          ["s-1", "mini.kp.add-like", 0.5, 5],
          ["s-2", "mini.kp.unit-fraction", 0.3, 1],
        ]);
        const only = await store.learners.classMastery("school-a:7A", ["mini.kp.unit-fraction", "mini.kp.fraction-compare"]);
        expect(only.knowledgePointIds).toEqual(["mini.kp.unit-fraction", "mini.kp.fraction-compare"]);
        expect(only.cells.map((c) => c.studentId)).toEqual(["s-2"]);
      });

      it("writes nothing of a call when an update fails midway", async () => {
        await store.learners.applyRoster(roster());
        const failing = attempt("s-1", "k-2", ["mini.kp.add-like"], 0.5, {
          update: () => {
            throw new Error("boom");
          },
        });
        await expect(store.learners.recordAttempts([attempt("s-1", "k-1", ["mini.kp.add-like"]), failing])).rejects.toThrow("boom");
        const invalid = attempt("s-1", "k-3", ["mini.kp.add-like"], 1.5);
        await expect(store.learners.recordAttempts([invalid])).rejects.toThrow(InvalidLearnerDataError);
        await expect(store.learners.recordAttempts([attempt("s-1", "", ["mini.kp.add-like"])])).rejects.toThrow(InvalidLearnerDataError);
        expect((await store.learners.attemptHistory("s-1", { limit: 10 })).totalCount).toBe(0);
        expect(await store.learners.studentMastery("s-1")).toEqual([]);
        // The sequence is not consumed by the failed calls.
        const [ok] = await store.learners.recordAttempts([attempt("s-1", "k-1", ["mini.kp.add-like"])]);
        expect((ok as { attempt: AttemptRecord }).attempt.sequence).toBe(1);
      });

      it("applies Elo calibration moves with the attempt, reads the current state, and never twice for a replay", async () => {
        await store.learners.applyRoster(roster());
        const seen: CalibrationState[] = [];
        const calibrated = (studentId: string, key: string): NewAttempt => {
          const base = attempt(studentId, key, ["mini.kp.compare"]);
          return {
            ...base,
            update: (current, calibration) => {
              seen.push(calibration);
              return { ...base.update(current, calibration), calibration: { difficultyDelta: -0.25, abilityDelta: 0.5 } };
            },
          };
        };
        expect(await store.learners.itemCalibrations()).toEqual([]);
        await store.learners.recordAttempts([calibrated("s-1", "c-1"), calibrated("s-2", "c-2")]);
        await store.learners.recordAttempts([calibrated("s-1", "c-1")]); // a replay: nothing moves
        await store.learners.recordAttempts([calibrated("s-1", "c-3")]);
        expect(seen[0]).toEqual({ itemOffset: 0, itemAttempts: 0, ability: 0, abilityAttempts: 0 });
        expect(seen[1]).toEqual({ itemOffset: -0.25, itemAttempts: 1, ability: 0, abilityAttempts: 0 });
        expect(seen.at(-1)).toEqual({ itemOffset: -0.5, itemAttempts: 2, ability: 0.5, abilityAttempts: 1 });
        expect(await store.learners.itemCalibrations(["mini.item.compare-1", "nope"])).toEqual([
          { itemId: "mini.item.compare-1", offset: -0.75, attempts: 3 },
        ]);
        expect(await store.learners.recommendationProfile("s-1")).toEqual({ ability: 1, abilityAttempts: 2, classTargets: [] });
        expect(await store.learners.recommendationProfile("nobody")).toBeUndefined();
      });

      it("sets and clears target success rates of classes and students", async () => {
        await store.learners.applyRoster(roster());
        expect(await store.learners.setTargetSuccessRate({ classId: "school-a:7A" }, 0.8)).toBe(true);
        expect(await store.learners.setTargetSuccessRate({ studentId: "s-1" }, 0.6)).toBe(true);
        expect(await store.learners.setTargetSuccessRate({ classId: "nope" }, 0.8)).toBe(false);
        await expect(store.learners.setTargetSuccessRate({ studentId: "s-1" }, 1.2)).rejects.toThrow(InvalidLearnerDataError);
        expect(await store.learners.recommendationProfile("s-1")).toEqual({
          ability: 0,
          abilityAttempts: 0,
          targetSuccessRate: 0.6,
          classTargets: [{ classId: "school-a:7A", targetSuccessRate: 0.8 }],
        });
        expect((await store.learners.getClasses(["school-a:7A"]))[0]?.targetSuccessRate).toBe(0.8);
        // A roster re-import keeps the target; clearing removes it.
        await store.learners.applyRoster(roster());
        expect((await store.learners.getClasses(["school-a:7A"]))[0]?.targetSuccessRate).toBe(0.8);
        await store.learners.setTargetSuccessRate({ studentId: "s-1" }, null);
        expect(await store.learners.recommendationProfile("s-1")).not.toHaveProperty("targetSuccessRate");
      });

      it("saves lesson plans as numbered versions of their series, lists a class's newest first, deletes them with the school", async () => {
        await store.learners.applyRoster(roster());
        const plan = (series: string, title: string): NewLessonPlan => ({
          schoolId: "school-a",
          classId: "school-a:7A",
          createdBy: "t-1",
          series,
          language: "zh",
          title,
          inputs: { targets: ["mini.kp.compare"], durationMinutes: 40 },
          generation: { provider: "offline" },
          plan: { tiers: [{ id: "A", studentIds: ["s-1"] }] },
          markdown: "# 比较",
        });
        // Listing is by creation time: a few milliseconds apart, so the order is defined on every backend.
        const tick = () => new Promise((resolve) => setTimeout(resolve, 3));
        const first = await store.lessonPlans.saveLessonPlan(plan("series-1", "v1"));
        await tick();
        const second = await store.lessonPlans.saveLessonPlan(plan("series-1", "v2"));
        await tick();
        const other = await store.lessonPlans.saveLessonPlan(plan("series-2", "other"));
        expect([first.version, second.version, other.version]).toEqual([1, 2, 1]);
        expect(await store.lessonPlans.getLessonPlans([second.id, "nope"])).toEqual([second, undefined]);
        const listed = await store.lessonPlans.listLessonPlans("school-a:7A", { limit: 2, offset: 0 });
        expect(listed.totalCount).toBe(3);
        expect(listed.nodes.map((p) => p.title)).toEqual(["other", "v2"]);
        await store.learners.deleteSchool("school-a");
        expect(await store.lessonPlans.getLessonPlans([first.id])).toEqual([undefined]);
      });
    });

    it("exports what re-imports as unchanged", async () => {
      await importCurriculum(store, MINI);
      const exported = await store.curriculum.exportCurriculum(["mini"]);
      expect(exported.knowledgePoints).toHaveLength(5);
      expect(exported.items).toHaveLength(12);
      expect(exported.prerequisites).toHaveLength(5);
      expect(await store.curriculum.exportCurriculum(["other"])).toMatchObject({ subjects: [], items: [] });
    });
  });
}
