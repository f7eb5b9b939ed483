/** Online updates against values worked out by hand. */
import { describe, expect, it } from "vitest";
import {
  type AssessedPoint,
  posteriorMastery,
  predictConjunctive,
  predictCorrect,
  transition,
  updateConjunctive,
  updateIndependent,
  updateMastery,
} from "../../src/bkt/online.js";
import type { BktParameters } from "../../src/bkt/parameters.js";

const parameters: BktParameters = { prior: 0.3, learn: 0.2, forget: 0.05, slip: 0.1, guess: 0.25 };

describe("single-point online update", () => {
  it("predicts P(correct) = m(1 − slip) + (1 − m)guess", () => {
    // 0.4 · 0.9 + 0.6 · 0.25 = 0.36 + 0.15
    expect(predictCorrect(0.4, parameters)).toBeCloseTo(0.51, 12);
  });

  it("applies Bayes' rule to a correct and a wrong answer", () => {
    // correct: 0.36 / (0.36 + 0.15); wrong: 0.04 / (0.04 + 0.45)
    expect(posteriorMastery(0.4, true, parameters)).toBeCloseTo(0.36 / 0.51, 12);
    expect(posteriorMastery(0.4, false, parameters)).toBeCloseTo(0.04 / 0.49, 12);
  });

  it("learns and forgets in the transition", () => {
    // 0.5 · 0.95 + 0.5 · 0.2
    expect(transition(0.5, parameters)).toBeCloseTo(0.575, 12);
    const posterior = 0.36 / 0.51;
    expect(updateMastery(0.4, true, parameters)).toBeCloseTo(posterior * 0.95 + (1 - posterior) * 0.2, 12);
  });

  it("raises mastery on a correct answer and lowers it on a wrong one when slip + guess < 1", () => {
    for (const m of [0.01, 0.3, 0.7, 0.99]) {
      expect(posteriorMastery(m, true, parameters)).toBeGreaterThan(m);
      expect(posteriorMastery(m, false, parameters)).toBeLessThan(m);
    }
  });
});

describe("multi-point items", () => {
  const a: AssessedPoint = { mastery: 0.9, parameters, weight: 1 };
  const b: AssessedPoint = { mastery: 0.2, parameters, weight: 1 };

  it("independent: each point updated as if assessed alone", () => {
    const out = new Float64Array(2);
    updateIndependent([a, b], true, out);
    expect(out[0]).toBeCloseTo(updateMastery(0.9, true, parameters), 12);
    expect(out[1]).toBeCloseTo(updateMastery(0.2, true, parameters), 12);
  });

  it("conjunctive: P(correct) needs every point known", () => {
    // all known 0.18: 0.18 · 0.9 + 0.82 · 0.25
    expect(predictConjunctive([a, b])).toBeCloseTo(0.18 * 0.9 + 0.82 * 0.25, 12);
  });

  it("conjunctive: a wrong answer is blamed on the point least likely known", () => {
    const out = new Float64Array(2);
    updateConjunctive([a, b], false, out);
    // Hand-computed posteriors before the transition: P(wrong) = 0.18·0.1 + 0.82·0.75 = 0.633;
    // A: 0.9·(0.2·0.1 + 0.8·0.75)/0.633, B: 0.2·(0.9·0.1 + 0.1·0.75)/0.633.
    const postA = (0.9 * (0.2 * 0.1 + 0.8 * 0.75)) / 0.633;
    const postB = (0.2 * (0.9 * 0.1 + 0.1 * 0.75)) / 0.633;
    expect(out[0]).toBeCloseTo(transition(postA, parameters), 12);
    expect(out[1]).toBeCloseTo(transition(postB, parameters), 12);
    // The well-known point barely moves before the transition; the weak one takes the blame.
    expect((0.9 - postA) / 0.9).toBeLessThan((0.2 - postB) / 0.2);
  });

  it("conjunctive with one point equals the single-point update", () => {
    const out = new Float64Array(1);
    updateConjunctive([a], true, out);
    expect(out[0]).toBeCloseTo(updateMastery(0.9, true, parameters), 12);
  });
});
