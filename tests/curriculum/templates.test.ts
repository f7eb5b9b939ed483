import { describe, expect, it } from "vitest";
import type { ItemTemplate } from "../../src/curriculum/model.js";
import { compileTemplate, evaluateInstance, expandTemplate } from "../../src/curriculum/templates/expand.js";
import { compileExpression, ExpressionError } from "../../src/curriculum/templates/expression.js";
import { formatRational, parseLearnerNumber, RationalError, rational } from "../../src/curriculum/templates/rational.js";

const evaluate = (source: string, scope: Record<string, number> = {}) =>
  compileExpression(source).evaluate(Object.fromEntries(Object.entries(scope).map(([k, v]) => [k, rational(v)])));

describe("template expressions", () => {
  it("computes exactly with fractions", () => {
    expect(evaluate("1/3 + 1/6")).toEqual(rational(1, 2));
    expect(evaluate("1/3 + 1/6 == 1/2")).toEqual(rational(1));
    expect(evaluate("0.1 + 0.2 == 0.3")).toEqual(rational(1));
    expect(evaluate("(a + c) / (b + d)", { a: 1, b: 2, c: 1, d: 3 })).toEqual(rational(2, 5));
    expect(evaluate("-2^2")).toEqual(rational(-4));
    expect(evaluate("(-2)^2")).toEqual(rational(4));
    expect(evaluate("2^-2")).toEqual(rational(1, 4));
  });

  it("provides school functions", () => {
    expect(evaluate("gcd(12, 18) + lcm(4, 6)")).toEqual(rational(18));
    expect(evaluate("mod(-7, 3)")).toEqual(rational(2));
    expect(evaluate("round(2.5) + round(-2.5)")).toEqual(rational(0));
    expect(evaluate("round(2.49)")).toEqual(rational(2));
    expect(evaluate("sqrt(9/4)")).toEqual(rational(3, 2));
    expect(evaluate("num(6/8) * 10 + den(6/8)")).toEqual(rational(34));
    expect(evaluate("max(1, 7/2, 3) - min(5, 2)")).toEqual(rational(3, 2));
    expect(evaluate("floor(-1/2) + ceil(1/2)")).toEqual(rational(0));
  });

  it("rejects what it cannot compute exactly and bad syntax", () => {
    expect(() => evaluate("1 / (a - a)", { a: 3 })).toThrow(RationalError);
    expect(() => evaluate("sqrt(2)")).toThrow(RationalError);
    expect(() => evaluate("gcd(1/2, 3)")).toThrow(RationalError);
    expect(() => evaluate("2^100")).toThrow(RationalError);
    expect(() => compileExpression("1 +")).toThrow(ExpressionError);
    expect(() => compileExpression("foo(1)")).toThrow(/unknown function/);
    expect(() => compileExpression("process.exit()")).toThrow(ExpressionError);
  });

  it("formats and parses learner numbers", () => {
    expect(formatRational(rational(5, 4), "mixed")).toBe("1 1/4");
    expect(formatRational(rational(-5, 4), "mixed")).toBe("-1 1/4");
    expect(formatRational(rational(3, 8), "decimal")).toBe("0.375");
    expect(() => formatRational(rational(1, 3), "decimal")).toThrow(RationalError);
    expect(formatRational(rational(6, 3), "fraction")).toBe("2");
    expect(parseLearnerNumber(" 1 1/2 ")).toEqual(rational(3, 2));
    expect(parseLearnerNumber("-0.75")).toEqual(rational(-3, 4));
    expect(parseLearnerNumber("6/8")).toEqual(rational(3, 4));
    expect(parseLearnerNumber("1/0")).toBeUndefined();
    expect(parseLearnerNumber("three")).toBeUndefined();
  });
});

const base: ItemTemplate = {
  id: "t.tpl.add",
  subjectId: "t",
  type: "single_choice",
  knowledgePoints: [{ id: "t.a", weight: 1 }],
  difficulty: 2,
  count: 6,
  seed: 1,
  parameters: { a: { int: [1, 9] }, b: { int: [2, 9] }, d: { choice: [10, 12] } },
  constraints: ["a < d", "b < d", "a + b < d"],
  stem: { zh: "计算 {a}/{d} + {b}/{d} = ?（结果是 {= (a + b) / d}）", en: "Work out {a}/{d} + {b}/{d}." },
  answer: "(a + b) / d",
  answerFormat: "fraction",
  distractors: [
    { expr: "(a + b) / (d + d)", misconception: "t.mis.across" },
    { expr: "(a + b) / (d * d)", misconception: "t.mis.multiply" },
  ],
};

describe("item template expansion", () => {
  it("is deterministic, distinct and keyed correctly", () => {
    const first = expandTemplate(base);
    const second = expandTemplate(base);
    expect(second).toEqual(first);
    expect(first.map((i) => i.id)).toEqual(["t.tpl.add.1", "t.tpl.add.2", "t.tpl.add.3", "t.tpl.add.4", "t.tpl.add.5", "t.tpl.add.6"]);
    expect(new Set(first.map((i) => i.stem.en)).size).toBe(6);
    const compiled = compileTemplate(base);
    for (const item of first) {
      if (item.type !== "single_choice") throw new Error("expected choices");
      const instance = evaluateInstance(compiled, item.templateParameters ?? {});
      const keyed = item.options.find((o) => o.id === item.answer);
      expect(keyed?.text.en).toBe(instance?.answerText);
      expect(keyed?.misconceptionId).toBeUndefined();
      for (const option of item.options.filter((o) => o.misconceptionId)) {
        const source = base.distractors.find((d) => d.misconception === option.misconceptionId);
        expect(option.text.en).toBe(formatRational(compileExpression(source?.expr ?? "").evaluate(instance?.scope ?? {}), "fraction"));
      }
      expect(item.stem.zh).toContain(`结果是 ${instance?.answerText}`);
    }
  });

  it("a different seed draws different instances", () => {
    expect(expandTemplate({ ...base, seed: 2 }).map((i) => i.stem.en)).not.toEqual(expandTemplate(base).map((i) => i.stem.en));
  });

  it("numeric templates keep misconception values as wrong answers even without a decimal form", () => {
    const items = expandTemplate({
      ...base,
      type: "numeric",
      answerFormat: "decimal",
      parameters: { a: { int: [1, 3] }, b: { choice: [2, 4] }, c: { int: [1, 3] }, d: { choice: [4, 8] } },
      constraints: ["a < b", "c < d", "b != d"],
      answer: "a/b + c/d",
      distractors: [{ expr: "(a + c) / (b + d)", misconception: "t.mis.across" }],
      count: 3,
    });
    for (const item of items) {
      if (item.type !== "numeric") throw new Error("expected numeric");
      expect(item.wrongAnswers).toHaveLength(1);
      const p = item.templateParameters as Record<string, number>;
      expect(item.answer.value).toBeCloseTo((p.a ?? 0) / (p.b ?? 1) + (p.c ?? 0) / (p.d ?? 1), 12);
    }
  });
});
