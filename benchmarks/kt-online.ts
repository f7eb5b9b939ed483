/**
 * kt-online suite: in-process throughput of the online updates in src/bkt/online.ts on one
 * thread — updateMastery (single point), predictCorrect, and the multi-point updateIndependent /
 * updateConjunctive / predictConjunctive — over a preallocated stream of seeded random
 * outcomes. Each measurement is warmed up first, then run 3 times; the median is reported.
 * Target (issue): ≥ 10 million single-point updates per second.
 *
 * Options: --updates n (default 50,000,000 per run).
 */
import {
  type AssessedPoint,
  predictConjunctive,
  predictCorrect,
  updateConjunctive,
  updateIndependent,
  updateMastery,
} from "../src/bkt/online.js";
import type { BktParameters } from "../src/bkt/parameters.js";
import { SeededRandom } from "../src/bkt/random.js";
import type { Figure, Suite } from "./lib/suite.js";

const STREAM = 1 << 20;
const MASK = STREAM - 1;
const REPEATS = 3;

/** Typical fitted values (ASSISTments 2009 medians are of this order). */
const PARAMETERS: BktParameters = { prior: 0.4, learn: 0.12, forget: 0, slip: 0.1, guess: 0.22 };

/** Times `body(count)` (which must return a value that depends on every step) and returns operations/s. */
function measure(count: number, body: (count: number) => number): { perSecond: number; seconds: number; sink: number } {
  body(Math.min(count, 2_000_000)); // warm-up: lets the JIT optimise the loop
  const rates: number[] = [];
  let sink = 0;
  let total = 0;
  for (let r = 0; r < REPEATS; r++) {
    const start = performance.now();
    sink += body(count);
    const seconds = (performance.now() - start) / 1000;
    total += seconds;
    rates.push(count / seconds);
  }
  rates.sort((a, b) => a - b);
  return { perSecond: rates[Math.floor(REPEATS / 2)] as number, seconds: total, sink };
}

const suite: Suite = {
  name: "kt-online",
  description:
    "Single-thread throughput of online BKT updates (updateMastery, predictCorrect, multi-point independent and conjunctive updates) over a preallocated random answer stream.",
  async run({ args, log }) {
    const flag = args.indexOf("--updates");
    const updates = flag >= 0 ? Number(args[flag + 1]) : 50_000_000;
    const random = new SeededRandom(42);
    const outcomes = new Uint8Array(STREAM);
    const masteries = new Float64Array(STREAM);
    for (let i = 0; i < STREAM; i++) {
      outcomes[i] = random.next() < 0.65 ? 1 : 0;
      masteries[i] = random.next();
    }

    log(`updateMastery: ${REPEATS} × ${updates.toLocaleString("en")} updates`);
    const single = measure(updates, (count) => {
      let mastery = PARAMETERS.prior;
      let checksum = 0;
      for (let i = 0; i < count; i++) {
        mastery = updateMastery(mastery, outcomes[i & MASK] === 1, PARAMETERS);
        checksum += mastery;
      }
      return checksum;
    });

    log("predictCorrect");
    const predict = measure(updates, (count) => {
      let checksum = 0;
      for (let i = 0; i < count; i++) checksum += predictCorrect(masteries[i & MASK] as number, PARAMETERS);
      return checksum;
    });

    const multi = (size: number, update: typeof updateIndependent) => {
      const points: AssessedPoint[] = Array.from({ length: size }, (_, k) => ({
        mastery: 0.3 + 0.1 * k,
        parameters: { ...PARAMETERS, guess: PARAMETERS.guess + 0.02 * k },
        weight: 1 - 0.2 * k,
      }));
      const out = new Float64Array(size);
      return (count: number) => {
        let checksum = 0;
        for (let i = 0; i < count; i++) {
          update(points, outcomes[i & MASK] === 1, out);
          for (let k = 0; k < size; k++) (points[k] as AssessedPoint).mastery = out[k] as number;
          checksum += out[0] as number;
        }
        return checksum;
      };
    };
    const calls = Math.max(1, Math.floor(updates / 5));
    log(`multi-point updates: ${REPEATS} × ${calls.toLocaleString("en")} calls each`);
    const independent2 = measure(calls, multi(2, updateIndependent));
    const conjunctive2 = measure(calls, multi(2, updateConjunctive));
    const independent3 = measure(calls, multi(3, updateIndependent));
    const conjunctive3 = measure(calls, multi(3, updateConjunctive));
    const predictConj = measure(calls, (count) => {
      const points: AssessedPoint[] = Array.from({ length: 3 }, () => ({ mastery: 0.5, parameters: PARAMETERS, weight: 1 }));
      let checksum = 0;
      for (let i = 0; i < count; i++) {
        (points[i % 3] as AssessedPoint).mastery = masteries[i & MASK] as number;
        checksum += predictConjunctive(points);
      }
      return checksum;
    });

    const M = 1e6;
    const figures: Figure[] = [
      {
        name: "updateMastery (single point): updates per second",
        value: single.perSecond / M,
        unit: "M/s",
        target: { value: 10, better: "higher" },
        note: `median of ${REPEATS} runs of ${updates.toLocaleString("en")} after warm-up; ${(1e9 / single.perSecond).toFixed(1)} ns per update`,
      },
      {
        name: "predictCorrect: predictions per second",
        value: predict.perSecond / M,
        unit: "M/s",
        note: `${(1e9 / predict.perSecond).toFixed(1)} ns per prediction`,
      },
      {
        name: "updateIndependent, 2 points: items per second",
        value: independent2.perSecond / M,
        unit: "M/s",
        note: `${((2 * independent2.perSecond) / M).toFixed(1)} M point updates/s`,
      },
      {
        name: "updateConjunctive, 2 points: items per second",
        value: conjunctive2.perSecond / M,
        unit: "M/s",
        note: `${((2 * conjunctive2.perSecond) / M).toFixed(1)} M point updates/s`,
      },
      {
        name: "updateIndependent, 3 points: items per second",
        value: independent3.perSecond / M,
        unit: "M/s",
        note: `${((3 * independent3.perSecond) / M).toFixed(1)} M point updates/s`,
      },
      {
        name: "updateConjunctive, 3 points: items per second",
        value: conjunctive3.perSecond / M,
        unit: "M/s",
        note: `${((3 * conjunctive3.perSecond) / M).toFixed(1)} M point updates/s`,
      },
      { name: "predictConjunctive, 3 points: predictions per second", value: predictConj.perSecond / M, unit: "M/s" },
    ];
    return {
      suite: "kt-online",
      description: this.description,
      figures,
      charts: [
        {
          title: "Online BKT operations per second, one thread (millions)",
          unit: "M/s",
          bars: figures.map((f) => ({ label: f.name.split(":")[0] as string, value: f.value })),
        },
      ],
      details: {
        parameters: PARAMETERS,
        updatesPerRun: updates,
        multiPointCallsPerRun: calls,
        repeats: REPEATS,
        streamLength: STREAM,
        checksums: [single, predict, independent2, conjunctive2, independent3, conjunctive3, predictConj].map((m) => m.sink),
        node: process.version,
        runner: "tsx (esbuild-transpiled TypeScript, same JIT as compiled dist/)",
      },
    };
  },
};

export default suite;
