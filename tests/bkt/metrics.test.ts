/** Metrics against values computed by hand. */
import { describe, expect, it } from "vitest";
import { auc, computeMetrics } from "../../src/bkt/metrics.js";

const f64 = (values: number[]) => Float64Array.from(values);
const i8 = (values: number[]) => Int8Array.from(values);

describe("prediction metrics", () => {
  it("AUC is the share of positive–negative pairs ranked right", () => {
    // pairs: (0.35 > 0.1), (0.35 < 0.4), (0.8 > 0.1), (0.8 > 0.4) → 3/4
    expect(auc(f64([0.1, 0.4, 0.35, 0.8]), i8([0, 0, 1, 1]), 4)).toBe(0.75);
  });

  it("AUC counts ties as half", () => {
    // positives {0.5, 0.8}, negatives {0.5, 0.2}: ½ + 1 + 1 + 1 = 3.5 of 4
    expect(auc(f64([0.5, 0.5, 0.2, 0.8]), i8([1, 0, 0, 1]), 4)).toBe(0.875);
    expect(auc(f64([0.3, 0.3, 0.3]), i8([1, 0, 1]), 3)).toBe(0.5);
  });

  it("AUC is undefined with one class only", () => {
    expect(auc(f64([0.2, 0.9]), i8([1, 1]), 2)).toBeNaN();
  });

  it("RMSE, log-loss and accuracy", () => {
    const m = computeMetrics(f64([0.9, 0.2, 0.6, 0.4]), i8([1, 0, 0, 1]));
    expect(m.rmse).toBeCloseTo(Math.sqrt((0.01 + 0.04 + 0.36 + 0.36) / 4), 12);
    expect(m.logLoss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.4) + Math.log(0.4)) / 4, 12);
    expect(m.accuracy).toBe(0.5);
    expect(m.rows).toBe(4);
    expect(m.auc).toBe(0.75);
  });

  it("log-loss stays finite for a confident miss", () => {
    const m = computeMetrics(f64([1, 0]), i8([0, 1]));
    expect(Number.isFinite(m.logLoss)).toBe(true);
    expect(m.logLoss).toBeGreaterThan(30);
  });

  it("scores only the first `count` entries", () => {
    expect(computeMetrics(f64([0.9, 0.1, 0.7]), i8([1, 0, 0]), 2).accuracy).toBe(1);
  });
});
