import { describe, expect, it } from "vitest";
import { predictItemSuccess } from "../../src/recommender/prediction.js";
import { dependentWeight, weakPointPlan } from "../../src/recommender/weak-points.js";
import {
  answered,
  attributionIndex,
  calibrationOf,
  parametersWith,
  pointName,
  type StudentSpec,
  student,
} from "./support/attribution-graph.js";

const index = attributionIndex();
const plan = (spec: StudentSpec, options = {}) =>
  weakPointPlan(index, student(spec), parametersWith(), calibrationOf(index), pointName, options);

describe("dependentWeight", () => {
  it("counts dependents, each weighted by the chance a gap blocks it (noisy-OR over paths)", () => {
    expect(dependentWeight(index, "decimal")).toEqual({ dependentCount: 1, weightedDependents: 0.8 });
    // frac → decimal 0.5, frac-add 0.9, ratio 0.5; percent by two paths: 1 − (1 − 0.5·0.8)(1 − 0.6) = 0.76.
    const frac = dependentWeight(index, "frac");
    expect(frac.dependentCount).toBe(4);
    expect(frac.weightedDependents).toBeCloseTo(0.5 + 0.9 + 0.5 + 0.76, 12);
    expect(dependentWeight(index, "iso")).toEqual({ dependentCount: 0, weightedDependents: 0 });
    expect(dependentWeight(index, "add").dependentCount).toBe(7);
  });
});

describe("weakPointPlan", () => {
  it("ranks weak points by how much of the graph depends on them", () => {
    const result = plan({ mastery: { iso: 0.4, add: 0.4, frac: 0.4, percent: 0.4 } });
    // percent and iso: no dependents, same mastery; the tie goes to teaching order.
    expect(result.points.map((p) => p.knowledgePointId)).toEqual(["add", "frac", "percent", "iso"]);
    const [add] = result.points;
    expect(add).toMatchObject({ dependentCount: 7, reasons: ["low-mastery"], attempts: 6 });
    expect(add?.priority).toBeCloseTo((1 + (add?.weightedDependents ?? 0)) * (0.95 - 0.4), 12);
    expect(add?.explanation).toEqual({
      zh: "“加法”：7 个知识点依赖它；练习 6 次后掌握度 0.40",
      en: '"Addition": 7 points depend on it; mastery 0.40 after 6 attempts',
    });
  });

  it("multiplies importance by the distance from mastery", () => {
    // Neither has dependents: the further from mastery comes first.
    const result = plan({ mastery: { percent: 0.5, iso: 0.1 } });
    expect(result.points.map((p) => p.knowledgePointId)).toEqual(["iso", "percent"]);
    // A well-connected point close to the threshold can still lose to a far-off leaf: 3.66·0.15 < 1·0.9.
    const close = plan({ mastery: { frac: 0.8, iso: 0.05 } }, { lowMastery: 0.85 });
    expect(close.points.map((p) => p.knowledgePointId)).toEqual(["iso", "frac"]);
    const far = plan({ mastery: { frac: 0.55, iso: 0.05 } });
    expect(far.points.map((p) => p.knowledgePointId)).toEqual(["frac", "iso"]);
  });

  it("counts practised, unmastered points with low mastery or repeated recent failures, nothing else", () => {
    const result = plan({
      mastery: {
        add: 0.97, // mastered
        mul: 0.8, // fine: high enough, one failure
        sub: 0.8, // two recent failures
        frac: { probability: 0.3, attempts: 9, correct: 2 },
      },
      recentAttempts: [
        answered("i.sub.1", false, { sub: 0.85 }),
        answered("i.sub.2", false, { sub: 0.9 }),
        answered("i.mul.1", false, { mul: 0.85 }),
        answered("i.add.1", false, { add: 0.98 }),
      ],
    });
    expect(result.weakCount).toBe(2);
    const byId = Object.fromEntries(result.points.map((p) => [p.knowledgePointId, p]));
    expect(Object.keys(byId).sort()).toEqual(["frac", "sub"]);
    expect(byId.sub).toMatchObject({ reasons: ["repeated-failures"], recentFailures: 2 });
    expect(byId.sub?.explanation.en).toContain("2 wrong among recent answers");
    expect(byId.frac).toMatchObject({ reasons: ["low-mastery"], attempts: 9, correct: 2 });
    // Points never practised are not weak, only not started.
    expect(byId.decimal).toBeUndefined();
  });

  it("builds a practice set near the target success, easiest first, fresh items before recent ones", () => {
    const who = student({
      mastery: { "frac-add": 0.45, frac: 0.8, add: 0.97 },
      recentAttempts: [answered("i.fadd.1", false, { "frac-add": 0.5 })],
    });
    const result = weakPointPlan(index, who, parametersWith(), calibrationOf(index), pointName, { practiceItems: 3, targetSuccess: 0.5 });
    const [point] = result.points;
    const practice = point?.practice ?? [];
    expect(practice).toHaveLength(3);
    for (const item of practice) {
      expect(item.predictedSuccess).toBeCloseTo(predictItemSuccess(index, item.itemId, who, parametersWith(), calibrationOf(index)), 12);
    }
    for (let i = 1; i < practice.length; i++)
      expect(practice[i]?.predictedSuccess).toBeLessThanOrEqual(practice[i - 1]?.predictedSuccess as number);
    // The recently answered item is left out while fresher ones are close enough to the target.
    expect(practice.map((p) => p.itemId)).not.toContain("i.fadd.1");
    // The chosen ones are the fresh items closest to the target.
    const fresh = index
      .itemsOf("frac-add")
      .map((l) => l.id)
      .filter((id) => id !== "i.fadd.1");
    const distance = (id: string) => Math.abs(predictItemSuccess(index, id, who, parametersWith(), calibrationOf(index)) - 0.5);
    const closest = fresh.sort((a, b) => distance(a) - distance(b)).slice(0, 3);
    expect(practice.map((p) => p.itemId).sort()).toEqual(closest.sort());
    expect(point?.resourceIds).toEqual(["r.frac-and-fadd.game", "r.fadd.video", "r.fadd.sheet"]);
  });

  it("adds items revealing the misconceptions the student has shown on the point", () => {
    const result = plan(
      { mastery: { frac: 0.3 }, misconceptions: { "m.larger-denominator": [2, 3], "m.add-denominators": [3, 3] } },
      { practiceItems: 1 },
    );
    const [frac] = result.points;
    // m.add-denominators belongs to frac-add, not to frac: not listed here.
    expect(frac?.misconceptionIds).toEqual(["m.larger-denominator"]);
    const revealing = frac?.practice.filter((p) => p.misconceptionId !== undefined) ?? [];
    expect(revealing.length).toBeGreaterThan(0);
    for (const item of revealing) {
      expect(item.misconceptionId).toBe("m.larger-denominator");
      expect(index.misconceptionsOfItem(item.itemId)).toContain("m.larger-denominator");
    }
    const ids = frac?.practice.map((p) => p.itemId) ?? [];
    expect(new Set(ids).size).toBe(ids.length);
    expect(frac?.explanation.en).toContain("has shown 1 related misconception");
  });

  it("applies the limit after ranking and reports how many were weak", () => {
    const result = plan({ mastery: { iso: 0.4, add: 0.4, frac: 0.4, percent: 0.4 } }, { limit: 2 });
    expect(result.points.map((p) => p.knowledgePointId)).toEqual(["add", "frac"]);
    expect(result.weakCount).toBe(4);
  });
});
