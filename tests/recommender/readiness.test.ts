import { describe, expect, it } from "vitest";
import { frontier, readinessOf, readinessScore } from "../../src/recommender/readiness.js";
import { buildIndex, parametersFor, studentWith } from "./support/next-items-graph.js";

// a ──1.0──▶ c ──0.9──▶ e ◀──1.0── a
// b ──0.2──▶ d                       f (mastered) ──1.0──▶ g        h, in unit u2 of subject art
const index = buildIndex([
  { id: "a" },
  { id: "b" },
  { id: "c", prerequisites: { a: 1 } },
  { id: "d", prerequisites: { b: 0.2 } },
  { id: "e", prerequisites: { a: 1, c: 0.9 } },
  { id: "f" },
  { id: "g", prerequisites: { f: 1 } },
  { id: "h", unitId: "u2", subjectId: "art" },
]);
const parametersOf = parametersFor(); // prior 0.2 everywhere
const ids = (points: { knowledgePointId: string }[]) => points.map((p) => p.knowledgePointId).sort();

describe("readiness", () => {
  it("is 1 for a point without prerequisites", () => {
    expect(readinessOf(index, studentWith({}), parametersOf, "a")).toEqual({ readiness: 1, prerequisites: [] });
  });

  it("is the soft AND Π(1 − strength·(1 − P(known))) of the direct prerequisites, with each one listed", () => {
    const student = studentWith({ a: 0.9, c: 0.6 });
    const result = readinessOf(index, student, parametersOf, "e");
    expect(result.readiness).toBeCloseTo((1 - 1 * 0.1) * (1 - 0.9 * 0.4), 12);
    expect(result.prerequisites.sort((x, y) => x.knowledgePointId.localeCompare(y.knowledgePointId))).toEqual([
      { knowledgePointId: "a", strength: 1, mastery: 0.9 },
      { knowledgePointId: "c", strength: 0.9, mastery: 0.6 },
    ]);
    expect(readinessScore(index, student, parametersOf, "e")).toBeCloseTo(result.readiness, 12);
  });

  it("uses the prior of a prerequisite never practised", () => {
    const prior = parametersFor({ a: { prior: 0.5 } });
    expect(readinessOf(index, studentWith({}), prior, "c").readiness).toBeCloseTo(0.5, 12);
  });
});

describe("frontier", () => {
  it("locks a point whose strong prerequisite is unknown, but not one behind a weak edge", () => {
    const points = frontier(index, studentWith({}), parametersOf);
    // c: 1 − 1.0·0.8 = 0.2 (locked); d: 1 − 0.2·0.8 = 0.84 (open); e, g locked behind strong edges.
    expect(ids(points)).toEqual(["a", "b", "d", "f", "h"]);
    expect(points.find((p) => p.knowledgePointId === "d")?.readiness).toBeCloseTo(0.84, 12);
  });

  it("opens a point once its strong prerequisite is known well enough, long before it is mastered", () => {
    expect(ids(frontier(index, studentWith({ a: 0.79 }), parametersOf))).not.toContain("c");
    const open = frontier(index, studentWith({ a: 0.8 }), parametersOf);
    expect(ids(open)).toContain("c");
    const c = open.find((p) => p.knowledgePointId === "c");
    expect(c?.mastery).toBe(0.2);
    expect(c?.readiness).toBeCloseTo(0.8, 12);
  });

  it("excludes mastered points and opens what they unlock", () => {
    const points = ids(frontier(index, studentWith({ a: 0.97, f: 0.95 }), parametersOf));
    expect(points).not.toContain("a");
    expect(points).not.toContain("f");
    expect(points).toEqual(expect.arrayContaining(["c", "g"]));
    // e needs c as well: 1 − 0.9·(1 − 0.2) = 0.28.
    expect(points).not.toContain("e");
  });

  it("takes the readiness threshold as an option", () => {
    expect(ids(frontier(index, studentWith({}), parametersOf, { threshold: 0.9 }))).not.toContain("d");
    expect(ids(frontier(index, studentWith({}), parametersOf, { threshold: 0.15 }))).toContain("c");
  });

  it("restricts to a scope: points, unit, subject, and every criterion given at once", () => {
    const student = studentWith({});
    expect(ids(frontier(index, student, parametersOf, { scope: { unitId: "u2" } }))).toEqual(["h"]);
    expect(ids(frontier(index, student, parametersOf, { scope: { subjectId: "math" } }))).toEqual(["a", "b", "d", "f"]);
    expect(ids(frontier(index, student, parametersOf, { scope: { knowledgePointIds: ["c", "d", "h", "zzz"] } }))).toEqual(["d", "h"]);
    expect(ids(frontier(index, student, parametersOf, { scope: { knowledgePointIds: ["d", "h"], subjectId: "art" } }))).toEqual(["h"]);
    expect(frontier(index, student, parametersOf, { scope: { unitId: "nowhere" } })).toEqual([]);
  });

  it("lists points in teaching order and answers the same for the same student", () => {
    const student = studentWith({ a: 0.97, b: 0.5 });
    const first = frontier(index, student, parametersOf);
    const order = index.topologicalOrder();
    const ranks = first.map((p) => order.indexOf(p.knowledgePointId));
    expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
    expect(frontier(index, student, parametersOf)).toEqual(first);
  });
});
