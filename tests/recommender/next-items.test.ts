import { describe, expect, it } from "vitest";
import { SeededRandom } from "../../src/bkt/random.js";
import { calibrationDelta, predictedSuccess, sigmoid } from "../../src/recommender/difficulty.js";
import type { CalibrationOf, ItemCalibration, StudentSnapshot } from "../../src/recommender/model.js";
import { type NextItemsOptions, nextItems } from "../../src/recommender/next-items.js";
import { predictItemSuccess } from "../../src/recommender/prediction.js";
import {
  answer,
  buildIndex,
  calibrationsFor,
  NOW,
  type PointSpec,
  parametersFor,
  pointNames,
  studentWith,
} from "./support/next-items-graph.js";

// a ──1.0──▶ c ──0.9──▶ e ◀──1.0── a        b ──0.2──▶ d        m (a root, for mastered/review cases)
// Items: two per point (a1, a2, …); "ac" assesses a and the locked c; "ad" assesses a and d.
const POINTS: PointSpec[] = [
  { id: "a" },
  { id: "b" },
  { id: "c", prerequisites: { a: 1 } },
  { id: "d", prerequisites: { b: 0.2 } },
  { id: "e", prerequisites: { a: 1, c: 0.9 }, items: { e1: 3, e2: 3, e3: 3, e4: 3 } },
  { id: "m" },
];
const index = buildIndex(POINTS, [
  { id: "ac", points: { a: 1, c: 1 } },
  { id: "ad", points: { a: 1, d: 0.5 } },
]);
const parametersOf = parametersFor();
const calibrationOf = calibrationsFor(index);

function recommend(student: StudentSnapshot, options: Partial<NextItemsOptions> = {}, calibrations: CalibrationOf = calibrationOf) {
  return nextItems(index, student, parametersOf, calibrations, pointNames, { count: 5, now: NOW, ...options });
}
const itemIds = (result: ReturnType<typeof recommend>) => result.items.map((i) => i.itemId);

describe("nextItems: eligibility", () => {
  it("never returns an item of a locked point, nor one that also assesses a locked point", () => {
    const result = recommend(studentWith({ m: 0.97 }), { count: 50 });
    const points = new Set(result.items.map((i) => i.knowledgePointId));
    expect([...points].sort()).toEqual(["a", "b", "d"]);
    expect(itemIds(result)).not.toContain("ac");
    expect(itemIds(result)).toEqual(expect.arrayContaining(["a1", "a2", "ad", "b1", "b2", "d1", "d2"]));
    expect(result.items).toHaveLength(7);
    for (const item of result.items) expect(item.kind).toBe("frontier");
  });

  it("never returns an item among the recent attempts, and returns fewer when too few remain", () => {
    const student = studentWith({ a: 0.97, b: 0.97, c: 0.97, d: 0.97, e: 0.5, m: 0.97 }, [
      answer("e1", "e", true),
      answer("e2", "e", false),
      answer("e3", "e", true),
    ]);
    const result = recommend(student, { count: 5 });
    expect(itemIds(result)).toEqual(["e4"]);
  });

  it("applies the caller's filter", () => {
    const result = recommend(studentWith({}), { count: 50, isEligible: (id) => id.startsWith("b") });
    expect(itemIds(result).sort()).toEqual(["b1", "b2"]);
  });

  it("keeps to the scope", () => {
    const result = recommend(studentWith({ a: 0.97 }), { count: 50, scope: { knowledgePointIds: ["c", "d"] } });
    expect(new Set(result.items.map((i) => i.knowledgePointId))).toEqual(new Set(["c", "d"]));
  });
});

describe("nextItems: scoring", () => {
  // One open point x with five items of calibrated difficulty −2 … 2, and nothing else to do.
  const single = buildIndex([
    { id: "x", items: { x1: 3, x2: 3, x3: 3, x4: 3, x5: 3 } },
    { id: "done", items: { done1: 3 } },
  ]);
  const difficulties: Record<string, number> = { x1: -2, x2: -1, x3: 0, x4: 1, x5: 2 };
  const calibrations = calibrationsFor(single, difficulties);
  const student = studentWith({ x: 0.5, done: 0.97 });
  const best = (target: number) =>
    nextItems(single, student, parametersOf, calibrations, pointNames, { count: 1, now: NOW, targetSuccess: target }).items[0];

  it("picks the item whose predicted success is nearest the target", () => {
    const predicted = Object.keys(difficulties).map((id) => ({
      id,
      p: predictItemSuccess(single, id, student, parametersOf, calibrations),
    }));
    for (const target of [0.5, 0.6, 0.7, 0.8, 0.9]) {
      const nearest = [...predicted].sort((x, y) => Math.abs(x.p - target) - Math.abs(y.p - target))[0];
      const chosen = best(target);
      expect(chosen?.itemId, `target ${target}`).toBe(nearest?.id);
      expect(chosen?.predictedSuccess).toBeCloseTo(nearest?.p as number, 12);
    }
    expect(best(0.7)?.itemId).toBe("x2"); // σ(logit(0.55) + 1) = 0.77
    expect(best(0.5)?.itemId).toBe("x3"); // 0.55
  });

  it("reports the expected gain Σ weight·(1 − P)·learn·readiness and the point's readiness", () => {
    const result = recommend(studentWith({}), { count: 50 });
    const d1 = result.items.find((i) => i.itemId === "d1");
    expect(d1?.readiness).toBeCloseTo(0.84, 12);
    expect(d1?.expectedGain).toBeCloseTo(0.8 * 0.15 * 0.84, 12);
    const ad = result.items.find((i) => i.itemId === "ad");
    expect(ad?.knowledgePointId).toBe("a"); // the heavier of its points
    expect(ad?.expectedGain).toBeCloseTo(0.8 * 0.15 + 0.5 * 0.8 * 0.15 * 0.84, 12);
  });

  it("keeps variety: at most ⌈count/2⌉ items per point, spread over the points there are", () => {
    const wide = buildIndex([
      { id: "p", items: { p1: 3, p2: 3, p3: 3, p4: 3, p5: 3, p6: 3 } },
      { id: "q", items: { q1: 1, q2: 1 } },
      { id: "r", items: { r1: 5 } },
    ]);
    const calibrations = calibrationsFor(wide, { p1: -0.5, p2: -0.5, p3: -0.5, p4: -0.5, p5: -0.5, p6: -0.5 });
    const student = studentWith({ p: 0.6, q: 0.6, r: 0.6 });
    for (const count of [1, 2, 3, 4, 5, 6, 8]) {
      const result = nextItems(wide, student, parametersOf, calibrations, pointNames, { count, now: NOW });
      const perPoint = new Map<string, number>();
      for (const item of result.items) perPoint.set(item.knowledgePointId, (perPoint.get(item.knowledgePointId) ?? 0) + 1);
      const cap = Math.ceil(count / 2);
      for (const n of perPoint.values()) expect(n, `count ${count}`).toBeLessThanOrEqual(cap);
      expect(result.items.length, `count ${count}`).toBe(Math.min(count, Math.min(6, cap) + Math.min(2, cap) + Math.min(1, cap)));
    }
    // p's items are the best (predicted success nearest 0.7): p fills its ⌈4/2⌉ = 2 places, the others go elsewhere.
    const four = nextItems(wide, student, parametersOf, calibrations, pointNames, { count: 4, now: NOW });
    expect(four.items.map((i) => i.knowledgePointId)).toEqual(["p", "p", "q", "q"]);
  });

  it("is deterministic: same answer every time, whatever the order of the snapshot's maps, ties by item id", () => {
    const mastery = { a: 0.6, b: 0.4, d: 0.3, m: { probability: 0.97, correct: 4, daysAgo: 40 } };
    const first = recommend(studentWith(mastery), { count: 4 });
    expect(recommend(studentWith(mastery), { count: 4 })).toEqual(first);
    const reversed = Object.fromEntries(Object.entries(mastery).reverse());
    expect(recommend(studentWith(reversed), { count: 4 })).toEqual(first);
    // Only a is open; after "ad" (which also teaches d a little) come a1 and a2, identical in every respect: the smaller id wins.
    const twins = recommend(studentWith({ a: 0.6, b: 0.97, d: 0.97, m: 0.97 }), { count: 3 });
    expect(itemIds(twins)[0]).toBe("ad");
    expect(itemIds(twins).filter((id) => id === "a1" || id === "a2")).toEqual(["a1"]);
  });
});

describe("nextItems: review and step-back", () => {
  it("offers a decayed mastered point for review, predicting from the decayed mastery", () => {
    // Four correct answers: half-life 24 days; 60 days later 0.97 has fallen to 0.2 + 0.77·2^−2.5 ≈ 0.336.
    const student = studentWith({ a: 0.97, b: 0.97, c: 0.97, d: 0.97, e: 0.97, m: { probability: 0.97, correct: 4, daysAgo: 60 } });
    const result = recommend(student);
    expect(itemIds(result).sort()).toEqual(["m1", "m2"]);
    const review = result.items[0];
    expect(review?.kind).toBe("review");
    expect(review?.predictedSuccess).toBeCloseTo(0.336 * 0.9 + 0.664 * 0.2, 2);
    expect(review?.explanation.en).toBe(`M — review: last practised 60 days ago, predicted mastery fell to 0.34; predicted success 44 %`);
    expect(review?.explanation.zh).toBe("M——复习：上次练习在 60 天前，预计掌握度降至 0.34；预计正确率 44%");
    // The same point practised yesterday is not due.
    expect(
      recommend(studentWith({ a: 0.97, b: 0.97, c: 0.97, d: 0.97, e: 0.97, m: { probability: 0.97, correct: 4, daysAgo: 0.1 } })).items,
    ).toEqual([]);
  });

  it("steps back to the unmastered prerequisites of a point failed three times in a row, even outside the scope", () => {
    // e is open (readiness 0.97·(1 − 0.9·0.15) ≈ 0.84) but three e answers in a row were wrong; c is not mastered yet.
    const failing = [answer("e1", "e", false), answer("e2", "e", false), answer("e3", "e", false)];
    const student = studentWith({ a: 0.97, b: 0.97, d: 0.97, m: 0.97, c: 0.85, e: 0.3 }, failing);
    const result = recommend(student, { count: 2, scope: { knowledgePointIds: ["e"] } });
    expect(result.target.adjustment).toBe("step-back");
    expect(result.target.target).toBeCloseTo(0.85, 12);
    expect(result.items[0]?.knowledgePointId).toBe("c");
    expect(result.items[0]?.kind).toBe("step-back");
    expect(result.items[0]?.explanation.en).toMatch(
      /^C — step back: 3 wrong answers in a row on E, which builds on this point \(mastery 0\.85\); predicted success \d+ %$/,
    );
    expect(itemIds(result)).not.toContain("e1");
    // Without the streak, c is outside the scope and not offered (and one point gets at most ⌈2/2⌉ items).
    const calm = recommend(studentWith({ a: 0.97, b: 0.97, d: 0.97, m: 0.97, c: 0.85, e: 0.3 }), {
      count: 2,
      scope: { knowledgePointIds: ["e"] },
    });
    expect(calm.items.map((i) => i.knowledgePointId)).toEqual(["e"]);
  });
  it("re-checks the prerequisites of a failed point when every one of them is marked mastered", () => {
    const failing = [answer("e1", "e", false), answer("e2", "e", false), answer("e3", "e", false)];
    const student = studentWith({ a: 0.97, b: 0.97, c: 0.96, d: 0.97, m: 0.97, e: 0.3 }, failing);
    const result = recommend(student, { count: 2 });
    expect(result.items.map((i) => i.kind)).toEqual(["step-back", "step-back"]);
    expect(new Set(result.items.map((i) => i.knowledgePointId))).toEqual(new Set(["a", "c"]));
    const c = result.items.find((i) => i.knowledgePointId === "c");
    expect(c?.explanation.en).toMatch(
      /^C — step back: 3 wrong answers in a row on E, which builds on this point, marked mastered \(0\.96\) but worth checking; predicted success \d+ %$/,
    );
    expect(c?.explanation.zh).toMatch(/^C——回到先修：E 连续答错 3 题，本知识点虽已记为掌握（0\.96），仍需复查；预计正确率 \d+%$/);
  });
});

describe("nextItems: explanations", () => {
  it("names the mastered prerequisites and the predicted success in both languages", () => {
    const result = recommend(studentWith({ a: 0.97, b: 0.97, d: 0.97, m: 0.97, c: 0.4 }), { count: 1 });
    const item = result.items[0];
    expect(item?.knowledgePointId).toBe("c");
    const percent = Math.round((item?.predictedSuccess as number) * 100);
    expect(item?.explanation).toEqual({
      zh: `C——已具备：先修 A 已掌握；预计正确率 ${percent}%`,
      en: `C — ready: prerequisites A mastered; predicted success ${percent} %`,
    });
    expect(result.target.explanation.en).toBe("Target success 70 %");
  });

  it("gives the mastery of prerequisites not yet mastered, and calls a point without any a starting point", () => {
    const result = recommend(studentWith({ a: 0.97, c: 0.85, e: 0.3, b: 0.97, d: 0.97, m: 0.97 }), {
      count: 1,
      scope: { unitId: "u1", knowledgePointIds: ["e"] },
    });
    expect(result.items[0]?.explanation.en).toMatch(/^E — ready: prerequisites A mastered, C at 0\.85; predicted success \d+ %$/);
    expect(result.items[0]?.explanation.zh).toMatch(/^E——已具备：先修 A 已掌握，C 掌握度 0\.85；预计正确率 \d+%$/);
    const root = recommend(studentWith({}), { count: 1, scope: { knowledgePointIds: ["b"] } });
    expect(root.items[0]?.explanation.en).toMatch(/^B — a starting point: no prerequisites; predicted success \d+ %$/);
  });
});

describe("nextItems: skipping predictions that cannot win", () => {
  /** The variety rule applied to a complete scored list (count 10,000 returns every eligible item). */
  function pickFrom(all: ReturnType<typeof recommend>["items"], count: number): string[] {
    const cap = Math.ceil(count / 2);
    const perPoint = new Map<string, number>();
    const left = [...all];
    const picked: string[] = [];
    let reviews = 0;
    let limitReviews = true;
    while (picked.length < count) {
      let best: (typeof all)[number] | undefined;
      let bestScore = Number.NEGATIVE_INFINITY;
      for (const item of left) {
        if (limitReviews && reviews >= cap && item.kind === "review") continue;
        const already = perPoint.get(item.knowledgePointId) ?? 0;
        if (already >= cap) continue;
        const score = item.score - 0.2 * already;
        if (score > bestScore || (score === bestScore && best && item.itemId < best.itemId)) {
          best = item;
          bestScore = score;
        }
      }
      if (!best) {
        if (!limitReviews) break;
        limitReviews = false;
        continue;
      }
      if (best.kind === "review") reviews++;
      picked.push(best.itemId);
      left.splice(left.indexOf(best), 1);
      perPoint.set(best.knowledgePointId, (perPoint.get(best.knowledgePointId) ?? 0) + 1);
    }
    return picked;
  }

  it("still finds a frontier item at its best after an urgent review has set a high bar", () => {
    // r: decayed to ≈ 0.336 (urgency saturated), its item predicted ≈ 0.44: score ≈ 0.04 + 0.66 + 0.25 + 1 ≈ 1.96, scored first.
    // f: mastery 0.3, learn 0.5 (gain term saturated), its item calibrated to hit 0.7 exactly: score 1 + 1 + 0.25 = 2.25.
    const pair = buildIndex([
      { id: "f", items: { f1: 3 } },
      { id: "r", items: { r1: 3 } },
    ]);
    const bktF = 0.3 * 0.9 + 0.7 * 0.2;
    const difficulty = Math.log(bktF / (1 - bktF)) - Math.log(0.7 / 0.3);
    const student = studentWith({ f: 0.3, r: { probability: 0.97, correct: 4, daysAgo: 60 } });
    const ask = (count: number) =>
      nextItems(pair, student, parametersFor({ f: { learn: 0.5 } }), calibrationsFor(pair, { f1: difficulty }), pointNames, {
        count,
        now: NOW,
      });
    const both = ask(2).items;
    expect(both.map((i) => [i.itemId, i.kind])).toEqual([
      ["f1", "frontier"],
      ["r1", "review"],
    ]);
    expect(both[0]?.score).toBeCloseTo(2.25, 9);
    expect(both[1]?.score).toBeGreaterThan(1.9);
    // Asked for one, the review is scored first and sets the bar; f1 must still be found.
    expect(ask(1).items.map((i) => i.itemId)).toEqual(["f1"]);
  });

  it("picks exactly what scoring every item would pick, on random graphs and students", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const random = new SeededRandom(seed);
      const points: PointSpec[] = Array.from({ length: 25 }, (_, i) => {
        const prerequisites: Record<string, number> = {};
        for (let k = 0; k < random.integer(0, 2) && i > 0; k++) prerequisites[`p${random.integer(0, i - 1)}`] = 0.2 + 0.8 * random.next();
        const items: Record<string, number> = {};
        for (let k = 0; k < random.integer(1, 5); k++) items[`p${i}q${k}`] = random.integer(1, 5);
        return { id: `p${i}`, prerequisites, items };
      });
      const extra = Array.from({ length: 8 }, (_, k) => ({
        id: `multi${k}`,
        points: { [`p${random.integer(0, 24)}`]: 1, [`p${random.integer(0, 24)}`]: 0.5 },
      }));
      const graph = buildIndex(points, extra);
      const difficulties: Record<string, number> = {};
      for (const point of points) for (const id of Object.keys(point.items ?? {})) difficulties[id] = 2 * random.next() - 1;
      const calibrations = calibrationsFor(graph, difficulties);
      const mastery: Record<string, { probability: number; correct: number; daysAgo: number }> = {};
      for (let i = 0; i < 25; i++) {
        if (random.next() < 0.6)
          mastery[`p${i}`] = {
            probability: random.next() < 0.4 ? 0.95 + 0.05 * random.next() : random.next(),
            correct: random.integer(0, 6),
            daysAgo: 30 * random.next(),
          };
      }
      const recent = random.next() < 0.5 ? [answer("p3q0", "p3", false), answer("p5q0", "p5", false), answer("p7q0", "p7", false)] : [];
      const student = studentWith(mastery, recent, random.next() - 0.5);
      const ask = (count: number) => nextItems(graph, student, parametersOf, calibrations, pointNames, { count, now: NOW });
      const all = ask(10_000).items;
      for (const count of [1, 2, 3, 5, 8])
        expect(
          ask(count).items.map((i) => i.itemId),
          `seed ${seed}, count ${count}`,
        ).toEqual(pickFrom(all, count));
    }
  });
});

/** Spearman's rank correlation (no ties in continuous draws). */
function spearman(x: readonly number[], y: readonly number[]): number {
  const ranks = (v: readonly number[]) => {
    const order = v.map((value, i) => ({ value, i })).sort((p, q) => p.value - q.value);
    const r = new Array<number>(v.length);
    order.forEach((o, rank) => {
      r[o.i] = rank;
    });
    return r;
  };
  const rx = ranks(x);
  const ry = ranks(y);
  const n = x.length;
  const d2 = rx.reduce((sum, r, i) => sum + (r - (ry[i] as number)) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}

describe("Elo calibration (difficulty.ts) on simulated students", () => {
  /**
   * 400 students of known ability and 60 items of known difficulty (both standard normal); a
   * student at BKT's even odds answers correctly with σ(ability − difficulty). Answers come in a
   * seeded random order, each moving the item and the student by calibrationDelta.
   */
  function simulate(answers: number, seed: number) {
    const random = new SeededRandom(seed);
    const normal = () => Math.sqrt(-2 * Math.log(Math.max(random.next(), 1e-12))) * Math.cos(2 * Math.PI * random.next());
    const trueDifficulty = Array.from({ length: 60 }, normal);
    const trueAbility = Array.from({ length: 400 }, normal);
    const items: ItemCalibration[] = trueDifficulty.map(() => ({ difficulty: 0, attempts: 0 }));
    const students = trueAbility.map(() => ({ ability: 0, attempts: 0 }));
    const errorAfter = new Map<number, number>();
    for (let t = 1; t <= answers; t++) {
      const i = random.integer(0, items.length - 1);
      const s = random.integer(0, students.length - 1);
      const item = items[i] as ItemCalibration;
      const student = students[s] as { ability: number; attempts: number };
      const correct = random.next() < sigmoid((trueAbility[s] as number) - (trueDifficulty[i] as number));
      const delta = calibrationDelta(predictedSuccess(0.5, item.difficulty, student.ability), correct, item, student);
      item.difficulty += delta.difficulty;
      item.attempts++;
      student.ability += delta.ability;
      student.attempts++;
      if (t % 3_000 === 0) {
        // Elo fixes difficulties only up to a shift shared with the abilities: compare centred values.
        const shift = items.reduce((sum, c, k) => sum + c.difficulty - (trueDifficulty[k] as number), 0) / items.length;
        const squared = items.reduce((sum, c, k) => sum + (c.difficulty - shift - (trueDifficulty[k] as number)) ** 2, 0);
        errorAfter.set(t, Math.sqrt(squared / items.length));
      }
    }
    return { trueDifficulty, calibrated: items.map((c) => c.difficulty), errorAfter };
  }

  it("ranks items as their true difficulties, ever more closely as answers accumulate", () => {
    for (const seed of [1, 2, 3]) {
      const { trueDifficulty, calibrated, errorAfter } = simulate(30_000, seed);
      expect(spearman(calibrated, trueDifficulty), `seed ${seed}`).toBeGreaterThan(0.9);
      const early = errorAfter.get(3_000) as number;
      const late = errorAfter.get(30_000) as number;
      expect(late, `seed ${seed}: RMSE ${early.toFixed(3)} → ${late.toFixed(3)}`).toBeLessThan(early * 0.75);
      expect(late).toBeLessThan(0.4);
    }
  });
});

describe("nextItems: reviews leave room for new learning", () => {
  const points: PointSpec[] = Array.from({ length: 10 }, (_, i) => ({ id: `r${i}` }));
  const graph = buildIndex(points);
  const ask = (student: StudentSnapshot, count: number) =>
    nextItems(graph, student, parametersOf, calibrationsFor(graph), pointNames, { count, now: NOW }).items;
  // Back from a long break: six points mastered two months ago, all due for review.
  const due = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`r${i}`, { probability: 0.99, correct: 1, daysAgo: 60 }]));

  it("takes at most half the places for reviews while new points are ready", () => {
    const items = ask(studentWith(due), 4);
    expect(items).toHaveLength(4);
    expect(items.filter((item) => item.kind === "review").length).toBeLessThanOrEqual(2);
    expect(items.some((item) => item.kind === "frontier")).toBe(true);
  });

  it("fills every place with reviews when nothing new is ready", () => {
    const all = { ...due, r6: { probability: 0.99, correct: 1, daysAgo: 60 }, r7: 0.99, r8: 0.99, r9: 0.99 };
    const items = ask(studentWith(all), 4);
    expect(items).toHaveLength(4);
    expect(items.every((item) => item.kind === "review")).toBe(true);
  });
});
