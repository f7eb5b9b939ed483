/**
 * The offline narrative: with no model configured (or when the model fails), the skeleton is
 * written out with bilingual templates: the point names, items, misconceptions and their
 * remedies, and linked resources. It needs no network and is deterministic: the same request
 * gives the same text.
 *
 * Tiers are read from least to most mastery. The first gets the most support (concrete models,
 * short steps, more review), the last the most independence (fewer prompts, extension), and the
 * tier work time is split between review, worked examples, practice and the exit ticket
 * accordingly.
 */
import { RESOURCE_KIND_ZH } from "./context-chunks.js";
import { asGeneratedText, type GeneratedText } from "./governance.js";
import {
  type LessonNarrative,
  type NarrativeItem,
  type NarrativeLanguage,
  type NarrativeMisconception,
  type NarrativeRequest,
  type NarrativeResource,
  type NarrativeTier,
  parseNarrativeRequest,
  type TierNarrative,
} from "./narrative.js";

type Support = "foundation" | "core" | "extension";
type ActivityKind = "review" | "examples" | "practice" | "exit";

function supportOf(index: number, count: number): Support {
  if (count === 1) return "core";
  if (index === 0) return "foundation";
  return index === count - 1 ? "extension" : "core";
}

/** Share of the tier work time per activity, by support level. */
const WEIGHTS: Record<Support, Record<ActivityKind, number>> = {
  foundation: { review: 0.25, examples: 0.3, practice: 0.3, exit: 0.15 },
  core: { review: 0.15, examples: 0.25, practice: 0.45, exit: 0.15 },
  extension: { review: 0.1, examples: 0.15, practice: 0.6, exit: 0.15 },
};

/** Dropped first when the tier work time is shorter than one minute per activity. */
const EXPENDABLE: ActivityKind[] = ["review", "exit", "examples"];

interface Phrases {
  list(items: readonly string[]): string;
  quote(text: string): string;
  resource(resource: NarrativeResource): string;
  overview(request: NarrativeRequest, tiers: string): string;
  tierSummary(tier: NarrativeTier): string;
  objective(objective: NarrativeRequest["objectives"][number]): string;
  openingScript(targets: string, review: string, hook: NarrativeResource | undefined): string;
  openingQuestions(targets: readonly string[]): string[];
  activityTitle: Record<ActivityKind, string>;
  review(points: string, support: Support, resources: string): string;
  examples(stems: string, support: Support): string;
  practice(items: string, support: Support): string;
  exit(items: string): string;
  noItems: string;
  explainItem(item: NarrativeItem, review: string): string;
  explainPoint(point: string): string;
  resourceNote(resources: string): string;
  questions(points: string, support: Support): string[];
  misconception(m: NarrativeMisconception): string;
  differentiation(tier: NarrativeTier, support: Support, homework: string): string;
  closing(targets: string, exits: string, homework: string): string;
}

/** Objectives are joined into one sentence: their own final full stops would break it. */
function withoutFinalStop(sentence: string): string {
  return sentence.replace(/[。．.；;]+$/u, "");
}

const EN: Phrases = {
  list: (items) => (items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`),
  quote: (text) => `“${text}”`,
  resource: (r) =>
    `“${r.title}” (${r.kind.replace("_", " ")}${r.durationMinutes ? `, about ${r.durationMinutes} min` : ""}${r.url ? `, ${r.url}` : ""})`,
  overview: (request, tiers) =>
    `A ${request.durationMinutes}-minute grade ${request.grade} ${request.subject} lesson on ${request.topic} for a class of ${request.classSize}. ` +
    `Objectives: ${request.objectives.map(EN.objective).join("; ")}. ` +
    `The class starts together (${request.timing.openingMinutes} min), then works in ${request.tiers.length} tier${request.tiers.length > 1 ? "s" : ""} for ${request.timing.tierWorkMinutes} min (${tiers}), and closes together (${request.timing.closingMinutes} min).`,
  tierSummary: (tier) => `${tier.label}: ${tier.size} student${tier.size === 1 ? "" : "s"}, ${tier.criteria}`,
  objective: (o) => `${withoutFinalStop(o.text)} (${o.standardCode})`,
  openingScript: (targets, review, hook) =>
    `Open with a short problem that connects ${targets} to what students already know${review ? `, in particular ${review}` : ""}. ` +
    `Let a few students say how they would start, without judging yet, then state today's goals in plain words.` +
    (hook ? ` Use ${EN.resource(hook)} as the hook.` : "") +
    " Tell each tier where it will work and what it should hand in at the end.",
  openingQuestions: (targets) => [
    ...targets.slice(0, 3).map((t) => `What do you already know that could help with ${t}?`),
    "How could we check whether an answer is reasonable before we calculate exactly?",
  ],
  activityTitle: {
    review: "Prerequisite review",
    examples: "Worked examples",
    practice: "Practice",
    exit: "Exit ticket",
  },
  review: (points, support, resources) =>
    ({
      foundation: `Rebuild ${points} step by step with concrete materials, drawings or a number line; ask students to say each step aloud before writing it.`,
      core: `Quick check of ${points}: two or three oral questions, then one written question; reteach on the spot only where answers differ.`,
      extension: `Brief recall of ${points}: students state the key idea in one sentence and give an example of their own.`,
    })[support] + (resources ? ` ${EN.resourceNote(resources)}` : ""),
  examples: (stems, support) =>
    ({
      foundation: `Model ${stems} slowly, thinking aloud: what is known, what is asked, which idea applies, and how to check. Then students redo the same example with a partner.`,
      core: `Work through ${stems} together: students propose each next step and justify it; record the method as a short list of steps.`,
      extension: `Students read ${stems} first and try it alone for two minutes; then compare methods and agree on the clearest one.`,
    })[support],
  practice: (items, support) =>
    ({
      foundation: `Guided practice: ${items}. Go through the first one together, then one at a time, checking each answer before the next.`,
      core: `Practice in pairs: ${items}. Partners explain their reasoning to each other; call the teacher when they disagree.`,
      extension: `Independent practice: ${items}. Those who finish early write a harder variant for another student and solve it.`,
    })[support],
  exit: (items) => `Each student answers alone, without help: ${items}. Collect the answers before the closing.`,
  noItems: "the questions chosen for this tier",
  explainItem: (item, review) =>
    `For ${EN.quote(item.stem)}: say which idea of ${item.pointName} it uses${review ? ` and how it builds on ${review}` : ""}, solve it in small steps, and show how to check the answer.`,
  explainPoint: (point) => `State the key idea of ${point} in one sentence and illustrate it with a simple example before any practice.`,
  resourceNote: (resources) => `Resources for this tier: ${resources}.`,
  questions: (points, support) =>
    ({
      foundation: [
        "What does the question ask you to find?",
        "Which numbers or facts in the question matter?",
        `Can you show ${points} with a drawing or a model?`,
      ],
      core: [
        "Why does this step work?",
        `How would you explain ${points} to a classmate who was absent?`,
        "How can you check your answer another way?",
      ],
      extension: [
        "Is there a second method? Which is more efficient, and why?",
        `What would change if the numbers in this ${points} question were different?`,
        "Can you write a question on this idea that catches a common mistake?",
      ],
    })[support],
  misconception: (m) =>
    `${m.name}: ${m.description} ` +
    (m.remedy
      ? `${m.remedy} Then let students explain in their own words why the mistaken idea fails.`
      : "Show a wrong answer that comes from this idea, let students find the error and say why it is wrong, then contrast it with the correct reasoning.") +
    (m.studentsShowing ? ` (${m.studentsShowing} student${m.studentsShowing === 1 ? "" : "s"} in this tier showed it recently.)` : ""),
  differentiation: (tier, support, homework) =>
    ({
      foundation: `This tier (${tier.size}; ${tier.criteria}) needs the most support: short steps, concrete models, worked examples before practice and a check after every item. Sit with it first.`,
      core: `This tier (${tier.size}; ${tier.criteria}) works mostly in pairs; visit it midway and ask for reasons rather than answers.`,
      extension: `This tier (${tier.size}; ${tier.criteria}) works independently; give fewer hints, expect explanations, and offer the harder variants.`,
    })[support] + (homework ? ` Homework: ${homework}.` : ""),
  closing: (targets, exits, homework) =>
    `Bring the class together. One student from each tier shares what they learned about ${targets}; summarise the key idea of each objective. ` +
    `Exit tickets: ${exits}.` +
    (homework ? ` Homework differs by tier: ${homework}.` : ""),
};

const ZH: Phrases = {
  list: (items) => items.join("、"),
  quote: (text) => `“${text}”`,
  resource: (r) =>
    `《${r.title}》（${RESOURCE_KIND_ZH[r.kind]}${r.durationMinutes ? `，约${r.durationMinutes}分钟` : ""}${r.url ? `，${r.url}` : ""}）`,
  overview: (request, tiers) =>
    `本课为${request.grade}年级${request.subject}“${request.topic}”，共${request.durationMinutes}分钟，全班${request.classSize}人。` +
    `教学目标：${request.objectives.map(ZH.objective).join("；")}。` +
    `先全班导入（${request.timing.openingMinutes}分钟），再分${request.tiers.length}个层级同时学习${request.timing.tierWorkMinutes}分钟（${tiers}），最后全班小结（${request.timing.closingMinutes}分钟）。`,
  tierSummary: (tier) => `${tier.label}${tier.size}人，${tier.criteria}`,
  objective: (o) => `${withoutFinalStop(o.text)}（${o.standardCode}）`,
  openingScript: (targets, review, hook) =>
    `用一个与${targets}有关的简短问题导入，联系学生已有的知识${review ? `，特别是${review}` : ""}。` +
    "先请几名学生说说打算怎么做，暂不评判，再用通俗的话说明本课目标。" +
    (hook ? `可用${ZH.resource(hook)}引入。` : "") +
    "说明各层级的学习位置和课末要上交的内容。",
  openingQuestions: (targets) => [
    ...targets.slice(0, 3).map((t) => `关于${t}，你已经知道哪些可以用上的知识？`),
    "在精确计算之前，怎样判断一个答案是否合理？",
  ],
  activityTitle: {
    review: "先备知识复习",
    examples: "例题讲解",
    practice: "练习",
    exit: "出门条",
  },
  review: (points, support, resources) =>
    ({
      foundation: `借助学具、画图或数轴，一步一步重建${points}；请学生先说出每一步再动笔。`,
      core: `快速检查${points}：两三道口答题加一道笔答题，只在答案有分歧时当场再讲。`,
      extension: `简要回顾${points}：学生用一句话说出要点，并自己举一个例子。`,
    })[support] + (resources ? ZH.resourceNote(resources) : ""),
  examples: (stems, support) =>
    ({
      foundation: `放慢速度示范${stems}，边做边说：已知什么、求什么、用哪个知识、怎样检验。随后学生与同伴把同一道题重做一遍。`,
      core: `与学生一起完成${stems}：由学生提出下一步并说明理由，把方法整理成简短的步骤。`,
      extension: `学生先独立尝试${stems}两分钟，再比较不同方法，共同选出最清楚的一种。`,
    })[support],
  practice: (items, support) =>
    ({
      foundation: `指导练习：${items}。第一题一起做，之后逐题完成，每题核对后再做下一题。`,
      core: `同桌合作练习：${items}。互相讲解思路，意见不一致时再请老师。`,
      extension: `独立练习：${items}。提前完成的学生改编一道更难的题给同学做。`,
    })[support],
  exit: (items) => `每名学生独立完成：${items}。小结前收回。`,
  noItems: "本层级的练习题",
  explainItem: (item, review) =>
    `讲解${ZH.quote(item.stem)}：说明它用到${item.pointName}的哪个要点${review ? `，以及与${review}的联系` : ""}，分小步解答，并示范如何检验答案。`,
  explainPoint: (point) => `练习前先用一句话说清${point}的要点，并举一个简单的例子。`,
  resourceNote: (resources) => `本层可用资源：${resources}。`,
  questions: (points, support) =>
    ({
      foundation: ["这道题要求什么？", "题目中哪些数或条件是有用的？", `你能用图或学具表示${points}吗？`],
      core: ["这一步为什么可以这样做？", `你会怎样向没来上课的同学解释${points}？`, "还能用什么方法检验你的答案？"],
      extension: [
        "还有别的方法吗？哪种更简便，为什么？",
        `如果把这道${points}题里的数换一换，结果会怎样变化？`,
        "你能就这个知识点编一道容易出错的题吗？",
      ],
    })[support],
  misconception: (m) =>
    `${m.name}：${m.description}` +
    (m.remedy
      ? `${m.remedy}再请学生用自己的话说明错误想法错在哪里。`
      : "出示由这种想法得到的错误答案，让学生找出错误并说明原因，再与正确思路对比。") +
    (m.studentsShowing ? `（本层近期有${m.studentsShowing}人出现此错误。）` : ""),
  differentiation: (tier, support, homework) =>
    ({
      foundation: `本层（${tier.size}人；${tier.criteria}）最需要支持：小步子、多用直观模型，先讲例题再练习，每题都及时反馈。教师先到本层指导。`,
      core: `本层（${tier.size}人；${tier.criteria}）以同桌合作为主；教师中途巡视，多追问理由而不只看答案。`,
      extension: `本层（${tier.size}人；${tier.criteria}）以独立学习为主；少给提示，要求说明思路，并提供更难的变式题。`,
    })[support] + (homework ? `作业：${homework}。` : ""),
  closing: (targets, exits, homework) =>
    `全班集中。每个层级请一名学生分享关于${targets}的收获，教师总结每个目标的要点。` +
    `出门条：${exits}。` +
    (homework ? `分层作业：${homework}。` : ""),
};

const PHRASES: Record<NarrativeLanguage, Phrases> = { en: EN, zh: ZH };

const text = asGeneratedText;

function distinct(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

/**
 * Splits `total` minutes over the activities by weight: each gets at least one, and they add up
 * to `total`. Practice is always there and absorbs the rounding.
 */
function allocateMinutes(kinds: ActivityKind[], weights: Record<ActivityKind, number>, total: number): Map<ActivityKind, number> {
  const chosen = [...kinds];
  for (const kind of EXPENDABLE) if (chosen.length > total && chosen.includes(kind)) chosen.splice(chosen.indexOf(kind), 1);
  const weightSum = chosen.reduce((sum, kind) => sum + weights[kind], 0);
  const minutes = new Map(chosen.map((kind) => [kind, Math.max(1, Math.floor((weights[kind] / weightSum) * total))]));
  minutes.delete("practice");
  let practice = total - [...minutes.values()].reduce((sum, m) => sum + m, 0);
  while (practice < 1) {
    const [largest] = [...minutes.entries()].sort((a, b) => b[1] - a[1]);
    if (!largest || largest[1] <= 1) break;
    minutes.set(largest[0], largest[1] - 1);
    practice++;
  }
  return new Map(chosen.map((kind) => [kind, kind === "practice" ? practice : (minutes.get(kind) as number)]));
}

function resourcesFor(resources: readonly NarrativeResource[], points: readonly string[]): NarrativeResource[] {
  const wanted = new Set(points);
  return resources.filter((resource) => resource.pointNames.some((name) => wanted.has(name)));
}

function tierNarrative(request: NarrativeRequest, tier: NarrativeTier, index: number, words: Phrases): TierNarrative {
  const support = supportOf(index, request.tiers.length);
  const review = words.list(tier.prerequisiteReview);
  const stems = (items: readonly NarrativeItem[]) => words.list(items.map((item) => words.quote(item.stem)));
  const kinds: ActivityKind[] = [];
  if (tier.prerequisiteReview.length > 0) kinds.push("review");
  if (tier.workedExamples.length > 0) kinds.push("examples");
  kinds.push("practice");
  if (tier.exitTicket.length > 0) kinds.push("exit");
  const minutes = allocateMinutes(kinds, WEIGHTS[support], request.timing.tierWorkMinutes);

  const reviewResources = resourcesFor(request.resources, tier.prerequisiteReview).map(words.resource);
  const describe: Record<ActivityKind, () => string> = {
    review: () => words.review(review, support, words.list(reviewResources)),
    examples: () => words.examples(stems(tier.workedExamples), support),
    practice: () => words.practice(tier.practiceItems.length > 0 ? stems(tier.practiceItems) : words.noItems, support),
    exit: () => words.exit(stems(tier.exitTicket)),
  };
  const activities = [...minutes.entries()].map(([kind, length]) => ({
    title: text(words.activityTitle[kind]),
    minutes: length,
    description: text(describe[kind]()),
  }));

  const points = distinct([...tier.workedExamples, ...tier.practiceItems].map((item) => item.pointName));
  const targetNames = points.length > 0 ? points : request.objectives.map((objective) => objective.pointName);
  const explanations: GeneratedText[] =
    tier.workedExamples.length > 0
      ? tier.workedExamples.slice(0, 8).map((item) => text(words.explainItem(item, review)))
      : distinct(targetNames)
          .slice(0, 8)
          .map((point) => text(words.explainPoint(point)));
  const tierResources = resourcesFor(request.resources, targetNames).map(words.resource);
  if (tierResources.length > 0 && explanations.length < 8) explanations.push(text(words.resourceNote(words.list(tierResources))));

  return {
    tierId: tier.id,
    activities,
    explanations,
    questions: words.questions(words.list(targetNames.slice(0, 2)), support).map(text),
    misconceptions: tier.misconceptions.map((m) => ({ misconceptionId: m.id, approach: text(words.misconception(m)) })),
    differentiation: text(words.differentiation(tier, support, stems(tier.homework))),
  };
}

/** Writes the whole narrative from the request; throws InvalidNarrativeRequestError on a bad request. */
export function offlineNarrative(input: NarrativeRequest): LessonNarrative {
  const request = parseNarrativeRequest(input);
  const words = PHRASES[request.language];
  const targets = distinct(request.objectives.map((objective) => objective.pointName));
  const review = distinct(request.tiers.flatMap((tier) => tier.prerequisiteReview));
  const hook = resourcesFor(request.resources, targets).find(
    (r) => r.kind === "video" || r.kind === "activity" || r.kind === "explanation",
  );
  const exits = request.tiers
    .filter((tier) => tier.exitTicket.length > 0)
    .map((tier) => `${tier.label} ${words.list(tier.exitTicket.map((item) => words.quote(item.stem)))}`);
  const homework = request.tiers
    .filter((tier) => tier.homework.length > 0)
    .map((tier) => `${tier.label} ${words.list(tier.homework.map((item) => words.quote(item.stem)))}`);
  return {
    overview: text(words.overview(request, request.tiers.map(words.tierSummary).join(request.language === "zh" ? "；" : "; "))),
    opening: {
      minutes: request.timing.openingMinutes,
      script: text(words.openingScript(words.list(targets), words.list(review.slice(0, 3)), hook)),
      questions: words.openingQuestions(targets).map(text),
    },
    tiers: request.tiers.map((tier, index) => tierNarrative(request, tier, index, words)),
    closing: {
      minutes: request.timing.closingMinutes,
      script: text(
        words.closing(
          words.list(targets),
          exits.length > 0 ? exits.join(request.language === "zh" ? "；" : "; ") : "—",
          homework.join(request.language === "zh" ? "；" : "; "),
        ),
      ),
    },
  };
}
