import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updateMastery } from "../../src/bkt/online.js";
import { type BktParameters, DEFAULT_PARAMETERS } from "../../src/bkt/parameters.js";
import { SeededRandom } from "../../src/bkt/random.js";
import { importCurriculum } from "../../src/curriculum/importer.js";
import { KnowledgeGraphIndex } from "../../src/graph/knowledge-graph-index.js";
import { SqliteStore } from "../../src/graph/sqlite/sqlite-store.js";
import { expectedOpportunities, type LearningPath, learningPath } from "../../src/recommender/learning-path.js";
import { MASTERED } from "../../src/recommender/model.js";
import { attributionIndex, EDGES, parametersWith, pointName, student } from "./support/attribution-graph.js";

const index = attributionIndex();
const ids = (path: LearningPath) => path.steps.map((step) => step.knowledgePointId);

/** Every edge between two points of the path runs forwards. */
function expectEdgesRespected(graph: KnowledgeGraphIndex, path: LearningPath) {
  const position = new Map(path.steps.map((step, i) => [step.knowledgePointId, i]));
  let checked = 0;
  for (const step of path.steps) {
    for (const link of graph.prerequisitesOf(step.knowledgePointId)) {
      const before = position.get(link.id);
      if (before === undefined) continue;
      expect(before, `${link.id} before ${step.knowledgePointId}`).toBeLessThan(position.get(step.knowledgePointId) as number);
      checked++;
    }
  }
  return checked;
}

/**
 * The BKT model itself, run forward: a hidden known/unknown state answering with slip and guess
 * and moving by learn and forget, the estimate updated after each answer, until it reaches MASTERED.
 */
function simulatedOpportunities(
  mastery: number,
  parameters: BktParameters,
  runs: number,
  seed: number,
): { mean: number; standardError: number } {
  const random = new SeededRandom(seed);
  let total = 0;
  let squares = 0;
  for (let run = 0; run < runs; run++) {
    let known = random.next() < mastery;
    let estimate = mastery;
    let opportunities = 0;
    while (estimate < MASTERED) {
      const correct = known ? random.next() >= parameters.slip : random.next() < parameters.guess;
      estimate = updateMastery(estimate, correct, parameters);
      known = known ? random.next() >= parameters.forget : random.next() < parameters.learn;
      opportunities++;
    }
    total += opportunities;
    squares += opportunities * opportunities;
  }
  const mean = total / runs;
  return { mean, standardError: Math.sqrt((squares / runs - mean * mean) / runs) };
}

describe("expectedOpportunities", () => {
  it("matches a direct simulation of the hidden state within its sampling error", () => {
    const sets: BktParameters[] = [
      DEFAULT_PARAMETERS,
      { prior: 0.2, learn: 0.05, forget: 0, slip: 0.1, guess: 0.3 },
      { prior: 0.2, learn: 0.3, forget: 0.02, slip: 0.05, guess: 0.25 },
      { prior: 0.2, learn: 0.02, forget: 0, slip: 0.2, guess: 0.4 },
    ];
    for (const [k, parameters] of sets.entries()) {
      for (const mastery of [0.05, 0.4, 0.85]) {
        const exact = expectedOpportunities(mastery, parameters) as number;
        const simulated = simulatedOpportunities(mastery, parameters, 50_000, 11 + k);
        // Four standard errors of the simulation, plus 1% for the grid.
        const tolerance = 4 * simulated.standardError + 0.01 * exact;
        expect(
          Math.abs(exact - simulated.mean),
          `${JSON.stringify(parameters)} from ${mastery}: ${exact} vs ${simulated.mean}`,
        ).toBeLessThan(tolerance);
      }
    }
  });

  it("falls as mastery or the learn rate rises, and is 0 at mastery", () => {
    const masteries = [0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.94];
    const byMastery = masteries.map((m) => expectedOpportunities(m, DEFAULT_PARAMETERS) as number);
    for (let i = 1; i < byMastery.length; i++) expect(byMastery[i]).toBeLessThan(byMastery[i - 1] as number);
    expect(byMastery.at(-1)).toBeGreaterThanOrEqual(1);
    expect(expectedOpportunities(MASTERED, DEFAULT_PARAMETERS)).toBe(0);

    const byLearn = [0.01, 0.05, 0.15, 0.3, 0.6].map((learn) => expectedOpportunities(0.3, { ...DEFAULT_PARAMETERS, learn }) as number);
    for (let i = 1; i < byLearn.length; i++) expect(byLearn[i]).toBeLessThan(byLearn[i - 1] as number);
    // A slow learner's expectation is of the order of 1/learn.
    expect(byLearn[0]).toBeGreaterThan(50);
  });

  it("reports mastery as unreachable when forgetting holds the estimate below the threshold", () => {
    expect(expectedOpportunities(0.5, { ...DEFAULT_PARAMETERS, forget: 0.1 })).toBeNull();
    expect(expectedOpportunities(0.5, { ...DEFAULT_PARAMETERS, forget: 0.01 })).toBeGreaterThan(0);
  });
});

describe("learningPath", () => {
  it("lists unmastered ancestors and the goal in prerequisite order, skipping mastered points", () => {
    const who = student({ mastery: { count: 0.99, add: 0.96, mul: 0.5, frac: 0.3 } });
    const path = learningPath(index, who, ["percent"], parametersWith(), pointName);
    expect(ids(path).sort()).toEqual(["decimal", "frac", "mul", "percent", "sub"]);
    expect(expectEdgesRespected(index, path)).toBeGreaterThan(0);
    expect(path.skipped.map((s) => s.knowledgePointId).sort()).toEqual(["add", "count"]);
    expect(path.steps.at(-1)).toMatchObject({ knowledgePointId: "percent", isGoal: true, practised: false, position: 5 });
    expect(path.steps.find((s) => s.knowledgePointId === "frac")?.prerequisiteIds.sort()).toEqual(["mul", "sub"]);
    expect(path.unknownGoalIds).toEqual([]);
    expect(path.explanation.en).toMatch(
      /^goals "Percentages": 5 points to learn, about \d+ practice opportunities in all; 2 already mastered, skipped$/,
    );
  });

  it("respects every edge of the graph when aiming at every point at once", () => {
    const goals = [...new Set(EDGES.map(([, to]) => to))].reverse();
    const path = learningPath(index, student(), goals, parametersWith(), pointName);
    expect(path.steps).toHaveLength(9); // every point but the isolated one
    expect(expectEdgesRespected(index, path)).toBe(EDGES.length);
  });

  it("reaches the goals in the order given", () => {
    const path = learningPath(index, student({ mastery: { count: 0.99, add: 0.99 } }), ["ratio", "percent"], parametersWith(), pointName);
    const order = ids(path);
    expect(order.indexOf("ratio")).toBeLessThan(order.indexOf("decimal"));
    expect(order.slice(-2)).toEqual(["decimal", "percent"]);
    expect(expectEdgesRespected(index, path)).toBeGreaterThan(0);
  });

  it("reports unknown goals instead of dropping them", () => {
    const path = learningPath(index, student(), ["nope", "iso", "nope"], parametersWith(), pointName);
    expect(path.unknownGoalIds).toEqual(["nope"]);
    expect(ids(path)).toEqual(["iso"]);
    expect(path.explanation.en).toContain("unknown goals: nope");
    expect(path.explanation.zh).toContain("未知的目标：nope");
  });

  it("puts each step's expected practice in the total, and the faster learner's path is shorter", () => {
    const who = student({ mastery: { frac: 0.4, mul: { probability: 0.7, attempts: 6 } } });
    const slow = learningPath(index, who, ["frac-add"], parametersWith(), pointName);
    const total = slow.steps.reduce((sum, step) => sum + (step.expectedOpportunities ?? 0), 0);
    expect(slow.totalExpectedOpportunities).toBeCloseTo(total, 9);
    for (const step of slow.steps) expect(step.expectedOpportunities).toBeGreaterThan(0);
    const mul = slow.steps.find((s) => s.knowledgePointId === "mul");
    expect(mul?.expectedOpportunities).toBeCloseTo(expectedOpportunities(0.7, DEFAULT_PARAMETERS) as number, 12);
    expect(mul?.explanation.en).toMatch(
      /^mastery 0\.70 after 6 attempts; about \d+\.\d more practice opportunities expected \(learn rate 0\.15\)$/,
    );

    const fast = learningPath(index, who, ["frac-add"], parametersWith({ frac: { learn: 0.4 } }), pointName);
    const fracOf = (path: LearningPath) => path.steps.find((s) => s.knowledgePointId === "frac")?.expectedOpportunities ?? 0;
    expect(fracOf(fast)).toBeLessThan(fracOf(slow));
    expect(fast.totalExpectedOpportunities).toBeLessThan(slow.totalExpectedOpportunities);
  });

  it("keeps a step whose mastery is unreachable, out of the total", () => {
    const path = learningPath(index, student(), ["add"], parametersWith({ add: { forget: 0.2 } }), pointName);
    const add = path.steps.find((s) => s.knowledgePointId === "add");
    expect(add?.expectedOpportunities).toBeNull();
    expect(add?.explanation.en).toContain("cannot reach mastery 0.95 under its parameters (forget rate 0.20)");
    expect(path.unreachableCount).toBe(1);
    expect(path.totalExpectedOpportunities).toBeCloseTo(path.steps[0]?.expectedOpportunities ?? 0, 12);
  });

  it("optionally does not look beneath mastered points", () => {
    const who = student({ mastery: { frac: 0.97 } });
    const full = learningPath(index, who, ["percent"], parametersWith(), pointName);
    expect(ids(full)).toContain("count");
    const pruned = learningPath(index, who, ["percent"], parametersWith(), pointName, { pruneBelowMastered: true });
    expect(ids(pruned)).toEqual(["decimal", "percent"]);
    expect(pruned.skipped).toEqual([{ knowledgePointId: "frac", isGoal: false, mastery: 0.97 }]);
  });
});

describe("learningPath on the seeded mathematics curriculum (SQLite store)", () => {
  let store: SqliteStore;
  let math: KnowledgeGraphIndex;

  beforeAll(async () => {
    store = new SqliteStore({ file: ":memory:" });
    await store.migrate();
    await importCurriculum(store, "seeds/curriculum/math");
    math = KnowledgeGraphIndex.build(await store.curriculum.loadGraphSnapshot());
  });
  afterAll(async () => {
    await store.close();
  });

  it("orders the deepest goal's whole ancestry (about 200 points) and prices every step", () => {
    const goal = math
      .topologicalOrder()
      .reduce((deepest, id) => (math.prerequisiteClosure(id).length > math.prerequisiteClosure(deepest).length ? id : deepest));
    const ancestry = math.prerequisiteClosure(goal);
    expect(ancestry.length).toBeGreaterThan(150);
    // Fitted parameters differ per point: vary them so the solver runs for many parameter sets.
    const parametersOf = (id: string): BktParameters => {
      const rank = math.topologicalRank(id);
      return { ...DEFAULT_PARAMETERS, learn: 0.05 + (rank % 17) * 0.02, slip: 0.05 + (rank % 5) * 0.03 };
    };
    const who = student({ mastery: Object.fromEntries(ancestry.slice(0, 40).map((id) => [id, 0.97])) });
    const path = learningPath(math, who, [goal], parametersOf, (id) => ({ zh: id, en: id }));
    expect(path.steps).toHaveLength(ancestry.length + 1 - 40);
    expect(path.skipped).toHaveLength(40);
    expect(path.steps.at(-1)?.knowledgePointId).toBe(goal);
    expect(expectEdgesRespected(math, path)).toBeGreaterThan(100);
    for (const step of path.steps) expect(step.expectedOpportunities).toBeGreaterThan(1);
    expect(path.unreachableCount).toBe(0);
  });
});
