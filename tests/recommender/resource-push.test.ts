import { describe, expect, it } from "vitest";
import { type ClassMastery, classNeeds, type PointNeed, pushResources } from "../../src/recommender/resource-push.js";
import { dependentWeight } from "../../src/recommender/weak-points.js";
import { attributionIndex, pointName } from "./support/attribution-graph.js";

const index = attributionIndex();

describe("pushResources", () => {
  const needs: PointNeed[] = [
    { knowledgePointId: "add", need: 0.3, reason: "review" },
    {
      knowledgePointId: "frac-add",
      need: 0.9,
      reason: "weak",
      detail: { zh: "练习 6 次后掌握度 0.42", en: "mastery 0.42 after 6 attempts" },
    },
    { knowledgePointId: "decimal", need: 0.5, reason: "frontier" },
    { knowledgePointId: "frac", need: 0.6, reason: "weak" },
  ];

  it("ranks resources by the need of the points they serve", () => {
    const pushed = pushResources(index, needs, pointName, { perPoint: 5 });
    expect(pushed.map((r) => r.resourceId)).toEqual([
      "r.frac-and-fadd.game", // frac-add (0.9), and frac too: ahead of frac-add's single-point resources
      "r.fadd.quiz",
      "r.fadd.sheet",
      "r.fadd.video",
      "r.frac.video",
      "r.decimal.video",
      "r.add.sheet",
      "r.add.video",
    ]);
    for (let i = 1; i < pushed.length; i++) expect(pushed[i]?.need).toBeLessThanOrEqual(pushed[i - 1]?.need as number);
  });

  it("lists a resource serving several needed points once, with all of them", () => {
    const pushed = pushResources(index, needs, pointName, { perPoint: 5 });
    const shared = pushed.filter((r) => r.resourceId === "r.frac-and-fadd.game");
    expect(shared).toHaveLength(1);
    expect(shared[0]?.covers).toEqual([
      { knowledgePointId: "frac-add", need: 0.9, reasons: ["weak"] },
      { knowledgePointId: "frac", need: 0.6, reasons: ["weak"] },
    ]);
    expect(shared[0]?.explanation).toEqual({
      zh: "针对“分数加法”（薄弱知识点，需求 0.90）；也涉及“分数的意义”（薄弱知识点，需求 0.60）；练习 6 次后掌握度 0.42",
      en: 'for "Adding fractions" (weak point, need 0.90); also covers "Fractions" (weak point, need 0.60); mastery 0.42 after 6 attempts',
    });
    expect(new Set(pushed.map((r) => r.resourceId)).size).toBe(pushed.length);
  });

  it("limits the resources per point and in all", () => {
    const pushed = pushResources(index, needs, pointName, { perPoint: 2, limit: 4 });
    expect(pushed.map((r) => r.resourceId)).toEqual(["r.frac-and-fadd.game", "r.fadd.quiz", "r.frac.video", "r.decimal.video"]);
  });

  it("merges a point needed for several reasons and leaves out excluded resources", () => {
    const pushed = pushResources(
      index,
      [
        { knowledgePointId: "add", need: 0.4, reason: "weak" },
        { knowledgePointId: "add", need: 0.7, reason: "review" },
        { knowledgePointId: "unknown-point", need: 1, reason: "weak" },
      ],
      pointName,
      { excludeResourceIds: ["r.add.sheet"] },
    );
    expect(pushed).toHaveLength(1);
    expect(pushed[0]).toMatchObject({
      resourceId: "r.add.video",
      need: 0.7,
      covers: [{ knowledgePointId: "add", need: 0.7, reasons: ["weak", "review"] }],
    });
    expect(pushed[0]?.explanation.en).toBe('for "Addition" (weak point, due for review, need 0.70)');
  });

  it("pushes nothing for no needs", () => {
    expect(pushResources(index, [], pointName)).toEqual([]);
  });
});

describe("classNeeds", () => {
  const students = ["s1", "s2", "s3", "s4"];
  const cell = (studentId: string, knowledgePointId: string, probability: number) => ({ studentId, knowledgePointId, probability });

  it("scores the share below mastery, not started included, weighted by dependents", () => {
    const matrix: ClassMastery = {
      studentIds: students,
      knowledgePointIds: ["add", "iso", "percent", "count"],
      cells: [
        // add: 2 of 4 below (one not started); 7 points depend on it.
        cell("s1", "add", 0.97),
        cell("s2", "add", 0.99),
        cell("s3", "add", 0.4),
        // iso: 2 of 4 below, no dependents.
        cell("s1", "iso", 0.96),
        cell("s2", "iso", 0.2),
        cell("s3", "iso", 0.3),
        cell("s4", "iso", 0.98),
        // percent: all below.
        cell("s1", "percent", 0.5),
        // count: everyone mastered.
        ...students.map((s) => cell(s, "count", 0.99)),
        // a student not in the class is ignored
        cell("other", "iso", 0.1),
      ],
    };
    const needs = classNeeds(index, matrix);
    expect(needs.map((n) => n.knowledgePointId)).toEqual(["add", "percent", "iso"]);
    const add = needs[0];
    expect(add).toMatchObject({ reason: "class-gap", studentCount: 4, belowMastery: 2, notStarted: 1, share: 0.5, dependentCount: 7 });
    // need = share × (1 + ln(1 + weighted dependents)) = 0.5 × (1 + ln(1 + 4.94)).
    expect(add?.need).toBeCloseTo(0.5 * (1 + Math.log1p(dependentWeight(index, "add").weightedDependents)), 12);
    expect(add?.need).toBeCloseTo(1.3906, 4);
    expect(add?.detail?.en).toBe("2 of 4 students below mastery (1 not started); 7 points depend on it");
    expect(needs.find((n) => n.knowledgePointId === "iso")?.need).toBe(0.5);
    expect(needs.find((n) => n.knowledgePointId === "percent")?.need).toBe(1);
    // Fed to pushResources, the class's needs choose its resources.
    const pushed = pushResources(index, needs, pointName, { perPoint: 1 });
    expect(pushed.map((r) => r.resourceId)).toEqual(["r.add.sheet", "r.percent.video"]);
    expect(pushed[0]?.explanation.zh).toBe("针对“加法”（全班薄弱，需求 1.39）；全班 4 人中 2 人未掌握（1 人未开始）；7 个知识点依赖它");
  });

  it("leaves out points few students miss", () => {
    const matrix: ClassMastery = {
      studentIds: students,
      knowledgePointIds: ["add"],
      cells: [cell("s1", "add", 0.97), cell("s2", "add", 0.97), cell("s3", "add", 0.97), cell("s4", "add", 0.5)],
    };
    expect(classNeeds(index, matrix).map((n) => n.share)).toEqual([0.25]);
    expect(classNeeds(index, matrix, { minShare: 0.3 })).toEqual([]);
    expect(classNeeds(index, { studentIds: [], knowledgePointIds: ["add"], cells: [] })).toEqual([]);
  });
});
