/**
 * recommender suite: latency of `nextItems` (count 5) on a generated 10,000-point curriculum for
 * students who have each touched 1,000 points. Target (issue): p99 ≤ 5 ms over the whole graph.
 *
 * The graph is a layered DAG in two subjects of 5,000 points (units of 50): every point after a
 * subject's first layer has 1–3 prerequisites in the three layers before it, strengths 0.3–1, and
 * 4–6 items (every sixth item also assesses the previous point with weight 0.5). Each student has
 * worked through the first 1,000 points of subject A in teaching order: the first 700 mastered, the
 * last 300 anywhere between 0.1 and 0.94, plus 50 recent answers with response times. Two students
 * are back from a break (hundreds of points due for review), two practise daily. Timing: five
 * rounds of 2,000 calls after a warm-up, students in turn; the round with the median p99 is
 * reported, because other processes on a shared machine spoil single rounds.
 */
import type { BktParameters } from "../src/bkt/parameters.js";
import { SeededRandom } from "../src/bkt/random.js";
import { KnowledgeGraphIndex } from "../src/graph/knowledge-graph-index.js";
import { emptyGraphSnapshot, type GraphSnapshot } from "../src/graph/store.js";
import { coldStartCalibration } from "../src/recommender/difficulty.js";
import type { ItemCalibration, PointMastery, RecentAttempt, StudentSnapshot } from "../src/recommender/model.js";
import { type NextItemsOptions, nextItems } from "../src/recommender/next-items.js";
import { frontier, type RecommendationScope } from "../src/recommender/readiness.js";
import { percentile, type Suite } from "./lib/suite.js";

const SUBJECTS = ["A", "B"];
const POINTS_PER_SUBJECT = 5_000;
const LAYER = 100;
const POINTS_PER_UNIT = 50;
const TOUCHED = 1_000;
const MASTERED_TOUCHED = 700;
const STUDENTS = 4;
const WARM_UP = 300;
const CALLS = 2_000;
const ROUNDS = 5;
const NOW = new Date("2026-11-23T12:00:00Z");
const DAY_MS = 86_400_000;

const pointId = (subject: string, i: number) => `${subject}.kp${i}`;

export function generateGraph(seed = 7): GraphSnapshot {
  const random = new SeededRandom(seed);
  const snapshot = emptyGraphSnapshot();
  for (const subject of SUBJECTS) {
    for (let i = 0; i < POINTS_PER_SUBJECT; i++) {
      const unit = Math.floor(i / POINTS_PER_UNIT);
      const unitId = `${subject}.u${unit}`;
      const grade = 1 + Math.floor((i * 9) / POINTS_PER_SUBJECT);
      if (i % POINTS_PER_UNIT === 0) snapshot.units.push({ id: unitId, subjectId: subject, grade, order: unit, stageId: `${subject}.s` });
      const id = pointId(subject, i);
      snapshot.knowledgePoints.push({
        id,
        subjectId: subject,
        unitId,
        grade,
        difficultyBand: 1 + Math.floor(random.next() * 5),
        order: i % POINTS_PER_UNIT,
      });
      const layer = Math.floor(i / LAYER);
      if (layer > 0) {
        const from = Math.max(0, layer - 3) * LAYER;
        const chosen = new Set<number>();
        const wanted = random.integer(1, 3);
        while (chosen.size < wanted) chosen.add(random.integer(from, layer * LAYER - 1));
        for (const p of chosen) {
          snapshot.prerequisites.push({
            fromId: pointId(subject, p),
            toId: id,
            strength: Math.round((0.3 + 0.7 * random.next()) * 100) / 100,
          });
        }
      }
      const items = random.integer(4, 6);
      for (let k = 0; k < items; k++) {
        const itemId = `${id}.q${k}`;
        snapshot.items.push({ id: itemId, difficulty: 1 + Math.floor(random.next() * 5), type: "single_choice" });
        snapshot.itemKnowledgePoints.push({ itemId, knowledgePointId: id, weight: 1 });
        if (i > 0 && k === 5) snapshot.itemKnowledgePoints.push({ itemId, knowledgePointId: pointId(subject, i - 1), weight: 0.5 });
      }
    }
  }
  return snapshot;
}

function parametersTable(index: KnowledgeGraphIndex, seed: number): Map<string, BktParameters> {
  const random = new SeededRandom(seed);
  const table = new Map<string, BktParameters>();
  for (const id of index.topologicalOrder()) {
    table.set(id, {
      prior: 0.1 + 0.4 * random.next(),
      learn: 0.05 + 0.25 * random.next(),
      forget: 0,
      slip: 0.05 + 0.15 * random.next(),
      guess: 0.1 + 0.2 * random.next(),
    });
  }
  return table;
}

/**
 * A student who worked through the first TOUCHED points of subject A in teaching order: back from
 * a break (mastered points last practised up to 120 days ago, most due for review) or practising
 * daily (mastered points practised within the last two days).
 */
function generateStudent(index: KnowledgeGraphIndex, seed: number, back: boolean): StudentSnapshot {
  const random = new SeededRandom(seed);
  const touched = index
    .topologicalOrder()
    .filter((id) => index.point(id)?.subjectId === "A")
    .slice(0, TOUCHED);
  const mastery = new Map<string, PointMastery>();
  touched.forEach((id, rank) => {
    const isMastered = rank < MASTERED_TOUCHED;
    const attempts = random.integer(isMastered ? 4 : 1, isMastered ? 12 : 8);
    const daysAgo = isMastered && back ? 1 + ((MASTERED_TOUCHED - rank) / MASTERED_TOUCHED) * 120 * random.next() : 2 * random.next();
    mastery.set(id, {
      probability: isMastered ? 0.95 + 0.049 * random.next() : 0.1 + 0.84 * random.next(),
      attempts,
      correct: Math.min(attempts, random.integer(isMastered ? 4 : 0, attempts)),
      lastPractisedAt: new Date(NOW.getTime() - daysAgo * DAY_MS).toISOString(),
    });
  });
  const recentAttempts: RecentAttempt[] = [];
  for (let k = 0; k < 50; k++) {
    const point = touched[TOUCHED - 1 - random.integer(0, 150)] as string;
    const items = index.itemsOf(point);
    const before = mastery.get(point)?.probability ?? 0.3;
    recentAttempts.push({
      attemptId: `a${k}`,
      itemId: (items[random.integer(0, items.length - 1)] as { id: string }).id,
      correct: random.next() < 0.7,
      answeredAt: new Date(NOW.getTime() - (k + 1) * 90_000).toISOString(),
      responseTimeMs: 5_000 + random.integer(0, 40_000),
      misconceptionIds: [],
      mastery: [{ knowledgePointId: point, before, after: before }],
    });
  }
  return { mastery, recentAttempts, ability: 0.3 * (random.next() - 0.5), abilityAttempts: 400, misconceptionCounts: new Map() };
}

interface Timing {
  p50: number;
  p99: number;
  max: number;
  meanItems: number;
}

/** One round: WARM_UP calls, then CALLS timed calls, the students in turn. */
function timeCalls(run: (student: StudentSnapshot) => number, students: readonly StudentSnapshot[]): Timing {
  for (let i = 0; i < WARM_UP; i++) run(students[i % students.length] as StudentSnapshot);
  const samples = new Float64Array(CALLS);
  let items = 0;
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    items += run(students[i % students.length] as StudentSnapshot);
    samples[i] = performance.now() - started;
  }
  samples.sort();
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), max: samples[CALLS - 1] as number, meanItems: items / CALLS };
}

/** The round with the median p99: other processes on a shared machine spoil single rounds. */
function medianRound(rounds: Timing[]): Timing & { roundP99s: number[] } {
  const sorted = [...rounds].sort((a, b) => a.p99 - b.p99);
  return { ...(sorted[sorted.length >> 1] as Timing), roundP99s: rounds.map((r) => r.p99) };
}

const suite: Suite = {
  name: "recommender",
  description:
    "nextItems (count 5) latency on a generated 10,000-point / 2-subject layered curriculum for students who touched 1,000 points; index build time.",
  async run({ log }) {
    log("generating the graph");
    const snapshot = generateGraph();
    const buildStarted = performance.now();
    const index = KnowledgeGraphIndex.build(snapshot);
    const buildSeconds = (performance.now() - buildStarted) / 1000;
    log(
      `${index.pointCount} points, ${snapshot.prerequisites.length} edges, ${index.itemCount} items; index built in ${buildSeconds.toFixed(3)} s`,
    );

    const parameters = parametersTable(index, 11);
    const parametersOf = (id: string) => parameters.get(id) as BktParameters;
    const random = new SeededRandom(13);
    const calibrations = new Map<string, ItemCalibration>();
    for (const item of snapshot.items) {
      const cold = coldStartCalibration(item.difficulty);
      calibrations.set(item.id, random.next() < 0.3 ? { difficulty: cold.difficulty + random.next() - 0.5, attempts: 40 } : cold);
    }
    const calibrationOf = (id: string) => calibrations.get(id) as ItemCalibration;
    const pointName = (id: string) => ({ zh: id, en: id });
    const students = Array.from({ length: STUDENTS }, (_, s) => generateStudent(index, 100 + s, s % 2 === 0));
    const frontierSizes = students.map((student) => frontier(index, student, parametersOf).length);
    const kinds = students.map((student) =>
      nextItems(index, student, parametersOf, calibrationOf, pointName, { count: 5, now: NOW })
        .items.map((i) => i.kind)
        .join(" "),
    );
    log(`frontier sizes ${frontierSizes.join(", ")}; what count 5 returns: ${kinds.join(" | ")}`);

    const scopes: { label: string; scope?: RecommendationScope }[] = [
      { label: "whole graph (10,000 points)" },
      { label: "subject A (5,000 points)", scope: { subjectId: "A" } },
      { label: "one unit (50 points)", scope: { unitId: `A.u${Math.floor(TOUCHED / POINTS_PER_UNIT) - 1}` } },
    ];
    const rounds: Timing[][] = scopes.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      scopes.forEach(({ scope }, k) => {
        const options: NextItemsOptions = { count: 5, now: NOW, ...(scope ? { scope } : {}) };
        const run = (student: StudentSnapshot) => nextItems(index, student, parametersOf, calibrationOf, pointName, options).items.length;
        (rounds[k] as Timing[]).push(timeCalls(run, students));
      });
    }
    const timings = scopes.map(({ label }, k) => {
      const timing = medianRound(rounds[k] as Timing[]);
      log(
        `${label}: p50 ${timing.p50.toFixed(3)} ms, p99 ${timing.p99.toFixed(3)} ms (rounds ${timing.roundP99s.map((p) => p.toFixed(2)).join(", ")})`,
      );
      return { label, ...timing };
    });
    const whole = timings[0] as (typeof timings)[number];

    return {
      suite: "recommender",
      description: this.description,
      figures: [
        {
          name: "nextItems p99, whole graph",
          value: whole.p99,
          unit: "ms",
          target: { value: 5, better: "lower" },
          note: `median of ${ROUNDS} rounds (p99 ${whole.roundP99s.map((p) => p.toFixed(2)).join(" / ")} ms) of ${CALLS} calls after ${WARM_UP} warm-up, ${STUDENTS} students in turn; max ${whole.max.toFixed(2)} ms; mean frontier ${(frontierSizes.reduce((a, b) => a + b, 0) / STUDENTS).toFixed(0)} points`,
        },
        { name: "nextItems p50, whole graph", value: whole.p50, unit: "ms" },
        ...timings.slice(1).flatMap((t) => [
          { name: `nextItems p50, ${t.label}`, value: t.p50, unit: "ms" },
          {
            name: `nextItems p99, ${t.label}`,
            value: t.p99,
            unit: "ms",
            note: `max ${t.max.toFixed(2)} ms; ${t.meanItems.toFixed(1)} items returned`,
          },
        ]),
        {
          name: "index build (from snapshot)",
          value: buildSeconds,
          unit: "s",
          note: `${index.pointCount} points, ${snapshot.prerequisites.length} edges, ${index.itemCount} items`,
        },
      ],
      charts: [
        {
          title: "nextItems latency, count 5 (ms)",
          unit: "ms",
          bars: timings.flatMap((t) => [
            { label: `p50, ${t.label}`, value: t.p50 },
            { label: `p99, ${t.label}`, value: t.p99 },
          ]),
        },
      ],
      details: {
        points: index.pointCount,
        edges: snapshot.prerequisites.length,
        items: index.itemCount,
        touchedPoints: TOUCHED,
        frontierSizes,
        timings,
      },
    };
  },
};

export default suite;
