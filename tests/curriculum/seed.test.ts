/**
 * Assertions on the real seed curricula (seeds/curriculum): what issue 4 promises teachers, checked
 * through the project's own loader, validator and template expression evaluator.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { validateCurriculumPath } from "../../src/curriculum/importer.js";
import { type CurriculumData, type Item, misconceptionsOfItem } from "../../src/curriculum/model.js";
import { compileExpression } from "../../src/curriculum/templates/expression.js";
import { formatRational, fromNumber, parseLearnerNumber, type Rational, toNumber } from "../../src/curriculum/templates/rational.js";
import { findCycles, type ValidatedCurriculum } from "../../src/curriculum/validate.js";

const SEEDS = "seeds/curriculum";
const SUBJECTS = ["math", "ai"] as const;

let validated: ValidatedCurriculum;
let data: CurriculumData;

beforeAll(async () => {
  validated = await validateCurriculumPath(SEEDS); // throws CurriculumValidationError on any problem
  data = validated.data;
});

const pointsOf = (subjectId: string) => data.knowledgePoints.filter((k) => k.subjectId === subjectId);
const sameValue = (a: Rational | undefined, b: Rational) => a !== undefined && a.n === b.n && a.d === b.d;

function countsOf(subjectId: string) {
  const items = data.items.filter((i) => i.subjectId === subjectId);
  return {
    units: data.units.filter((u) => u.subjectId === subjectId).length,
    knowledgePoints: pointsOf(subjectId).length,
    prerequisites: data.prerequisites.filter((e) => pointsOf(subjectId).some((k) => k.id === e.toId)).length,
    itemsHandWritten: items.filter((i) => !i.templateId).length,
    itemTemplates: data.itemTemplates.filter((t) => t.subjectId === subjectId).length,
    templateInstances: items.filter((i) => i.templateId).length,
    misconceptions: data.misconceptions.filter((m) => m.subjectId === subjectId).length,
    resources: data.resources.filter((r) => r.subjectId === subjectId).length,
  };
}

describe("seed curricula", () => {
  it("validate with no errors and no warnings, and report their counts", () => {
    expect(validated.subjectIds.sort()).toEqual(["ai", "math"]);
    expect(validated.warnings).toEqual([]);
    const counts = Object.fromEntries(SUBJECTS.map((s) => [s, countsOf(s)]));
    // The closing note of the curriculum issue reports these.
    console.log(`seed curriculum counts: ${JSON.stringify(counts)}`);
    expect(counts.math?.knowledgePoints).toBeGreaterThanOrEqual(250);
    expect(counts.math?.misconceptions).toBeGreaterThanOrEqual(60);
  });

  it("describe every knowledge point in both languages, with grade, domain code and standard code", () => {
    const domains = new Set(data.domains.map((d) => `${d.subjectId}:${d.code}`));
    const units = new Map(data.units.map((u) => [u.id, u]));
    for (const point of data.knowledgePoints) {
      for (const text of [point.name, point.description]) {
        expect(text.zh.trim(), point.id).not.toBe("");
        expect(text.en.trim(), point.id).not.toBe("");
      }
      expect(point.standardCode.trim(), point.id).not.toBe("");
      expect(domains.has(`${point.subjectId}:${point.domain}`), `${point.id} domain ${point.domain}`).toBe(true);
      expect(Number.isInteger(point.grade) && point.grade >= 1 && point.grade <= 9, point.id).toBe(true);
      expect(units.get(point.unitId)?.subjectId, point.id).toBe(point.subjectId);
    }
    const mathGrades = new Set(pointsOf("math").map((k) => k.grade));
    expect([...mathGrades].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...new Set(pointsOf("ai").map((k) => k.grade))].sort()).toEqual([4, 7]);
  });

  it("have an acyclic prerequisite graph within and across subjects", () => {
    const ids = new Set(data.knowledgePoints.map((k) => k.id));
    for (const edge of data.prerequisites) {
      expect(ids.has(edge.fromId), edge.fromId).toBe(true);
      expect(ids.has(edge.toId), edge.toId).toBe(true);
    }
    expect(findCycles(ids, data.prerequisites)).toEqual([]);
    // An independent check: Kahn's algorithm removes every point.
    const indegree = new Map([...ids].map((id) => [id, 0]));
    for (const edge of data.prerequisites) indegree.set(edge.toId, (indegree.get(edge.toId) ?? 0) + 1);
    const queue = [...ids].filter((id) => indegree.get(id) === 0);
    let removed = 0;
    while (queue.length > 0) {
      const id = queue.pop() as string;
      removed++;
      for (const edge of data.prerequisites) {
        if (edge.fromId !== id) continue;
        const left = (indegree.get(edge.toId) ?? 0) - 1;
        indegree.set(edge.toId, left);
        if (left === 0) queue.push(edge.toId);
      }
    }
    expect(removed).toBe(ids.size);
  });

  it("reach every point from a few plausible basic points", () => {
    const dependents = new Map<string, string[]>();
    const hasPrerequisite = new Set<string>();
    for (const edge of data.prerequisites) {
      dependents.set(edge.fromId, [...(dependents.get(edge.fromId) ?? []), edge.toId]);
      hasPrerequisite.add(edge.toId);
    }
    const basics = data.knowledgePoints.filter((k) => !hasPrerequisite.has(k.id));

    const mathBasics = basics.filter((k) => k.subjectId === "math");
    expect(mathBasics.length).toBeGreaterThan(0);
    expect(mathBasics.length).toBeLessThanOrEqual(8);
    for (const basic of mathBasics) expect(basic.grade, basic.id).toBe(1);

    // AI literacy: only a course's opening point (first point of the first unit of a grade) may be basic.
    const aiBasics = basics.filter((k) => k.subjectId === "ai");
    const aiUnits = data.units.filter((u) => u.subjectId === "ai");
    const openingPoints = new Set(
      [4, 7].flatMap((grade) => {
        const first = aiUnits.filter((u) => u.grade === grade).sort((a, b) => a.order - b.order)[0];
        const point = pointsOf("ai")
          .filter((k) => k.unitId === first?.id)
          .sort((a, b) => a.order - b.order)[0];
        return point ? [point.id] : [];
      }),
    );
    expect(aiBasics.length).toBeGreaterThan(0);
    for (const basic of aiBasics) expect(openingPoints.has(basic.id), basic.id).toBe(true);

    const reached = new Set(basics.map((k) => k.id));
    const queue = [...reached];
    while (queue.length > 0) {
      for (const next of dependents.get(queue.pop() as string) ?? []) {
        if (!reached.has(next)) {
          reached.add(next);
          queue.push(next);
        }
      }
    }
    expect(data.knowledgePoints.filter((k) => !reached.has(k.id)).map((k) => k.id)).toEqual([]);
  });

  it("give every knowledge point at least four items, counting template instances", () => {
    const itemCount = new Map<string, number>();
    for (const item of data.items) {
      for (const ref of item.knowledgePoints) itemCount.set(ref.id, (itemCount.get(ref.id) ?? 0) + 1);
    }
    const short = data.knowledgePoints.filter((k) => (itemCount.get(k.id) ?? 0) < 4).map((k) => `${k.id}: ${itemCount.get(k.id) ?? 0}`);
    expect(short).toEqual([]);
  });

  it("indicate every misconception by at least one distractor", () => {
    const indicated = new Set<string>();
    for (const item of data.items) for (const id of misconceptionsOfItem(item)) indicated.add(id);
    for (const template of data.itemTemplates) for (const d of template.distractors) indicated.add(d.misconception);
    expect(data.misconceptions.filter((m) => !indicated.has(m.id)).map((m) => m.id)).toEqual([]);
    for (const m of data.misconceptions) expect(m.knowledgePointIds.length, m.id).toBeGreaterThan(0);
  });

  it("key every template instance with the answer recomputed from its recorded parameters", () => {
    const templates = new Map(data.itemTemplates.map((t) => [t.id, t]));
    const instances = data.items.filter((i): i is Item & { templateId: string } => i.templateId !== undefined);
    expect(instances.length).toBeGreaterThan(1000);
    const instanceCount = new Map<string, number>();
    for (const item of instances) {
      instanceCount.set(item.templateId, (instanceCount.get(item.templateId) ?? 0) + 1);
      const template = templates.get(item.templateId);
      if (!template) throw new Error(`${item.id}: unknown template ${item.templateId}`);
      const parameters = item.templateParameters ?? {};
      expect(Object.keys(parameters).sort(), item.id).toEqual(Object.keys(template.parameters).sort());
      const scope = Object.fromEntries(Object.entries(parameters).map(([name, value]) => [name, fromNumber(value)]));
      for (const constraint of template.constraints) {
        expect(compileExpression(constraint).evaluate(scope).n, `${item.id}: ${constraint}`).not.toBe(0);
      }
      const answer = compileExpression(template.answer).evaluate(scope);
      if (item.type === "numeric") {
        expect(item.answer.value, item.id).toBe(toNumber(answer));
        expect(item.answer.tolerance, item.id).toBe(0);
        for (const wrong of item.wrongAnswers) expect(wrong.value, item.id).not.toBe(item.answer.value);
      } else if (item.type === "single_choice") {
        const keyed = item.options.find((o) => o.id === item.answer);
        expect(keyed?.text.en, item.id).toBe(formatRational(answer, template.answerFormat));
        expect(keyed?.text.zh, item.id).toBe(keyed?.text.en);
        expect(sameValue(parseLearnerNumber(keyed?.text.en ?? ""), answer), item.id).toBe(true);
        expect(keyed?.misconceptionId, item.id).toBeUndefined();
        for (const option of item.options.filter((o) => o.id !== item.answer)) {
          expect(sameValue(parseLearnerNumber(option.text.en), answer), `${item.id} option ${option.id}`).toBe(false);
        }
        // A tagged option shows the value its misconception's expression gives.
        for (const option of item.options.filter((o) => o.misconceptionId)) {
          const values = template.distractors
            .filter((d) => d.misconception === option.misconceptionId)
            .map((d) => compileExpression(d.expr).evaluate(scope));
          expect(
            values.some((v) => sameValue(parseLearnerNumber(option.text.en), v)),
            `${item.id} option ${option.id}`,
          ).toBe(true);
        }
      } else {
        throw new Error(`${item.id}: templates make single_choice or numeric items, not ${item.type}`);
      }
    }
    for (const template of data.itemTemplates) expect(instanceCount.get(template.id), template.id).toBe(template.count);
  });

  it("give every unit at least one resource", () => {
    const unitOfPoint = new Map(data.knowledgePoints.map((k) => [k.id, k.unitId]));
    const withResource = new Set(data.resources.flatMap((r) => r.knowledgePointIds.map((id) => unitOfPoint.get(id))));
    expect(data.units.filter((u) => !withResource.has(u.id)).map((u) => u.id)).toEqual([]);
  });
});

describe("AI literacy seed", () => {
  it("plans 30 class hours in grade 4 and in grade 7", () => {
    for (const grade of [4, 7]) {
      const units = data.units.filter((u) => u.subjectId === "ai" && u.grade === grade);
      expect(units.length, `grade ${grade}`).toBeGreaterThan(0);
      expect(
        units.reduce((sum, u) => sum + (u.classHours ?? 0), 0),
        `grade ${grade}`,
      ).toBe(30);
    }
  });

  it("builds on maths points taught no later than the AI point", () => {
    const points = new Map(data.knowledgePoints.map((k) => [k.id, k]));
    const links = data.prerequisites.filter((e) => points.get(e.fromId)?.subjectId === "math" && points.get(e.toId)?.subjectId === "ai");
    for (const grade of [4, 7]) {
      expect(links.filter((e) => points.get(e.toId)?.grade === grade).length, `grade ${grade}`).toBeGreaterThanOrEqual(5);
    }
    for (const edge of links) {
      expect((points.get(edge.fromId)?.grade ?? 99) <= (points.get(edge.toId)?.grade ?? 0), `${edge.fromId} → ${edge.toId}`).toBe(true);
    }
  });
});
