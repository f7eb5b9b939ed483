/**
 * recommender-efficiency suite: how many practice items simulated students need to master a unit
 * of the seed curriculum under three policies — this recommender (`nextItems`, count 1), random
 * items of the unit and its prerequisites, and curriculum order (each point in teaching order until
 * the BKT estimate says mastered). Target (issue): the recommender needs fewer items than both.
 *
 * The world:
 * - Curriculum: seeds/curriculum through the project's loader and validator, as a
 *   KnowledgeGraphIndex. Units: the UNITS math units with the most prerequisite edges between their
 *   own points. The practice scope of every policy is the unit plus the direct prerequisites of
 *   its points from earlier units.
 * - Parameters: standard BKT fitted (fitModel, engine defaults) on ASSISTments 2009 from --data.
 *   Skills with at least MIN_OBSERVATIONS answers, no parameter held at a bound and a learn rate of
 *   at least MIN_LEARN are dealt to curriculum points by a hash of the point id. (Below 0.05 a point
 *   needs 20+ items on average, and a unit of eight such points only measures the cap.) The fitted
 *   parameters are both the simulated students' truth and what every policy's estimate uses.
 * - Prerequisites matter: a student learns an unknown point at an opportunity with probability
 *   learn · weight · Π over its prerequisites q of (1 − strength(q) · [q unknown]) — a strong
 *   prerequisite the student does not know blocks it, a weak one slows it. The initial state
 *   follows the same rule: a point is known at the start with probability prior times that product,
 *   drawn in teaching order. Older prerequisites (two or more edges away) are known and estimated
 *   mastered; direct prerequisites from earlier units come with three simulated answers 14 days
 *   before the unit starts.
 * - Items: an item answers with its point's guess and slip moved by its difficulty band (±0.04 per
 *   band from the middle), so items differ as Elo calibration assumes; a multi-point item is right
 *   from knowledge only when all its points are known. Each answer updates the estimate of every
 *   point of the item with `updateMastery` (the API's independent update); for the recommender it
 *   also moves Elo item difficulty (shared by all students of a unit) and student ability.
 * - Time: 15 answers a session, one session a day, a minute apart, so spaced review can come due.
 *   Standard BKT has no forgetting, so a review pays off here only by re-checking a mark reached on
 *   lucky guesses; its items count like any other.
 * - Policies other than the recommender: random picks among the scope's items not among the recent
 *   answers (any when all are); curriculum order takes the scope's points in teaching order and
 *   practises the first one not yet mastered, on its item seen longest ago.
 * - Recent answers: snapshots carry the last RECENT_ATTEMPTS (50) answers, as the service passes
 *   them, and nextItems never offers an item among them. With the seed curriculum's small item
 *   pools (many points have 4 items) that often leaves nothing eligible, so the recommender policy
 *   is "ask with the last 50 answers; if nothing is eligible, ask again with the last 10" (a
 *   suggestion for the service; --retry-window 0 turns it off).
 *
 * Measured per run (capped at CAP items): items until every point of the unit is truly known (the
 * simulation's hidden state: the headline), and items until the estimate says every point of the
 * unit is mastered, with how often the unit was then truly known. When a policy has nothing left
 * to offer (estimate says done, or nothing eligible), the student practises the unit point with the
 * lowest estimate: the same fallback for all three, counted per policy. Each run also counts the
 * items spent on points already known, and on points blocked by an unknown prerequisite.
 *
 * Options: --students N (per unit, default 500), --window N (answers a snapshot carries, default
 * 50), --retry-window N (default 10; 0: no second ask).
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_EM_OPTIONS } from "../src/bkt/em.js";
import { fitModel } from "../src/bkt/fit.js";
import { updateMastery } from "../src/bkt/online.js";
import type { BktParameters } from "../src/bkt/parameters.js";
import { hashSeed, SeededRandom } from "../src/bkt/random.js";
import { validateCurriculumPath } from "../src/curriculum/importer.js";
import { type CurriculumData, misconceptionsOfItem } from "../src/curriculum/model.js";
import { KnowledgeGraphIndex } from "../src/graph/knowledge-graph-index.js";
import type { GraphSnapshot } from "../src/graph/store.js";
import { calibrationDelta, coldStartCalibration } from "../src/recommender/difficulty.js";
import {
  type ItemCalibration,
  MASTERED,
  type PointMastery,
  RECENT_ATTEMPTS,
  type RecentAttempt,
  type StudentSnapshot,
} from "../src/recommender/model.js";
import { nextItems } from "../src/recommender/next-items.js";
import { predictItemSuccess } from "../src/recommender/prediction.js";
import { KT_DATASETS, loadDataset, noProgress } from "./kt-datasets.js";
import type { Chart, Figure, Suite } from "./lib/suite.js";

const UNITS = 4;
const CAP = 400;
const SESSION = 15;
const MIN_OBSERVATIONS = 1_000;
const MIN_LEARN = 0.05;
const BAND_EMISSION_STEP = 0.04;
const START = Date.parse("2026-09-07T08:00:00Z");
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const POLICIES = ["recommender", "random", "curriculum"] as const;
type Policy = (typeof POLICIES)[number];
const POLICY_LABELS: Record<Policy, string> = { recommender: "this recommender", random: "random", curriculum: "curriculum order" };

/** The validated curriculum as the store's graph snapshot would hold it. */
function snapshotOf(data: CurriculumData): GraphSnapshot {
  return {
    units: data.units.map((u) => ({ id: u.id, subjectId: u.subjectId, grade: u.grade, order: u.order, stageId: u.stageId })),
    knowledgePoints: data.knowledgePoints.map((p) => ({
      id: p.id,
      subjectId: p.subjectId,
      unitId: p.unitId,
      grade: p.grade,
      difficultyBand: p.difficultyBand,
      order: p.order,
    })),
    prerequisites: data.prerequisites,
    items: data.items.map((i) => ({ id: i.id, difficulty: i.difficulty, type: i.type })),
    itemKnowledgePoints: data.items.flatMap((i) =>
      i.knowledgePoints.map((k) => ({ itemId: i.id, knowledgePointId: k.id, weight: k.weight })),
    ),
    itemMisconceptions: data.items.flatMap((i) => misconceptionsOfItem(i).map((misconceptionId) => ({ itemId: i.id, misconceptionId }))),
    misconceptionKnowledgePoints: data.misconceptions.flatMap((m) =>
      m.knowledgePointIds.map((knowledgePointId) => ({ misconceptionId: m.id, knowledgePointId })),
    ),
    resourceKnowledgePoints: data.resources.flatMap((r) =>
      r.knowledgePointIds.map((knowledgePointId) => ({ resourceId: r.id, knowledgePointId })),
    ),
  };
}

interface FittedSkill {
  name: string;
  parameters: BktParameters;
  observations: number;
}

async function fittedSkills(dataDir: string): Promise<{ skills: FittedSkill[]; fitted: number; rows: number; seconds: number }> {
  const spec = KT_DATASETS.find((d) => d.id === "assist2009");
  if (!spec) throw new Error("assist2009 is not among the KT datasets");
  const { data } = loadDataset(spec, dataDir, { items: false, shared: true });
  const { model, report } = await fitModel(data, { ...DEFAULT_EM_OPTIONS, variant: "standard" }, { threads: 2, onProgress: noProgress });
  const skills: FittedSkill[] = [];
  for (const [name, parameters] of Object.entries(model.skills)) {
    const summary = report.skills[name];
    if (!summary || summary.observations < MIN_OBSERVATIONS || summary.bounded.length > 0 || parameters.learn < MIN_LEARN) continue;
    const { prior, learn, forget, slip, guess } = parameters;
    skills.push({ name, parameters: { prior, learn, forget, slip, guess }, observations: summary.observations });
  }
  skills.sort((a, b) => (a.name < b.name ? -1 : 1));
  return { skills, fitted: Object.keys(model.skills).length, rows: report.rows, seconds: report.seconds };
}

/** One unit's world: its points, the practice scope, and what lies behind them. */
interface UnitWorld {
  unitId: string;
  unitPoints: string[];
  /** The unit and the direct prerequisites of its points, in teaching order. */
  scope: string[];
  /** Direct prerequisites from earlier units. */
  earlier: string[];
  /** Prerequisites two or more edges away: known and mastered. */
  older: string[];
  items: string[];
}

function unitWorld(index: KnowledgeGraphIndex, unitId: string): UnitWorld {
  const unitPoints = [...index.pointsOfUnit(unitId)].sort((a, b) => index.topologicalRank(a) - index.topologicalRank(b));
  const inUnit = new Set(unitPoints);
  const earlier = [...new Set(unitPoints.flatMap((p) => index.prerequisitesOf(p).map((l) => l.id)))].filter((id) => !inUnit.has(id));
  earlier.sort((a, b) => index.topologicalRank(a) - index.topologicalRank(b));
  const scope = [...earlier, ...unitPoints].sort((a, b) => index.topologicalRank(a) - index.topologicalRank(b));
  const inScope = new Set(scope);
  const older = index.prerequisiteClosure(scope).filter((id) => !inScope.has(id));
  const items = [...new Set(scope.flatMap((p) => index.itemsOf(p).map((l) => l.id)))].sort();
  return { unitId, unitPoints, scope, earlier, older, items };
}

/** The math units with the most prerequisite edges among their own points (ties: id). */
function chooseUnits(index: KnowledgeGraphIndex, data: CurriculumData): string[] {
  const internal = new Map<string, number>();
  for (const edge of data.prerequisites) {
    const from = index.point(edge.fromId);
    const to = index.point(edge.toId);
    if (from && to && from.unitId === to.unitId && to.subjectId === "math") internal.set(to.unitId, (internal.get(to.unitId) ?? 0) + 1);
  }
  return [...internal]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, UNITS)
    .map(([id]) => id);
}

interface Outcome {
  /** Items until every unit point was truly known (CAP when never). */
  toTrue: number;
  /** Items until the estimate said every unit point mastered (CAP when never). */
  toEstimate: number;
  trulyKnownAtEstimate: boolean;
  capped: boolean;
  fallbacks: number;
  retries: number;
  reviews: number;
  stepBacks: number;
  /** Items (until truly mastered) whose main point was already known, or blocked (unknown, learnable at under half speed). */
  onKnown: number;
  onBlocked: number;
}

function normal(random: SeededRandom): number {
  return Math.sqrt(-2 * Math.log(Math.max(random.next(), 1e-12))) * Math.cos(2 * Math.PI * random.next());
}

interface Simulation {
  index: KnowledgeGraphIndex;
  parametersOf: (pointId: string) => BktParameters;
  itemEmission: (itemId: string) => { guess: number; slip: number };
  /** Recent answers a snapshot carries (the service passes RECENT_ATTEMPTS). */
  window: number;
  /** When nothing is eligible, the recommender is asked again with only this many recent answers (0: never). */
  retryWindow: number;
}

/** One simulated student working through one unit under one policy. */
function runStudent(sim: Simulation, world: UnitWorld, policy: Policy, seed: number, calibrations: Map<string, ItemCalibration>): Outcome {
  const { index, parametersOf } = sim;
  const start = new SeededRandom(hashSeed("initial", seed));
  const known = new Map<string, boolean>();
  const mastery = new Map<string, PointMastery>();
  const trueReadiness = (pointId: string) => {
    let readiness = 1;
    for (const link of index.prerequisitesOf(pointId)) if (!known.get(link.id)) readiness *= 1 - link.weight;
    return readiness;
  };
  const learnChance = (pointId: string, weight: number) => parametersOf(pointId).learn * weight * trueReadiness(pointId);

  for (const id of world.older) {
    known.set(id, true);
    mastery.set(id, { probability: 0.97, attempts: 6, correct: 5, lastPractisedAt: new Date(START - 30 * DAY_MS).toISOString() });
  }
  for (const id of world.earlier) {
    const parameters = parametersOf(id);
    known.set(id, start.next() < parameters.prior * trueReadiness(id));
    let probability = parameters.prior;
    let correct = 0;
    for (let k = 0; k < 3; k++) {
      const right = known.get(id) ? start.next() >= parameters.slip : start.next() < parameters.guess;
      probability = updateMastery(probability, right, parameters);
      if (right) correct++;
      if (!known.get(id) && start.next() < learnChance(id, 1)) known.set(id, true);
    }
    mastery.set(id, { probability, attempts: 3, correct, lastPractisedAt: new Date(START - 14 * DAY_MS).toISOString() });
  }
  for (const id of world.unitPoints) known.set(id, start.next() < parametersOf(id).prior * trueReadiness(id));

  const random = new SeededRandom(hashSeed(`practice-${policy}`, seed));
  const recent: RecentAttempt[] = [];
  const student = { ability: 0, attempts: 0 };
  const estimate = (id: string) => mastery.get(id)?.probability ?? parametersOf(id).prior;
  const isRecent = (itemId: string) => recent.some((a) => a.itemId === itemId);
  /** The first item of a point not seen recently, else the one seen longest ago. */
  const freshItemOf = (pointId: string): string => {
    const items = index.itemsOf(pointId).map((l) => l.id);
    const fresh = items.find((id) => !isRecent(id));
    if (fresh) return fresh;
    return items.reduce((a, b) => (recent.findIndex((x) => x.itemId === a) > recent.findIndex((x) => x.itemId === b) ? a : b));
  };
  const fallback = () => {
    const weakest = world.unitPoints.reduce((a, b) => (estimate(b) < estimate(a) ? b : a));
    return freshItemOf(weakest);
  };

  const outcome: Outcome = {
    toTrue: CAP,
    toEstimate: CAP,
    trulyKnownAtEstimate: false,
    capped: false,
    fallbacks: 0,
    retries: 0,
    reviews: 0,
    stepBacks: 0,
    onKnown: 0,
    onBlocked: 0,
  };
  let trueDone = false;
  let estimateDone = false;
  for (let t = 1; t <= CAP && !(trueDone && estimateDone); t++) {
    const now = START + Math.floor((t - 1) / SESSION) * DAY_MS + ((t - 1) % SESSION) * MINUTE_MS;
    const snapshot: StudentSnapshot = {
      mastery,
      recentAttempts: recent,
      ability: student.ability,
      abilityAttempts: student.attempts,
      misconceptionCounts: new Map(),
    };

    let itemId: string | undefined;
    if (policy === "recommender") {
      const ask = (student: StudentSnapshot) =>
        nextItems(
          index,
          student,
          parametersOf,
          (id) => calibrations.get(id) ?? coldStartCalibration(index.itemDifficultyBand(id) ?? 3),
          (id) => ({ zh: id, en: id }),
          { count: 1, now: new Date(now), scope: { knowledgePointIds: world.scope } },
        ).items[0];
      let chosen = ask(snapshot);
      if (!chosen && sim.retryWindow > 0 && recent.length > sim.retryWindow) {
        outcome.retries++;
        chosen = ask({ ...snapshot, recentAttempts: recent.slice(0, sim.retryWindow) });
      }
      itemId = chosen?.itemId;
      if (chosen?.kind === "review") outcome.reviews++;
      if (chosen?.kind === "step-back") outcome.stepBacks++;
    } else if (policy === "random") {
      const fresh = world.items.filter((id) => !isRecent(id));
      itemId = random.pick(fresh.length > 0 ? fresh : world.items);
    } else {
      const current = world.scope.find((id) => estimate(id) < MASTERED);
      if (current) itemId = freshItemOf(current);
    }
    if (itemId === undefined) {
      outcome.fallbacks++;
      itemId = fallback();
    }

    // The answer: right from knowledge when every point is known, else a guess.
    const points = index.pointsOfItem(itemId);
    const emission = sim.itemEmission(itemId);
    const allKnown = points.every((p) => known.get(p.id));
    if (!trueDone) {
      const main = points.reduce((a, b) => (b.weight > a.weight ? b : a));
      if (known.get(main.id)) outcome.onKnown++;
      else if (trueReadiness(main.id) < 0.5) outcome.onBlocked++;
    }
    const correct = allKnown ? random.next() >= emission.slip : random.next() < emission.guess;
    const responseTimeMs = Math.round(1000 * Math.exp(Math.log(allKnown ? 20 : 35) + 0.3 * normal(random)));

    if (policy === "recommender") {
      const calibration = calibrations.get(itemId) ?? coldStartCalibration(index.itemDifficultyBand(itemId) ?? 3);
      const predicted = predictItemSuccess(index, itemId, snapshot, parametersOf, () => calibration);
      const delta = calibrationDelta(predicted, correct, calibration, student);
      calibrations.set(itemId, { difficulty: calibration.difficulty + delta.difficulty, attempts: calibration.attempts + 1 });
      student.ability += delta.ability;
      student.attempts++;
    }
    const changes = points.map((point) => {
      const before = estimate(point.id);
      const after = updateMastery(before, correct, parametersOf(point.id));
      const record = mastery.get(point.id);
      mastery.set(point.id, {
        probability: after,
        attempts: (record?.attempts ?? 0) + 1,
        correct: (record?.correct ?? 0) + (correct ? 1 : 0),
        lastPractisedAt: new Date(now).toISOString(),
      });
      return { knowledgePointId: point.id, before, after };
    });
    // Learning after the answer, from what was known before it.
    const learned = points.filter((point) => !known.get(point.id) && random.next() < learnChance(point.id, point.weight));
    for (const point of learned) known.set(point.id, true);
    recent.unshift({
      attemptId: `a${t}`,
      itemId,
      correct,
      answeredAt: new Date(now).toISOString(),
      responseTimeMs,
      misconceptionIds: [],
      mastery: changes,
    });
    if (recent.length > sim.window) recent.pop();

    if (!trueDone && world.unitPoints.every((id) => known.get(id))) {
      trueDone = true;
      outcome.toTrue = t;
    }
    if (!estimateDone && world.unitPoints.every((id) => estimate(id) >= MASTERED)) {
      estimateDone = true;
      outcome.toEstimate = t;
      outcome.trulyKnownAtEstimate = trueDone;
    }
  }
  outcome.capped = !trueDone;
  return outcome;
}

interface PolicySummary {
  toTrue: number;
  toTrueSe: number;
  toEstimate: number;
  toEstimateSe: number;
  trulyKnownAtEstimate: number;
  capped: number;
  fallbacks: number;
  retries: number;
  reviews: number;
  stepBacks: number;
  /** Shares of the items until truly mastered spent on known and on blocked points. */
  onKnown: number;
  onBlocked: number;
}

function summarise(outcomes: readonly Outcome[]): PolicySummary {
  const n = outcomes.length;
  const mean = (f: (o: Outcome) => number) => outcomes.reduce((s, o) => s + f(o), 0) / n;
  const se = (f: (o: Outcome) => number) => {
    const m = mean(f);
    return Math.sqrt(outcomes.reduce((s, o) => s + (f(o) - m) ** 2, 0) / (n - 1) / n);
  };
  return {
    toTrue: mean((o) => o.toTrue),
    toTrueSe: se((o) => o.toTrue),
    toEstimate: mean((o) => o.toEstimate),
    toEstimateSe: se((o) => o.toEstimate),
    trulyKnownAtEstimate: mean((o) => (o.trulyKnownAtEstimate ? 1 : 0)),
    capped: outcomes.filter((o) => o.capped).length,
    fallbacks: mean((o) => o.fallbacks),
    retries: mean((o) => o.retries),
    onKnown: mean((o) => o.onKnown) / mean((o) => o.toTrue),
    onBlocked: mean((o) => o.onBlocked) / mean((o) => o.toTrue),
    reviews: mean((o) => o.reviews),
    stepBacks: mean((o) => o.stepBacks),
  };
}

function numberFlag(args: readonly string[], flag: string, fallback: number, least = 1): number {
  const at = args.indexOf(flag);
  const value = at >= 0 ? Number(args[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < least) throw new Error(`${flag} needs an integer ≥ ${least}`);
  return value;
}

const suite: Suite = {
  name: "recommender-efficiency",
  description:
    "Practice items simulated students need to master a unit of the seed curriculum (BKT parameters fitted on ASSISTments 2009, learning gated by prerequisites): this recommender vs random items vs curriculum order.",
  async run({ dataDir, args, log }) {
    const students = numberFlag(args, "--students", 500);
    const window = numberFlag(args, "--window", RECENT_ATTEMPTS);
    const retryWindow = numberFlag(args, "--retry-window", 10, 0);
    const started = performance.now();

    const root = fileURLToPath(new URL("..", import.meta.url));
    const validated = await validateCurriculumPath(resolve(root, "seeds/curriculum"));
    const index = KnowledgeGraphIndex.build(snapshotOf(validated.data));
    log(`curriculum: ${index.pointCount} points, ${index.itemCount} items`);

    const fit = await fittedSkills(dataDir);
    log(`ASSISTments 2009: ${fit.fitted} skills fitted on ${fit.rows} rows in ${fit.seconds.toFixed(1)} s; ${fit.skills.length} usable`);
    if (fit.skills.length === 0) throw new Error("no fitted skill passed the filters");
    const skillOf = (pointId: string) => fit.skills[hashSeed(pointId) % fit.skills.length] as FittedSkill;
    const parametersOf = (pointId: string) => skillOf(pointId).parameters;
    const itemEmission = (itemId: string) => {
      const main = index.pointsOfItem(itemId).reduce((a, b) => (b.weight > a.weight ? b : a));
      const { guess, slip } = parametersOf(main.id);
      const shift = BAND_EMISSION_STEP * ((index.itemDifficultyBand(itemId) ?? 3) - 3);
      return { guess: Math.min(0.5, Math.max(0.01, guess - shift)), slip: Math.min(0.45, Math.max(0.01, slip + shift)) };
    };
    const sim: Simulation = { index, parametersOf, itemEmission, window, retryWindow };

    const units = chooseUnits(index, validated.data);
    const figures: Figure[] = [];
    const charts: Chart[] = [];
    const perUnit: Record<string, unknown>[] = [];
    const all: Record<Policy, Outcome[]> = { recommender: [], random: [], curriculum: [] };
    for (const unitId of units) {
      const world = unitWorld(index, unitId);
      const summaries = {} as Record<Policy, PolicySummary>;
      for (const policy of POLICIES) {
        const calibrations = new Map<string, ItemCalibration>();
        const outcomes = Array.from({ length: students }, (_, s) =>
          runStudent(sim, world, policy, hashSeed(`${unitId}#${s}`), calibrations),
        );
        all[policy].push(...outcomes);
        summaries[policy] = summarise(outcomes);
      }
      const r = summaries.recommender;
      log(
        `${unitId} (${world.unitPoints.length} points, ${world.earlier.length} earlier prerequisites): ` +
          POLICIES.map(
            (p) =>
              `${p} ${summaries[p].toTrue.toFixed(1)} / ${summaries[p].toEstimate.toFixed(1)} (known ${(100 * summaries[p].onKnown).toFixed(0)} %, blocked ${(100 * summaries[p].onBlocked).toFixed(0)} %)`,
          ).join(", ") +
          `; recommender reviews ${r.reviews.toFixed(1)}, step-backs ${r.stepBacks.toFixed(1)}, asked again ${r.retries.toFixed(1)}, fallbacks ${r.fallbacks.toFixed(1)}`,
      );
      perUnit.push({
        unitId,
        points: world.unitPoints.length,
        earlierPrerequisites: world.earlier.length,
        items: world.items.length,
        ...summaries,
      });
      for (const policy of POLICIES) {
        const s = summaries[policy];
        figures.push({
          name: `${unitId}: ${POLICY_LABELS[policy]}, items until truly mastered`,
          value: s.toTrue,
          unit: "items",
          note:
            `± ${s.toTrueSe.toFixed(1)} (s.e.); until the estimate says mastered ${s.toEstimate.toFixed(1)} ± ${s.toEstimateSe.toFixed(1)}, ` +
            `then truly mastered in ${(100 * s.trulyKnownAtEstimate).toFixed(0)} %; ${s.capped} of ${students} capped at ${CAP}; ` +
            `items on known points ${(100 * s.onKnown).toFixed(0)} %, on blocked points ${(100 * s.onBlocked).toFixed(0)} %` +
            (policy === "recommender"
              ? `; per run ${s.reviews.toFixed(1)} reviews, ${s.stepBacks.toFixed(1)} step-backs, ${s.retries.toFixed(1)} second asks, ${s.fallbacks.toFixed(1)} fallbacks`
              : `; ${s.fallbacks.toFixed(1)} fallbacks per run`),
        });
      }
      charts.push({
        title: `${unitId}: items until every point is truly known (mean of ${students} students)`,
        unit: "items",
        bars: POLICIES.map((p) => ({ label: POLICY_LABELS[p], value: summaries[p].toTrue })),
      });
    }

    const overall = Object.fromEntries(POLICIES.map((p) => [p, summarise(all[p])])) as Record<Policy, PolicySummary>;
    const rec = overall.recommender;
    const margin = (other: number, mine: number) => (100 * (other - mine)) / other;
    const headline: Figure[] = [
      ...POLICIES.map(
        (p): Figure => ({
          name: `all units: ${POLICY_LABELS[p]}, items until truly mastered`,
          value: overall[p].toTrue,
          unit: "items",
          note: `± ${overall[p].toTrueSe.toFixed(1)}; ${overall[p].capped} of ${all[p].length} runs capped at ${CAP}`,
        }),
      ),
      {
        name: "margin vs random (items until truly mastered)",
        value: margin(overall.random.toTrue, rec.toTrue),
        unit: "% fewer",
        target: { value: 0, better: "higher" },
        note: `${(overall.random.toTrue - rec.toTrue).toFixed(1)} items fewer per unit`,
      },
      {
        name: "margin vs curriculum order (items until truly mastered)",
        value: margin(overall.curriculum.toTrue, rec.toTrue),
        unit: "% fewer",
        target: { value: 0, better: "higher" },
        note: `${(overall.curriculum.toTrue - rec.toTrue).toFixed(1)} items fewer per unit`,
      },
      ...POLICIES.map(
        (p): Figure => ({
          name: `all units: ${POLICY_LABELS[p]}, items until the estimate says mastered`,
          value: overall[p].toEstimate,
          unit: "items",
          note: `± ${overall[p].toEstimateSe.toFixed(1)}; unit then truly mastered in ${(100 * overall[p].trulyKnownAtEstimate).toFixed(1)} % of runs`,
        }),
      ),
      {
        name: "margin vs random (items until the estimate says mastered)",
        value: margin(overall.random.toEstimate, rec.toEstimate),
        unit: "% fewer",
      },
      {
        name: "margin vs curriculum order (items until the estimate says mastered)",
        value: margin(overall.curriculum.toEstimate, rec.toEstimate),
        unit: "% fewer",
      },
    ];
    const seconds = (performance.now() - started) / 1000;
    log(`done in ${seconds.toFixed(1)} s`);
    return {
      suite: "recommender-efficiency",
      description: this.description,
      figures: [...headline, ...figures],
      charts: [
        {
          title: "All units: items until every point is truly known (mean)",
          unit: "items",
          bars: POLICIES.map((p) => ({ label: POLICY_LABELS[p], value: overall[p].toTrue })),
        },
        ...charts,
      ],
      details: {
        students,
        recentWindow: window,
        retryWindow,
        cap: CAP,
        session: SESSION,
        skills: fit.skills.map((s) => ({ name: s.name, observations: s.observations, ...s.parameters })),
        fit: { fitted: fit.fitted, rows: fit.rows, seconds: fit.seconds },
        units: perUnit,
        overall,
        seconds,
      },
    };
  },
};

export default suite;
