/**
 * Fitting on data simulated from known parameters: EM recovers them, the bounds hold, and the
 * result does not depend on the number of threads.
 */
import { describe, expect, it } from "vitest";
import { layoutTraces } from "../../src/bkt/dataset.js";
import { DEFAULT_EM_OPTIONS, type EmOptions } from "../../src/bkt/em.js";
import { crossValidate, evaluateModel, fitModel } from "../../src/bkt/fit.js";
import { type BktParameters, type BktVariant, isDegenerate, PARAMETER_BOUNDS } from "../../src/bkt/parameters.js";
import { simulateTraces } from "../../src/bkt/simulate.js";

const truth: Record<string, BktParameters> = {
  fractions: { prior: 0.25, learn: 0.15, forget: 0, slip: 0.08, guess: 0.2 },
  decimals: { prior: 0.6, learn: 0.1, forget: 0, slip: 0.12, guess: 0.3 },
  angles: { prior: 0.1, learn: 0.3, forget: 0, slip: 0.05, guess: 0.15 },
};
const options = (variant: BktVariant): EmOptions => ({ ...DEFAULT_EM_OPTIONS, variant });

function simulated(parameters: Record<string, BktParameters>, students: number, seed: number) {
  return layoutTraces(
    simulateTraces({
      skills: Object.entries(parameters).map(([name, p]) => ({ name, parameters: p })),
      students,
      answers: [6, 14],
      seed,
    }),
    true,
  );
}

describe("EM fitting", () => {
  it("recovers the parameters the data was simulated from", async () => {
    const dataset = simulated(truth, 3000, 7);
    const { model, report } = await fitModel(dataset, options("standard"), { threads: 1 });
    for (const [name, expected] of Object.entries(truth)) {
      const fitted = model.skills[name];
      expect(fitted, name).toBeDefined();
      for (const key of ["prior", "learn", "slip", "guess"] as const) {
        expect(Math.abs((fitted as BktParameters)[key] - expected[key]), `${name}.${key}`).toBeLessThan(0.035);
      }
      expect(report.skills[name]?.converged).toBe(true);
    }
    expect(report.degenerate).toBe(0);
    expect(report.rows).toBe(dataset.observations.length);
  });

  it("recovers forgetting with the forgets variant", async () => {
    const forgetting = { practice: { prior: 0.3, learn: 0.25, forget: 0.1, slip: 0.1, guess: 0.2 } };
    const dataset = simulated(forgetting, 4000, 11);
    const { model } = await fitModel(dataset, options("forgets"), { threads: 1 });
    expect(model.skills.practice?.forget).toBeGreaterThan(0.06);
    expect(model.skills.practice?.forget).toBeLessThan(0.14);
    const standard = await fitModel(dataset, options("standard"), { threads: 1 });
    expect(standard.model.skills.practice?.forget).toBe(0);
  });

  it("tells easy items from hard ones with item-difficulty", async () => {
    const rows = simulateTraces({
      skills: [
        {
          name: "ratios",
          parameters: { prior: 0.3, learn: 0.15, forget: 0, slip: 0.1, guess: 0.2 },
          items: [
            { guess: 0.45, slip: 0.05 },
            { guess: 0.05, slip: 0.25 },
          ],
        },
      ],
      students: 3000,
      answers: 10,
      seed: 3,
    });
    const { model } = await fitModel(layoutTraces(rows), options("item-difficulty"), { threads: 1 });
    const items = model.skills.ratios?.items ?? {};
    expect(items["ratios#0"]?.guess).toBeGreaterThan((items["ratios#1"]?.guess ?? 1) + 0.2);
    expect(items["ratios#1"]?.slip).toBeGreaterThan((items["ratios#0"]?.slip ?? 1) + 0.1);
  });

  it("keeps every fit inside the bounds, so no model is degenerate", async () => {
    // Answers that are pure noise push unbounded EM towards slip + guess ≥ 1.
    const noise = { noise: { prior: 0.5, learn: 0.01, forget: 0, slip: 0.5, guess: 0.5 } };
    const { model, report } = await fitModel(simulated(noise, 500, 5), options("standard"), { threads: 1 });
    const fitted = model.skills.noise as BktParameters;
    expect(isDegenerate(fitted)).toBe(false);
    expect(fitted.slip).toBeLessThanOrEqual(PARAMETER_BOUNDS.slip[1]);
    expect(fitted.guess).toBeLessThanOrEqual(PARAMETER_BOUNDS.guess[1]);
    expect(report.degenerate).toBe(0);
  });

  it("gives identical results on 1 and 2 threads", async () => {
    const dataset = simulated(truth, 600, 21);
    const one = await fitModel(dataset, options("standard"), { threads: 1 });
    const two = await fitModel(dataset, options("standard"), { threads: 2 });
    expect(two.model).toEqual(one.model);
    expect(two.report.logLikelihood).toBe(one.report.logLikelihood);
    const cvOne = await crossValidate(dataset, options("standard"), 3, "student", { threads: 1 });
    const cvTwo = await crossValidate(dataset, options("standard"), 3, "student", { threads: 2 });
    expect(cvTwo.pooled).toEqual(cvOne.pooled);
  });

  it("is reproducible for a seed", async () => {
    const dataset = simulated(truth, 300, 2);
    const a = await fitModel(dataset, options("standard"), { threads: 1 });
    const b = await fitModel(dataset, options("standard"), { threads: 1 });
    expect(b.model).toEqual(a.model);
  });
});

describe("evaluation and cross-validation", () => {
  it("tests every sequence exactly once and scores better than chance", async () => {
    const dataset = simulated(truth, 900, 4);
    for (const split of ["student", "skill-student"] as const) {
      const cv = await crossValidate(dataset, options("standard"), 5, split, { threads: 1 });
      expect(cv.pooled.rows).toBe(dataset.observations.length);
      expect(cv.folds).toHaveLength(5);
      expect(cv.folds.reduce((sum, fold) => sum + fold.rows, 0)).toBe(cv.pooled.rows);
      expect(cv.folds.reduce((sum, fold) => sum + fold.sequences, 0)).toBe(dataset.sequenceStudent.length);
      expect(cv.pooled.auc).toBeGreaterThan(0.7);
      expect(cv.meanOverFolds.auc).toBeGreaterThan(0.7);
    }
  });

  it("skips and counts knowledge points the model does not know", async () => {
    const dataset = simulated(truth, 200, 9);
    const { model } = await fitModel(dataset, options("standard"), { threads: 1 });
    delete model.skills.angles;
    const report = evaluateModel(dataset, model);
    expect(report.unknownSkills).toEqual(["angles"]);
    expect(report.rows + report.skippedRows).toBe(dataset.observations.length);
  });
});
