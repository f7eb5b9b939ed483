/**
 * prompt-packing suite: the graph excerpt of a 200-point unit (the seeded maths curriculum's
 * largest units, taken together until they hold 200 points, with their prerequisites,
 * misconceptions, resources and class counts for 45 students) is turned into context chunks
 * and packed into a 6,000-token budget with tiktoken counts, in Chinese and in English.
 * Reports the packing time (p50/p99 over repeats, after a warm-up), the tokens used, what was
 * kept, and the counting throughput of tiktoken. Issue 7 asks for time and tokens used; it
 * sets no target.
 *
 * Options: --repeats n (default 200).
 */
import { SeededRandom } from "../src/bkt/random.js";
import { loadPackages } from "../src/curriculum/load.js";
import type { CurriculumData, KnowledgePoint, Language } from "../src/curriculum/model.js";
import { validatePackages } from "../src/curriculum/validate.js";
import { contextChunks, type GraphExcerpt } from "../src/llm/context-chunks.js";
import type { ContextChunk } from "../src/llm/narrative.js";
import { packContext } from "../src/llm/prompt-packing.js";
import { countTokens, freeTokenEncoders, tokenCounter } from "../src/llm/tokens.js";
import { type Figure, percentile, type Suite } from "./lib/suite.js";

const UNIT_POINTS = 200;
const BUDGET = 6000;
const CLASS_SIZE = 45;

function seedCurriculum(): CurriculumData {
  const { packages, issues } = loadPackages("seeds/curriculum/math");
  if (issues.length > 0) throw new Error(`seed curriculum: ${issues[0]?.message}`);
  return validatePackages(packages).data;
}

/** The largest units, in order of size, until they hold 200 points: one big unit's excerpt. */
function unitExcerpt(data: CurriculumData): GraphExcerpt {
  const byUnit = new Map<string, KnowledgePoint[]>();
  for (const point of data.knowledgePoints) byUnit.set(point.unitId, [...(byUnit.get(point.unitId) ?? []), point]);
  const units = [...byUnit.values()].sort((a, b) => b.length - a.length);
  const targets: KnowledgePoint[] = [];
  for (const points of units) {
    if (targets.length >= UNIT_POINTS) break;
    targets.push(...points.slice(0, UNIT_POINTS - targets.length));
  }
  const targetIds = new Set(targets.map((point) => point.id));
  const points = new Map(data.knowledgePoints.map((point) => [point.id, point]));
  const strongest = new Map<string, number>();
  for (const edge of data.prerequisites) {
    if (targetIds.has(edge.toId) && !targetIds.has(edge.fromId)) {
      strongest.set(edge.fromId, Math.max(strongest.get(edge.fromId) ?? 0, edge.strength));
    }
  }
  const prerequisites = [...strongest].map(([id, strength]) => ({ point: points.get(id) as KnowledgePoint, strength }));
  const related = new Set([...targetIds, ...strongest.keys()]);
  const random = new SeededRandom(7);
  const misconceptions = data.misconceptions
    .filter((m) => m.knowledgePointIds.some((id) => targetIds.has(id)))
    .map((misconception) => ({ misconception, studentsShowing: random.next() < 0.4 ? random.integer(1, 15) : 0 }));
  const resources = data.resources.filter((r) => r.knowledgePointIds.some((id) => related.has(id)));
  const classPoints = [...related].map((pointId) => {
    const assessed = random.integer(20, CLASS_SIZE);
    return { pointId, assessed, mastered: random.integer(0, assessed) };
  });
  return { targets, prerequisites, misconceptions, resources, classSummary: { students: CLASS_SIZE, points: classPoints } };
}

function timeRepeats(repeats: number, body: () => void): number[] {
  for (let i = 0; i < 5; i++) body(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    body();
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b);
}

const suite: Suite = {
  name: "prompt-packing",
  description: `Packing a ${UNIT_POINTS}-point unit's graph excerpt and class summary into a ${BUDGET.toLocaleString("en")}-token budget (tiktoken o200k_base), zh and en.`,
  async run({ args, log }) {
    const flag = args.indexOf("--repeats");
    const repeats = flag >= 0 ? Number(args[flag + 1]) : 200;
    log("loading the seeded maths curriculum");
    const excerpt = unitExcerpt(seedCurriculum());
    const counter = tokenCounter("o200k_base");

    const coldStart = performance.now();
    countTokens("warm", "o200k_base");
    const encoderMs = performance.now() - coldStart;

    const figures: Figure[] = [];
    const details: Record<string, unknown> = {
      targets: excerpt.targets.length,
      prerequisites: excerpt.prerequisites.length,
      misconceptions: excerpt.misconceptions.length,
      resources: excerpt.resources.length,
      repeats,
    };
    const bars: { label: string; value: number }[] = [];
    for (const language of ["zh", "en"] as Language[]) {
      const chunks: ContextChunk[] = contextChunks(excerpt, language);
      const allText = chunks.map((chunk) => chunk.text).join("\n");
      const totalTokens = counter.count(allText);
      log(`${language}: ${chunks.length} chunks, ${totalTokens} tokens in all; packing ${repeats} times`);
      let packed = packContext(chunks, BUDGET, counter);
      const samples = timeRepeats(repeats, () => {
        packed = packContext(chunks, BUDGET, counter);
      });
      const countSamples = timeRepeats(repeats, () => counter.count(allText));
      const keptByKind = Object.fromEntries(
        ["target-point", "class-summary", "prerequisite", "misconception", "resource"].map((kind) => [
          kind,
          `${packed.kept.filter((c) => c.kind === kind).length}/${chunks.filter((c) => c.kind === kind).length}`,
        ]),
      );
      details[language] = { chunks: chunks.length, totalTokens, characters: allText.length, keptByKind };
      figures.push(
        {
          name: `pack ${UNIT_POINTS}-point unit into ${BUDGET} tokens (${language}): p50`,
          value: percentile(samples, 50),
          unit: "ms",
          note: `${chunks.length} chunks, ${totalTokens.toLocaleString("en")} tokens before packing`,
        },
        { name: `pack (${language}): p99`, value: percentile(samples, 99), unit: "ms", note: `over ${repeats} repeats after warm-up` },
        {
          name: `tokens used (${language})`,
          value: packed.tokens,
          unit: "tokens",
          note: `of ${BUDGET}; kept ${packed.kept.length}, dropped ${packed.dropped.length} chunks (kept by kind: ${Object.entries(
            keptByKind,
          )
            .map(([kind, ratio]) => `${kind} ${ratio}`)
            .join(", ")})`,
        },
        {
          name: `token counting throughput (${language})`,
          value: totalTokens / percentile(countSamples, 50),
          unit: "tokens/ms",
          note: `${(allText.length / 1024).toFixed(0)} KB counted in ${percentile(countSamples, 50).toFixed(2)} ms (p50)`,
        },
      );
      bars.push(
        { label: `pack p50 (${language})`, value: percentile(samples, 50) },
        { label: `pack p99 (${language})`, value: percentile(samples, 99) },
      );
    }
    figures.push({ name: "encoder build (o200k_base, first use)", value: encoderMs, unit: "ms", note: "once per process; cached after" });
    freeTokenEncoders();
    return {
      suite: "prompt-packing",
      description: this.description,
      figures,
      charts: [{ title: `Packing a ${UNIT_POINTS}-point unit into ${BUDGET} tokens`, unit: "ms", bars }],
      details,
    };
  },
};

export default suite;
