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
import { KnowledgeGraphIndex } from "../../src/graph/knowledge-graph-index.js";
import type { KnowledgeGraphStore } from "../../src/graph/store.js";
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
