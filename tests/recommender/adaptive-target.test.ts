import { describe, expect, it } from "vitest";
import { adaptiveTarget } from "../../src/recommender/adaptive-target.js";
import { answer } from "./support/next-items-graph.js";

const wrong = (item = "x1", point = "x") => answer(item, point, false, 30_000);
/** Right answers at the given response times (ms), newest first. */
const right = (...times: (number | undefined)[]) => times.map((ms, i) => answer(`r${i}`, "r", true, ms));

describe("adaptive target", () => {
  it("stays at the base rate without a clear run", () => {
    const result = adaptiveTarget([wrong(), wrong(), ...right(10_000)]);
    expect(result).toMatchObject({ target: 0.7, base: 0.7, adjustment: "steady", streak: 0, failedPointIds: [] });
    expect(result.explanation).toEqual({ zh: "目标正确率 70%", en: "Target success 70 %" });
    expect(adaptiveTarget([]).adjustment).toBe("steady");
  });

  it("steps back after three wrong answers in a row: easier items, prerequisites of the point just failed", () => {
    const result = adaptiveTarget([wrong("e2", "e"), wrong("e1", "e"), wrong("c1", "c"), ...right(10_000)]);
    expect(result.adjustment).toBe("step-back");
    expect(result.target).toBeCloseTo(0.85, 12);
    expect(result.streak).toBe(3);
    expect(result.failedPointIds).toEqual(["e"]);
    expect(result.explanation.en).toBe("3 wrong answers in a row: target success raised from 70 % to 85 %, stepping back to prerequisites");
    expect(result.explanation.zh).toContain("连续答错 3 题");
  });

  it("raises the target at most to 0.9, and never lowers an override above it", () => {
    expect(adaptiveTarget([wrong(), wrong(), wrong()], 0.8).target).toBeCloseTo(0.9, 12);
    expect(adaptiveTarget([wrong(), wrong(), wrong()], 0.95).target).toBe(0.95);
  });

  it("steps up after four right answers faster than the student's own median", () => {
    // The median of all eight recent times is 19 s; the four newest are faster.
    const result = adaptiveTarget([...right(5_000, 6_000, 7_000, 8_000), wrong(), ...right(40_000, 50_000, 60_000)]);
    expect(result.adjustment).toBe("step-up");
    expect(result.target).toBeCloseTo(0.6, 12);
    expect(result.streak).toBe(4);
    expect(result.explanation.en).toContain("target success lowered from 70 % to 60 %");
  });

  it("does not step up on slow right answers", () => {
    const slow = [...right(50_000, 60_000, 70_000, 80_000), wrong(), wrong(), ...right(5_000, 6_000)];
    expect(adaptiveTarget(slow).adjustment).toBe("steady");
  });

  it("counts right answers without a response time less: eight make the run that four fast ones do", () => {
    expect(adaptiveTarget(right(...Array<undefined>(7).fill(undefined))).adjustment).toBe("steady");
    const eight = adaptiveTarget(right(...Array<undefined>(8).fill(undefined)));
    expect(eight.adjustment).toBe("step-up");
    expect(eight.streak).toBe(8);
  });

  it("lowers the target at most to 0.5, and never raises an override below it", () => {
    const fast = right(...Array<undefined>(8).fill(undefined));
    expect(adaptiveTarget(fast, 0.55).target).toBeCloseTo(0.5, 12);
    expect(adaptiveTarget(fast, 0.4).target).toBe(0.4);
  });
});
