import { describe, expect, it } from "vitest";
import { MASTERED } from "../../src/recommender/model.js";
import { halfLifeDays, retentionOf, reviewCandidates } from "../../src/recommender/review.js";
import { NOW, parametersFor, practised, studentWith } from "./support/next-items-graph.js";

const DAY_MS = 86_400_000;
const parametersOf = parametersFor(); // prior 0.2
const days = (n: number) => new Date(NOW.getTime() + n * DAY_MS);

describe("forgetting curve", () => {
  it("starts at 3 days and doubles with each correct answer up to 96 days", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 20].map(halfLifeDays)).toEqual([3, 3, 6, 12, 24, 48, 96, 96, 96]);
  });

  it("keeps half of what was above the prior after one half-life, falling back towards the prior", () => {
    const retention = retentionOf(practised({ probability: 0.9, correct: 2 }), 0.2, days(6));
    expect(retention.days).toBeCloseTo(6, 9);
    expect(retention.halfLifeDays).toBe(6);
    expect(retention.retention).toBeCloseTo(0.5, 12);
    expect(retention.mastery).toBeCloseTo(0.9 * 0.5 + 0.5 * 0.2, 12);
    expect(retentionOf(practised(0.9), 0.2, days(10_000)).mastery).toBeCloseTo(0.2, 9);
  });

  it("forgets nothing when `now` is not after the last practice", () => {
    expect(retentionOf(practised(0.97), 0.2, days(-3))).toMatchObject({ days: 0, retention: 1, mastery: 0.97 });
  });
});

describe("review candidates", () => {
  // Six correct answers: half-life 96 days. 0.99 falls below 0.95 when
  // 2^(−t/96) < (0.95 − 0.2)/(0.99 − 0.2), i.e. after t = 96·log2(0.79/0.75) ≈ 7.2 days.
  const student = studentWith({ well: { probability: 0.99, correct: 6 } });

  it("appear once enough days have passed, and not before", () => {
    expect(reviewCandidates(student, parametersOf, days(7))).toEqual([]);
    const due = reviewCandidates(student, parametersOf, days(8));
    expect(due.map((c) => c.knowledgePointId)).toEqual(["well"]);
    expect(due[0]?.mastery).toBeLessThan(MASTERED);
    expect(due[0]?.urgency).toBeCloseTo(MASTERED - (due[0]?.mastery as number), 12);
    expect(due[0]?.probability).toBe(0.99);
  });

  it("come due sooner for points answered correctly fewer times", () => {
    const fresh = studentWith({ once: { probability: 0.99, correct: 1 }, often: { probability: 0.99, correct: 6 } });
    // Half-life 3 days: 3·log2(0.79/0.75) ≈ 0.22 days.
    expect(reviewCandidates(fresh, parametersOf, days(0.5)).map((c) => c.knowledgePointId)).toEqual(["once"]);
  });

  it("are ordered by urgency (how far mastery fell), ties by id, and never include unmastered points", () => {
    const many = studentWith({
      old: { probability: 0.97, correct: 4, daysAgo: 60 },
      recent: { probability: 0.97, correct: 4, daysAgo: 5 },
      twin: { probability: 0.97, correct: 4, daysAgo: 5 },
      learning: { probability: 0.6, correct: 2, daysAgo: 90 },
    });
    const due = reviewCandidates(many, parametersOf, NOW);
    expect(due.map((c) => c.knowledgePointId)).toEqual(["old", "recent", "twin"]);
    expect(due[0]?.urgency).toBeGreaterThan(due[1]?.urgency as number);
  });

  it("take the point's prior from its parameters and honour a filter", () => {
    const student60 = studentWith({ p: { probability: 0.99, correct: 3, daysAgo: 60 }, q: { probability: 0.99, correct: 3, daysAgo: 60 } });
    const highPrior = parametersFor({ p: { prior: 0.5 } });
    const [p, q] = ["p", "q"].map((id) => reviewCandidates(student60, highPrior, NOW).find((c) => c.knowledgePointId === id));
    expect(p?.mastery).toBeGreaterThan(q?.mastery as number);
    expect(reviewCandidates(student60, parametersOf, NOW, (id) => id === "q").map((c) => c.knowledgePointId)).toEqual(["q"]);
  });
});
