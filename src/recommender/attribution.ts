/**
 * 错题归因: why one wrong answer was wrong, as a posterior over competing causes.
 *
 * The model. Answering an item that can reveal misconception c, a student answers "by c" with
 * propensity θ_c and then gives c's tagged response with probability ρ (`misconceptionFidelity`,
 * default 0.9); otherwise they answer from knowledge as BKT describes. θ_c has a Beta(α, β) prior
 * (default Beta(1, 9): one answer in ten) updated by the student's record — chosen c's response k
 * times in n items that could reveal it — to the posterior mean (α + k)/(α + β + n). The answer
 * being attributed is taken out of the counts first, so it is not evidence for itself.
 *
 * Answering from knowledge, the item is answered correctly (1 − slip) when every point it assesses
 * is known and by a guess otherwise (the noisy-AND of bkt/online.ts, slip and guess weight-averaged
 * over the item's points with item-level values). Points are known independently with their
 * mastery m_p BEFORE this answer. When not every point is known, the blame is shared among the
 * points in proportion to w_p·(1 − m_p) (Q-matrix weight × doubt). A point p is not known either
 * because a prerequisite q blocks it — q not known (1 − M_q, current mastery) and the edge binding
 * (its strength s_q), b_q = (1 − M_q)·s_q — or on its own. With G = 1 − ∏(1 − b_q) the chance that
 * some prerequisite blocks p, and a block implying p unknown, P(blocked | p unknown) =
 * min(1, G / (1 − m_p)), shared among prerequisites in proportion to b_q.
 *
 * Hypotheses and priors (they sum to 1; Θ = 1 − ∏_c(1 − θ_c) over the indicated misconceptions):
 *   slip                   (1 − Θ) · ∏ m_p
 *   unknown-point p        (1 − Θ) · (1 − ∏ m) · share_p · (1 − P(blocked | p unknown))
 *   missing-prerequisite q (1 − Θ) · (1 − ∏ m) · share_p · P(blocked | p unknown) · b_q / Σ b
 *   misconception c        Θ · θ_c / Σ θ
 * Likelihood of THIS response (W = wrong responses a non-misconception error spreads over: the
 * options but the right one, or `openWrongResponses` for an open answer):
 *   slip: slip / W;  unknown-point, missing-prerequisite: (1 − guess) / W;  misconception: ρ.
 * Posterior ∝ prior × likelihood, normalised. Misconception hypotheses exist only for the
 * misconceptions this response indicated; when there are none, W cancels.
 */
import type { KnowledgeGraphIndex, WeightedLink } from "../graph/knowledge-graph-index.js";
import type { CalibrationOf, Explanation, ParametersOf, PointNameOf, StudentSnapshot } from "./model.js";
import { masteryProbability, predictItemSuccess } from "./prediction.js";

/** The wrong answer to attribute; a RecentAttempt of the snapshot fits, plus `optionCount`. */
export interface WrongAnswer {
  itemId: string;
  /** Misconceptions the chosen option or value indicated (may be empty). */
  misconceptionIds: readonly string[];
  /** Mastery before the answer of each point the item assessed (from the attempt record). */
  mastery: readonly { knowledgePointId: string; before: number }[];
  /** Options of a choice item (the chance a guess lands on the chosen one); omitted for open answers. */
  optionCount?: number;
  /** Whether `misconceptionCounts` of the snapshot already count this answer. Default true. */
  countedInSnapshot?: boolean;
}

export type MisconceptionNameOf = (misconceptionId: string) => Explanation;

export interface AttributionOptions {
  /** Beta prior of a misconception's propensity. Default { alpha: 1, beta: 9 }. */
  misconceptionPrior?: { alpha: number; beta: number };
  /** P(giving c's tagged response | answering by misconception c). Default 0.9. */
  misconceptionFidelity?: number;
  /** Distinct wrong values an open (non-choice) error is spread over. Default 5. */
  openWrongResponses?: number;
  /** Items per remedy. Default 3. */
  remedyItems?: number;
  /** Resources per remedy. Default 3. */
  remedyResources?: number;
}

export type CauseKind = "slip" | "unknown-point" | "missing-prerequisite" | "misconception";

export interface Remedy {
  /** Items to practise, first first. */
  itemIds: string[];
  resourceIds: string[];
}

export interface AttributedCause {
  kind: CauseKind;
  /** Posterior probability; the causes of one answer sum to 1. */
  probability: number;
  prior: number;
  /** P(this response | cause). */
  likelihood: number;
  /** unknown-point: the point; missing-prerequisite: the assessed point it blocks. */
  knowledgePointId?: string;
  /** missing-prerequisite: the prerequisite not known. */
  prerequisiteId?: string;
  misconceptionId?: string;
  evidence: Explanation;
  remedy: Remedy;
}

export interface Attribution {
  itemId: string;
  /** Most probable first. Empty only when the item assesses no point and indicated no misconception. */
  causes: AttributedCause[];
  summary: Explanation;
}

/** Order among causes of equal probability. */
const KIND_ORDER: Record<CauseKind, number> = { misconception: 0, "missing-prerequisite": 1, "unknown-point": 2, slip: 3 };

export function attributeWrongAnswer(
  index: KnowledgeGraphIndex,
  student: StudentSnapshot,
  answer: WrongAnswer,
  parametersOf: ParametersOf,
  calibrationOf: CalibrationOf,
  pointName: PointNameOf,
  misconceptionName: MisconceptionNameOf,
  options: AttributionOptions = {},
): Attribution {
  const { itemId } = answer;
  const before = new Map(answer.mastery.map((m) => [m.knowledgePointId, m.before]));
  const indexed = index.pointsOfItem(itemId);
  const points = indexed.length > 0 ? indexed : answer.mastery.map((m) => ({ id: m.knowledgePointId, weight: 1 }));
  // Assessed points (and prerequisites among them) at their mastery before the answer; other prerequisites as they are now.
  const masteryOf = (id: string) => before.get(id) ?? masteryProbability(student, id, parametersOf);
  const remedies = new RemedyFinder(index, student, itemId, parametersOf, calibrationOf, options);
  const beliefs = misconceptionBeliefs(student, answer, options);
  const noMisconception = beliefs.reduce((product, belief) => product * (1 - belief.propensity), 1);
  const spread = answer.optionCount !== undefined ? Math.max(1, answer.optionCount - 1) : (options.openWrongResponses ?? 5);

  const knowledge = { index, itemId, points, masteryOf, parametersOf, pointName, remedies };
  const hypotheses = [
    ...knowledgeHypotheses(knowledge, noMisconception, spread),
    ...misconceptionHypotheses(beliefs, 1 - noMisconception, answer, points, misconceptionName, remedies, options),
  ];
  let evidence = 0;
  for (const h of hypotheses) evidence += h.prior * h.likelihood;
  const causes = hypotheses
    .filter((h) => h.prior > 0 && evidence > 0)
    .map((h) => ({ ...h, probability: (h.prior * h.likelihood) / evidence }))
    .sort((a, b) => b.probability - a.probability || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || cmp(causeKey(a), causeKey(b)));
  return { itemId, causes, summary: summary(causes, pointName, misconceptionName) };
}

type Hypothesis = Omit<AttributedCause, "probability">;

interface KnowledgeContext {
  index: KnowledgeGraphIndex;
  itemId: string;
  points: readonly WeightedLink[];
  masteryOf: (knowledgePointId: string) => number;
  parametersOf: ParametersOf;
  pointName: PointNameOf;
  remedies: RemedyFinder;
}

/** Slip, unknown-point and missing-prerequisite: the answer came from knowledge, with prior mass `mass`. */
function knowledgeHypotheses(context: KnowledgeContext, mass: number, spread: number): Hypothesis[] {
  const { index, itemId, points, masteryOf, parametersOf, pointName, remedies } = context;
  if (points.length === 0) return [];
  let slip = 0;
  let guess = 0;
  let weights = 0;
  let allKnown = 1;
  let doubt = 0;
  for (const point of points) {
    const parameters = parametersOf(point.id, itemId);
    const m = masteryOf(point.id);
    slip += point.weight * parameters.slip;
    guess += point.weight * parameters.guess;
    weights += point.weight;
    allKnown *= m;
    doubt += point.weight * (1 - m);
  }
  slip /= weights;
  guess /= weights;
  const listed = (ids: readonly string[], language: "zh" | "en") =>
    ids
      .map((id) => (language === "zh" ? `“${pointName(id).zh}” ` : `"${pointName(id).en}" `) + masteryOf(id).toFixed(2))
      .join(language === "zh" ? "、" : ", ");
  const pointIds = points.map((p) => p.id);
  const hypotheses: Hypothesis[] = [
    {
      kind: "slip",
      prior: mass * allKnown,
      likelihood: slip / spread,
      evidence: {
        zh: `答题前的掌握度：${listed(pointIds, "zh")}；该题失误率 ${slip.toFixed(2)}`,
        en: `mastery before the answer: ${listed(pointIds, "en")}; the item's slip rate is ${slip.toFixed(2)}`,
      },
      remedy: remedies.confirmation(pointIds),
    },
  ];

  const likelihood = (1 - guess) / spread;
  for (const point of doubt > 0 ? points : []) {
    const m = masteryOf(point.id);
    const unknown = mass * (1 - allKnown) * ((point.weight * (1 - m)) / doubt);
    if (unknown <= 0) continue;
    const gaps = index
      .prerequisitesOf(point.id)
      .map((link) => ({ id: link.id, strength: link.weight, block: (1 - masteryOf(link.id)) * link.weight }));
    let unblocked = 1;
    let blocks = 0;
    for (const gap of gaps) {
      unblocked *= 1 - gap.block;
      blocks += gap.block;
    }
    // A block implies the point is unknown, so P(blocked | unknown) = P(blocked) / P(unknown), at most 1.
    const blocked = Math.min(1, (1 - unblocked) / (1 - m));
    const name = pointName(point.id);
    const prerequisiteIds = gaps.map((gap) => gap.id);
    hypotheses.push({
      kind: "unknown-point",
      prior: unknown * (1 - blocked),
      likelihood,
      knowledgePointId: point.id,
      evidence: {
        zh: `答题前“${name.zh}”的掌握度为 ${m.toFixed(2)}；${gaps.length > 0 ? `先修知识点掌握度：${listed(prerequisiteIds, "zh")}` : "它没有先修知识点"}`,
        en: `mastery of "${name.en}" was ${m.toFixed(2)} before the answer; ${
          gaps.length > 0 ? `prerequisite mastery: ${listed(prerequisiteIds, "en")}` : "it has no prerequisites"
        }`,
      },
      remedy: remedies.forPoint(point.id, true),
    });
    for (const gap of blocks > 0 ? gaps : []) {
      const prerequisite = pointName(gap.id);
      const mastery = masteryOf(gap.id).toFixed(2);
      hypotheses.push({
        kind: "missing-prerequisite",
        prior: (unknown * blocked * gap.block) / blocks,
        likelihood,
        knowledgePointId: point.id,
        prerequisiteId: gap.id,
        evidence: {
          zh: `“${name.zh}”（答题前掌握度 ${m.toFixed(2)}）依赖先修知识点“${prerequisite.zh}”（依赖强度 ${gap.strength.toFixed(2)}），而“${prerequisite.zh}”的掌握度为 ${mastery}`,
          en: `"${name.en}" (mastery ${m.toFixed(2)} before the answer) depends on "${prerequisite.en}" (strength ${gap.strength.toFixed(2)}), whose mastery is ${mastery}`,
        },
        remedy: remedies.forPoint(gap.id, false),
      });
    }
  }
  return hypotheses;
}

/** One hypothesis per misconception the response indicated, sharing prior mass `mass` by propensity. */
function misconceptionHypotheses(
  beliefs: readonly MisconceptionBelief[],
  mass: number,
  answer: WrongAnswer,
  points: readonly WeightedLink[],
  misconceptionName: MisconceptionNameOf,
  remedies: RemedyFinder,
  options: AttributionOptions,
): Hypothesis[] {
  const propensities = beliefs.reduce((total, belief) => total + belief.propensity, 0);
  const open = answer.optionCount === undefined;
  const gave = open ? { zh: "给出了", en: "gave the answer" } : { zh: "选择了", en: "chose the option" };
  return beliefs.map((belief) => {
    const name = misconceptionName(belief.id);
    const history =
      belief.exposed > 0
        ? { zh: `此前 ${belief.exposed} 次中选择 ${belief.chosen} 次`, en: `chose it ${belief.chosen} of ${belief.exposed} times before` }
        : { zh: "此前没有遇到过能暴露它的题目", en: "no earlier item could reveal it" };
    return {
      kind: "misconception" as const,
      prior: (mass * belief.propensity) / propensities,
      likelihood: options.misconceptionFidelity ?? 0.9,
      misconceptionId: belief.id,
      evidence: {
        zh: `${gave.zh}对应误区“${name.zh}”的${open ? "答案" : "选项"}；${history.zh}`,
        en: `${gave.en} of misconception "${name.en}"; ${history.en}`,
      },
      remedy: remedies.forMisconception(
        belief.id,
        points.map((p) => p.id),
      ),
    };
  });
}

interface MisconceptionBelief {
  id: string;
  /** Choices and exposures before this answer. */
  chosen: number;
  exposed: number;
  propensity: number;
}

function misconceptionBeliefs(student: StudentSnapshot, answer: WrongAnswer, options: AttributionOptions): MisconceptionBelief[] {
  const { alpha, beta } = options.misconceptionPrior ?? { alpha: 1, beta: 9 };
  const own = answer.countedInSnapshot === false ? 0 : 1;
  return [...new Set(answer.misconceptionIds)].map((id) => {
    const counts = student.misconceptionCounts.get(id) ?? { chosen: 0, exposed: 0 };
    const chosen = Math.max(0, counts.chosen - own);
    const exposed = Math.max(chosen, counts.exposed - own);
    return { id, chosen, exposed, propensity: (alpha + chosen) / (alpha + beta + exposed) };
  });
}

/** Practice for a cause: items ranked by the student's predicted success, and linked resources. */
class RemedyFinder {
  private readonly predicted = new Map<string, number>();
  private readonly band: number;

  constructor(
    private readonly index: KnowledgeGraphIndex,
    private readonly student: StudentSnapshot,
    private readonly itemId: string,
    private readonly parametersOf: ParametersOf,
    private readonly calibrationOf: CalibrationOf,
    private readonly options: AttributionOptions,
  ) {
    this.band = index.itemDifficultyBand(itemId) ?? Number.POSITIVE_INFINITY;
  }

  /** Items of a point, easiest for this student first; for an answered point, none harder than the item when there are such. */
  forPoint(pointId: string, noHarder: boolean): Remedy {
    const items = this.index.itemsOf(pointId).map((link) => link.id);
    const easier = items.filter((id) => id !== this.itemId && (this.index.itemDifficultyBand(id) ?? 0) <= this.band);
    return {
      itemIds: this.ranked(noHarder && easier.length > 0 ? easier : items),
      resourceIds: this.index.resourcesOf(pointId).slice(0, this.options.remedyResources ?? 3),
    };
  }

  /** After a likely slip: one item of the same points at the closest level, to confirm. */
  confirmation(pointIds: readonly string[]): Remedy {
    const items = [...new Set(pointIds.flatMap((id) => this.index.itemsOf(id).map((link) => link.id)))].filter((id) => id !== this.itemId);
    const distance = (id: string) => Math.abs((this.index.itemDifficultyBand(id) ?? 0) - this.band);
    items.sort((a, b) => distance(a) - distance(b) || cmp(a, b));
    return { itemIds: items.slice(0, 1), resourceIds: [] };
  }

  /** Items that can reveal the misconception (those on the answered points first); resources of the points it belongs to. */
  forMisconception(misconceptionId: string, pointIds: readonly string[]): Remedy {
    const assessed = new Set(pointIds);
    const onPoints = (id: string) => this.index.pointsOfItem(id).some((link) => assessed.has(link.id));
    const linked = pointIds.filter((id) => this.index.misconceptionsOf(id).includes(misconceptionId));
    const resourceIds = [...new Set((linked.length > 0 ? linked : pointIds).flatMap((id) => this.index.resourcesOf(id)))];
    return {
      itemIds: this.ranked(this.index.itemsRevealing(misconceptionId), onPoints),
      resourceIds: resourceIds.slice(0, this.options.remedyResources ?? 3),
    };
  }

  /** The items but the answered one: those `preferred` first, then by predicted success, easiest first. */
  private ranked(itemIds: readonly string[], preferred: (itemId: string) => boolean = () => true): string[] {
    return itemIds
      .filter((id) => id !== this.itemId)
      .sort((a, b) => Number(preferred(b)) - Number(preferred(a)) || this.success(b) - this.success(a) || cmp(a, b))
      .slice(0, this.options.remedyItems ?? 3);
  }

  private success(itemId: string): number {
    let p = this.predicted.get(itemId);
    if (p === undefined) {
      p = predictItemSuccess(this.index, itemId, this.student, this.parametersOf, this.calibrationOf);
      this.predicted.set(itemId, p);
    }
    return p;
  }
}

function causeLabel(cause: AttributedCause, pointName: PointNameOf, misconceptionName: MisconceptionNameOf): Explanation {
  switch (cause.kind) {
    case "slip":
      return { zh: "失误", en: "a slip" };
    case "unknown-point": {
      const name = pointName(cause.knowledgePointId ?? "");
      return { zh: `未掌握“${name.zh}”`, en: `not knowing "${name.en}"` };
    }
    case "missing-prerequisite": {
      const prerequisite = pointName(cause.prerequisiteId ?? "");
      const point = pointName(cause.knowledgePointId ?? "");
      return {
        zh: `缺少先修“${prerequisite.zh}”（影响“${point.zh}”）`,
        en: `missing prerequisite "${prerequisite.en}" (for "${point.en}")`,
      };
    }
    case "misconception": {
      const name = misconceptionName(cause.misconceptionId ?? "");
      return { zh: `误区“${name.zh}”`, en: `misconception "${name.en}"` };
    }
  }
}

function summary(causes: readonly AttributedCause[], pointName: PointNameOf, misconceptionName: MisconceptionNameOf): Explanation {
  const [first, second] = causes;
  if (!first) return { zh: "无法归因：该题没有考查的知识点", en: "nothing to attribute: the item assesses no knowledge point" };
  const percent = (cause: AttributedCause) => `${Math.round(cause.probability * 100)}%`;
  const top = causeLabel(first, pointName, misconceptionName);
  const zh = [`最可能的原因：${top.zh}（${percent(first)}）`];
  const en = [`most likely ${top.en} (${percent(first)})`];
  if (second) {
    const next = causeLabel(second, pointName, misconceptionName);
    zh.push(`其次：${next.zh}（${percent(second)}）`);
    en.push(`then ${next.en} (${percent(second)})`);
  }
  return { zh: zh.join("；"), en: en.join("; ") };
}

const causeKey = (cause: AttributedCause) => `${cause.knowledgePointId ?? ""}|${cause.prerequisiteId ?? ""}|${cause.misconceptionId ?? ""}`;
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
