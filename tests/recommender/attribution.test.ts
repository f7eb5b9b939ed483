import { describe, expect, it } from "vitest";
import { type AttributedCause, attributeWrongAnswer, type WrongAnswer } from "../../src/recommender/attribution.js";
import type { ParametersOf, StudentSnapshot } from "../../src/recommender/model.js";
import {
  attributionIndex,
  calibrationOf,
  misconceptionName,
  parametersWith,
  pointName,
  type StudentSpec,
  student,
} from "./support/attribution-graph.js";

const index = attributionIndex();

function attribute(answer: WrongAnswer, who: StudentSnapshot, parametersOf: ParametersOf = parametersWith()) {
  return attributeWrongAnswer(index, who, answer, parametersOf, calibrationOf(index), pointName, misconceptionName);
}

const sum = (causes: readonly AttributedCause[]) => causes.reduce((total, cause) => total + cause.probability, 0);

/** A wrong answer to a four-option item, with the points' mastery before it. */
function wrong(itemId: string, before: Record<string, number>, misconceptionIds: string[] = []): WrongAnswer {
  return {
    itemId,
    misconceptionIds,
    mastery: Object.entries(before).map(([knowledgePointId, value]) => ({ knowledgePointId, before: value })),
    optionCount: 4,
  };
}

describe("attributeWrongAnswer", () => {
  it("blames a slip when a strong student knew the point and its prerequisites", () => {
    const who = student({ mastery: { count: 0.99, add: 0.97 } });
    const result = attribute(wrong("i.add.3", { add: 0.98 }), who);
    expect(sum(result.causes)).toBeCloseTo(1, 12);
    const [top] = result.causes;
    expect(top?.kind).toBe("slip");
    expect(top?.probability).toBeGreaterThan(0.7);
    expect(top?.evidence.en).toContain('"Addition" 0.98');
    // A slip needs no remedial teaching: one more item of the point at the closest level, to confirm.
    expect(top?.remedy).toEqual({ itemIds: ["i.add.2"], resourceIds: [] });
    expect(result.summary.en).toMatch(/^most likely a slip \(\d+%\)/);
  });

  it("names the prerequisite a strong edge depends on when it is not known", () => {
    const who = student({ mastery: { frac: 0.1, add: 0.97, count: 0.99 } });
    const result = attribute(wrong("i.fadd.2", { "frac-add": 0.4 }), who);
    expect(sum(result.causes)).toBeCloseTo(1, 12);
    const [top] = result.causes;
    expect(top).toMatchObject({ kind: "missing-prerequisite", knowledgePointId: "frac-add", prerequisiteId: "frac" });
    expect(top?.probability).toBeGreaterThan(0.6);
    // The well-known prerequisite "add" is a far smaller suspect than "frac".
    const add = result.causes.find((c) => c.prerequisiteId === "add");
    expect(add?.probability ?? 0).toBeLessThan((top?.probability ?? 0) / 10);
    expect(top?.evidence.zh).toContain(
      "“分数加法”（答题前掌握度 0.40）依赖先修知识点“分数的意义”（依赖强度 0.90），而“分数的意义”的掌握度为 0.10",
    );
    expect(top?.evidence.en).toContain('depends on "Fractions" (strength 0.90), whose mastery is 0.10');
    // Remedy: the prerequisite's items, easiest first, and its resources.
    expect(top?.remedy.itemIds).toEqual(["i.frac.1", "i.frac.2", "i.frac.3"]);
    expect(top?.remedy.resourceIds).toEqual(["r.frac.video", "r.frac-and-fadd.game"]);
  });

  it("blames a misconception the student has chosen again and again", () => {
    // The snapshot counts this answer too: 4 of 5, so 3 of 4 before it.
    const who = student({ mastery: { frac: 0.8, add: 0.97, "frac-add": 0.5 }, misconceptions: { "m.add-denominators": [4, 5] } });
    const result = attribute(wrong("i.fadd.2", { "frac-add": 0.6 }, ["m.add-denominators"]), who);
    expect(sum(result.causes)).toBeCloseTo(1, 12);
    const [top] = result.causes;
    expect(top).toMatchObject({ kind: "misconception", misconceptionId: "m.add-denominators" });
    expect(top?.probability).toBeGreaterThan(0.6);
    expect(top?.evidence).toEqual({
      zh: "选择了对应误区“分子分母分别相加”的选项；此前 4 次中选择 3 次",
      en: 'chose the option of misconception "adds numerators and denominators"; chose it 3 of 4 times before',
    });
    // Items that can reveal it, those on the answered point first (i.mix.1 also assesses it), never the item itself.
    expect(top?.remedy.itemIds).toHaveLength(3);
    expect(top?.remedy.itemIds).not.toContain("i.fadd.2");
    for (const id of top?.remedy.itemIds ?? []) expect(index.misconceptionsOfItem(id)).toContain("m.add-denominators");
    expect(top?.remedy.resourceIds).toEqual(["r.frac-and-fadd.game", "r.fadd.video", "r.fadd.sheet"]);
  });

  it("blames the point itself when it is plainly unknown and its prerequisites are in place", () => {
    const who = student({ mastery: { frac: 0.97, add: 0.98, count: 0.99, "frac-add": 0.2 } });
    const result = attribute(wrong("i.fadd.3", { "frac-add": 0.15 }), who);
    expect(sum(result.causes)).toBeCloseTo(1, 12);
    const [top] = result.causes;
    expect(top).toMatchObject({ kind: "unknown-point", knowledgePointId: "frac-add" });
    expect(top?.probability).toBeGreaterThan(0.8);
    expect(top?.evidence.en).toBe(
      'mastery of "Adding fractions" was 0.15 before the answer; prerequisite mastery: "Fractions" 0.97, "Addition" 0.98',
    );
    // Items of the point no harder than the one answered wrong (band 4), easiest first; never band 5.
    expect(top?.remedy.itemIds).toEqual(["i.fadd.1", "i.fadd.2", "i.fadd.5"]);
    expect(top?.remedy.resourceIds).toEqual(["r.frac-and-fadd.game", "r.fadd.video", "r.fadd.sheet"]);
  });

  it("matches the posterior computed by hand", () => {
    // iso: no prerequisites; m = 0.5, slip 0.1, guess 0.2, four options.
    // slip ∝ 0.5·0.1/3, unknown ∝ 0.5·0.8/3 → 1/9 and 8/9.
    const alone = attribute(wrong("i.iso.1", { iso: 0.5 }), student());
    expect(alone.causes.map((c) => [c.kind, c.probability])).toEqual([
      ["unknown-point", expect.closeTo(8 / 9, 12)],
      ["slip", expect.closeTo(1 / 9, 12)],
    ]);
    // sub ← add (0.8): m_sub 0.4, M_add 0.5 → b = 0.4, P(blocked | unknown) = 0.4/0.6.
    // Priors: slip 0.4, unknown-point 0.6·(1/3) = 0.2, missing 0.6·(2/3) = 0.4; × (0.1, 0.8, 0.8)/3.
    const who = student({ mastery: { add: 0.5 } });
    const result = attribute(wrong("i.sub.1", { sub: 0.4 }), who);
    const byKind = Object.fromEntries(result.causes.map((c) => [c.kind, c]));
    expect(byKind["missing-prerequisite"]?.probability).toBeCloseTo(0.32 / 0.52, 12);
    expect(byKind["unknown-point"]?.probability).toBeCloseTo(0.16 / 0.52, 12);
    expect(byKind.slip?.probability).toBeCloseTo(0.04 / 0.52, 12);
    expect(byKind["missing-prerequisite"]?.prior).toBeCloseTo(0.4, 12);
    expect(byKind.slip?.likelihood).toBeCloseTo(0.1 / 3, 12);
  });

  it("believes a misconception more the more often the student has chosen it", () => {
    const probabilityWith = (chosen: number, exposed: number) => {
      const who = student({ mastery: { frac: 0.8, add: 0.97 }, misconceptions: { "m.add-denominators": [chosen, exposed] } });
      const result = attribute(wrong("i.fadd.2", { "frac-add": 0.5 }, ["m.add-denominators"]), who);
      expect(sum(result.causes)).toBeCloseTo(1, 12);
      return result.causes.find((c) => c.kind === "misconception")?.probability ?? 0;
    };
    const resisted = probabilityWith(1, 11); // chose it 0 of 10 before
    const first = probabilityWith(1, 1); // never exposed before
    const habitual = probabilityWith(6, 7); // 5 of 6 before
    expect(resisted).toBeLessThan(first);
    expect(first).toBeLessThan(habitual);
    expect(habitual).toBeGreaterThan(0.7);
  });

  it("does not count the attributed answer as its own evidence", () => {
    const counted = student({ misconceptions: { "m.add-denominators": [1, 1] } });
    const inSnapshot = attribute(wrong("i.fadd.2", { "frac-add": 0.5 }, ["m.add-denominators"]), counted);
    expect(inSnapshot.causes.find((c) => c.kind === "misconception")?.evidence.en).toContain("no earlier item could reveal it");
    const notYet = attribute({ ...wrong("i.fadd.2", { "frac-add": 0.5 }, ["m.add-denominators"]), countedInSnapshot: false }, counted);
    const misconception = notYet.causes.find((c) => c.kind === "misconception");
    expect(misconception?.evidence.en).toContain("chose it 1 of 1 times before");
    expect(misconception?.prior).toBeGreaterThan(inSnapshot.causes.find((c) => c.kind === "misconception")?.prior ?? 1);
  });

  it("weighs the chance that a guess lands on the misconception's option", () => {
    const who = student({ mastery: { frac: 0.8, add: 0.97 } });
    const misconceptionGiven = (optionCount: number | undefined) => {
      const answer = { ...wrong("i.fadd.2", { "frac-add": 0.3 }, ["m.add-denominators"]), optionCount };
      const result = attribute(answer, who);
      return result.causes.find((c) => c.kind === "misconception");
    };
    // Two options: any wrong answer is that option, so choosing it says little.
    expect(misconceptionGiven(2)?.probability ?? 1).toBeLessThan(misconceptionGiven(5)?.probability ?? 0);
    // An open answer reports the value, not an option.
    expect(misconceptionGiven(undefined)?.evidence.zh).toMatch(/^给出了对应误区“分子分母分别相加”的答案/);
  });

  it("shares the blame of a two-point item by doubt and Q-matrix weight", () => {
    const who = student({ mastery: { frac: 0.97, add: 0.98, decimal: 0.2 } });
    const result = attribute(wrong("i.mix.1", { "frac-add": 0.9, decimal: 0.2 }), who);
    expect(sum(result.causes)).toBeCloseTo(1, 12);
    const unknown = result.causes.filter((c) => c.kind === "unknown-point");
    expect(unknown.map((c) => c.knowledgePointId)).toEqual(["decimal", "frac-add"]);
    expect(result.causes[0]?.knowledgePointId).toBe("decimal");
    expect(result.summary.zh).toMatch(/^最可能的原因：未掌握“小数”（\d+%）；其次：/);
  });

  it("ranks every planted cause first across a grid of students, probabilities always summing to 1", () => {
    const cases: { spec: StudentSpec; answer: WrongAnswer; expected: Partial<AttributedCause> }[] = [
      { spec: { mastery: { frac: 0.99, add: 0.99 } }, answer: wrong("i.fadd.1", { "frac-add": 0.99 }), expected: { kind: "slip" } },
      {
        spec: { mastery: { mul: 0.05, sub: 0.99, add: 0.99 } },
        answer: wrong("i.frac.1", { frac: 0.3 }),
        expected: { kind: "missing-prerequisite", prerequisiteId: "mul" },
      },
      {
        spec: { mastery: { mul: 0.98, sub: 0.99 } },
        answer: wrong("i.frac.1", { frac: 0.1 }),
        expected: { kind: "unknown-point", knowledgePointId: "frac" },
      },
      {
        spec: { mastery: { mul: 0.98, sub: 0.99 }, misconceptions: { "m.larger-denominator": [5, 6] } },
        answer: wrong("i.frac.2", { frac: 0.5 }, ["m.larger-denominator"]),
        expected: { kind: "misconception", misconceptionId: "m.larger-denominator" },
      },
    ];
    for (const { spec, answer, expected } of cases) {
      const result = attribute(answer, student(spec));
      expect(sum(result.causes)).toBeCloseTo(1, 12);
      expect(result.causes[0]).toMatchObject(expected);
      for (const cause of result.causes) {
        expect(cause.probability).toBeGreaterThan(0);
        expect(cause.evidence.zh.length).toBeGreaterThan(0);
        expect(cause.evidence.en.length).toBeGreaterThan(0);
      }
    }
  });

  it("uses the item's own guess and slip", () => {
    const who = student();
    const careless: ParametersOf = (pointId, itemId) => ({ ...parametersWith()(pointId), ...(itemId === "i.iso.2" ? { slip: 0.4 } : {}) });
    const plain = attribute(wrong("i.iso.2", { iso: 0.7 }), who);
    const sloppy = attribute(wrong("i.iso.2", { iso: 0.7 }), who, careless);
    const slipOf = (causes: readonly AttributedCause[]) => causes.find((c) => c.kind === "slip")?.probability ?? 0;
    expect(slipOf(sloppy.causes)).toBeGreaterThan(slipOf(plain.causes));
    expect(sloppy.causes[0]?.kind).toBe("slip");
  });

  it("attributes an answer to an item no longer in the curriculum from the points its record names", () => {
    const retired = attribute(wrong("i.retired", { "frac-add": 0.3 }), student({ mastery: { frac: 0.97, add: 0.98 } }));
    expect(sum(retired.causes)).toBeCloseTo(1, 12);
    expect(retired.causes[0]).toMatchObject({ kind: "unknown-point", knowledgePointId: "frac-add" });
    const nothing = attribute(wrong("i.retired", {}), student());
    expect(nothing.causes).toEqual([]);
    expect(nothing.summary.en).toBe("nothing to attribute: the item assesses no knowledge point");
  });
});
