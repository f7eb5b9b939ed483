import { describe, expect, it } from "vitest";
import { KnowledgeGraphIndex } from "../../src/graph/knowledge-graph-index.js";
import type { GraphSnapshot } from "../../src/graph/store.js";

/** A snapshot from edges "a>b" (a is a prerequisite of b); points are created as named. */
function snapshot(points: string[], edges: string[], grades: Record<string, number> = {}): GraphSnapshot {
  return {
    units: [{ id: "u", subjectId: "s", grade: 1, order: 1, stageId: "st" }],
    knowledgePoints: points.map((id, order) => ({ id, subjectId: "s", unitId: "u", grade: grades[id] ?? 1, difficultyBand: 3, order })),
    prerequisites: edges.map((e) => {
      const [fromId, toId] = e.split(">") as [string, string];
      return { fromId, toId, strength: 0.5 };
    }),
    items: [
      { id: "i1", difficulty: 2, type: "numeric" },
      { id: "i2", difficulty: 4, type: "single_choice" },
    ],
    itemKnowledgePoints: [
      { itemId: "i1", knowledgePointId: "b", weight: 1 },
      { itemId: "i2", knowledgePointId: "b", weight: 0.5 },
      { itemId: "i2", knowledgePointId: "c", weight: 0.5 },
    ],
    itemMisconceptions: [{ itemId: "i2", misconceptionId: "m" }],
    misconceptionKnowledgePoints: [{ misconceptionId: "m", knowledgePointId: "c" }],
    resourceKnowledgePoints: [{ resourceId: "r", knowledgePointId: "a" }],
  };
}

//   a → b → d → e
//   a → c → d
//   f (isolated), grade 2: g → h
const diamond = snapshot(["e", "d", "c", "b", "a", "f", "h", "g"], ["a>b", "a>c", "b>d", "c>d", "d>e", "g>h"], { g: 2, h: 2 });

describe("KnowledgeGraphIndex", () => {
  const index = KnowledgeGraphIndex.build(diamond);

  it("orders every point after its prerequisites, earliest grade and position first", () => {
    const order = index.topologicalOrder();
    expect(order).toHaveLength(8);
    for (const edge of diamond.prerequisites) expect(order.indexOf(edge.fromId)).toBeLessThan(order.indexOf(edge.toId));
    expect(order.slice(-2)).toEqual(["g", "h"]); // grade 2 after every grade-1 point
    expect(index.topologicalRank("a")).toBe(order.indexOf("a"));
    expect(index.topologicalRank("zzz")).toBe(-1);
  });

  it("answers direct prerequisites and dependents with strengths", () => {
    expect(
      index
        .prerequisitesOf("d")
        .map((l) => l.id)
        .sort(),
    ).toEqual(["b", "c"]);
    expect(index.prerequisitesOf("d")[0]?.weight).toBe(0.5);
    expect(
      index
        .dependentsOf("a")
        .map((l) => l.id)
        .sort(),
    ).toEqual(["b", "c"]);
    expect(index.prerequisitesOf("unknown")).toEqual([]);
  });

  it("computes closures in teaching order, optionally depth-limited", () => {
    expect(index.prerequisiteClosure("e")).toEqual(index.topologicalOrder().filter((id) => ["a", "b", "c", "d"].includes(id)));
    expect(index.prerequisiteClosure("e", 1)).toEqual(["d"]);
    expect(index.prerequisiteClosure("e", 2).sort()).toEqual(["b", "c", "d"]);
    expect(index.dependentClosure("a")).toEqual(index.topologicalOrder().filter((id) => ["b", "c", "d", "e"].includes(id)));
    expect(index.prerequisiteClosure(["e", "h"]).sort()).toEqual(["a", "b", "c", "d", "g"]);
    expect(index.prerequisiteClosure("a")).toEqual([]);
    expect(index.prerequisiteClosure("nope")).toEqual([]);
    // Repeated queries reuse the visit marks correctly.
    for (let i = 0; i < 5; i++) expect(index.prerequisiteClosure("d")).toHaveLength(3);
  });

  it("collects large closures by scanning the order (the other code path) with the same result", () => {
    const n = 400;
    const chain = Array.from({ length: n }, (_, i) => `p${i}`);
    const big = KnowledgeGraphIndex.build(
      snapshot(
        chain,
        chain.slice(1).map((id, i) => `p${i}>${id}`),
      ),
    );
    const closure = big.prerequisiteClosure(`p${n - 1}`);
    expect(closure).toEqual(chain.slice(0, n - 1));
    expect(big.prerequisiteClosure(`p${n - 1}`, 3)).toEqual([`p${n - 4}`, `p${n - 3}`, `p${n - 2}`]);
  });

  it("counts how much of the graph depends on a point", () => {
    expect(index.dependentCount("a")).toBe(4);
    expect(index.dependentCount("e")).toBe(0);
    expect(index.dependentCount("g")).toBe(1);
  });

  it("links items, misconceptions and resources", () => {
    expect(index.itemsOf("b")).toEqual([
      { id: "i1", weight: 1 },
      { id: "i2", weight: 0.5 },
    ]);
    expect(index.pointsOfItem("i2").map((l) => l.id)).toEqual(["b", "c"]);
    expect(index.itemDifficultyBand("i2")).toBe(4);
    expect(index.itemType("i1")).toBe("numeric");
    expect(index.misconceptionsOfItem("i2")).toEqual(["m"]);
    expect(index.itemsRevealing("m")).toEqual(["i2"]);
    expect(index.misconceptionsOf("c")).toEqual(["m"]);
    expect(index.resourcesOf("a")).toEqual(["r"]);
    expect(index.pointsOfUnit("u")).toEqual(["e", "d", "c", "b", "a", "f", "h", "g"]);
  });

  it("refuses a stored graph with a cycle", () => {
    expect(() => KnowledgeGraphIndex.build(snapshot(["a", "b"], ["a>b", "b>a"]))).toThrow(/cycle/);
  });
});
