/**
 * A lesson plan as Markdown, in the plan's language: the export teachers print or paste. It holds
 * tier sizes and criteria but never the roster (names and ids stay behind the API's staff-only
 * fields), and it says which parts a model wrote.
 */
import { type GeneratedText, readGeneratedText } from "../../llm/governance.js";
import type { LessonNarrative, NarrativeItem, NarrativeRequest } from "../../llm/narrative.js";
import type { LessonSkeleton, PointStanding } from "./skeleton.js";

export interface GenerationNote {
  source: "llm" | "offline";
  model?: string;
  warnings: readonly { message: string }[];
}

const WORDS = {
  zh: {
    objectives: "教学目标",
    standing: "学情分析",
    point: "知识点",
    mean: "平均掌握度",
    mastered: "已掌握",
    notStarted: "未作答",
    prerequisite: "先备",
    target: "目标",
    timing: "教学流程",
    minutes: "分钟",
    opening: "导入",
    tiers: "分层教学",
    size: (n: number) => `${n} 人`,
    grade: (g: number) => `${g} 年级`,
    criteria: "分层依据",
    review: "先备知识复习",
    workedExamples: "例题",
    practice: "分层练习",
    misconceptions: "易错点",
    activities: "活动",
    explanations: "讲解要点",
    questions: "提问",
    exitTicket: "出门条",
    homework: "分层作业",
    differentiation: "差异化建议",
    closing: "课堂小结",
    resources: "教学资源",
    generated: (note: GenerationNote) =>
      note.source === "llm"
        ? `叙述部分由模型 ${note.model ?? ""} 根据知识图谱与班级汇总数据生成，请教师审阅。模型输出从不用于评价学生。`
        : "叙述部分由内置离线模板生成。",
    segments: {
      opening: "导入",
      "prerequisite-review": "先备复习",
      instruction: "新知讲授",
      "tiered-practice": "分层练习",
      "exit-ticket": "出门条",
      closing: "小结",
    },
  },
  en: {
    objectives: "Objectives",
    standing: "Where the class stands",
    point: "Knowledge point",
    mean: "Mean mastery",
    mastered: "Mastered",
    notStarted: "Not started",
    prerequisite: "prerequisite",
    target: "target",
    timing: "Timing",
    minutes: "min",
    opening: "Opening",
    tiers: "Tiers",
    size: (n: number) => `${n} students`,
    grade: (g: number) => `grade ${g}`,
    criteria: "Placed by",
    review: "Prerequisite review",
    workedExamples: "Worked examples",
    practice: "Practice",
    misconceptions: "Misconceptions to address",
    activities: "Activities",
    explanations: "Explanations",
    questions: "Questions to ask",
    exitTicket: "Exit ticket",
    homework: "Homework",
    differentiation: "Differentiation",
    closing: "Closing",
    resources: "Resources",
    generated: (note: GenerationNote) =>
      note.source === "llm"
        ? `The narrative was written by the model ${note.model ?? ""} from the knowledge graph and class aggregates; review it before use. Model output is never used to evaluate students.`
        : "The narrative was written by the built-in offline templates.",
    segments: {
      opening: "Opening",
      "prerequisite-review": "Prerequisite review",
      instruction: "Instruction",
      "tiered-practice": "Tiered practice",
      "exit-ticket": "Exit ticket",
      closing: "Closing",
    },
  },
} as const;

const text = (value: GeneratedText) => readGeneratedText(value);
const percent = (share: number) => `${Math.round(share * 100)}%`;

export function renderLessonPlanMarkdown(
  title: string,
  skeleton: LessonSkeleton,
  request: NarrativeRequest,
  narrative: LessonNarrative,
  note: GenerationNote,
  /** Point names in the plan's language, by id. */
  pointNames: ReadonlyMap<string, string>,
): string {
  const w = WORDS[request.language];
  const lines: string[] = [`# ${title}`, ""];
  lines.push(`${request.subject} · ${w.grade(request.grade)} · ${request.durationMinutes} ${w.minutes} · ${w.size(request.classSize)}`, "");
  lines.push(text(narrative.overview), "");

  lines.push(`## ${w.objectives}`, "");
  for (const objective of request.objectives) lines.push(`- **${objective.pointName}** (${objective.standardCode}): ${objective.text}`);
  lines.push("", `## ${w.standing}`, "", `| ${w.point} | ${w.mean} | ${w.mastered} | ${w.notStarted} |`, "| --- | ---: | ---: | ---: |");
  const row = (name: string, kind: string, standing: PointStanding) =>
    `| ${name} (${kind}) | ${standing.meanMastery.toFixed(2)} | ${percent(standing.masteredShare)} | ${percent(standing.notStartedShare)} |`;
  const name = (id: string) => pointNames.get(id) ?? id;
  for (const target of skeleton.targets) lines.push(row(name(target.knowledgePointId), w.target, target.standing));
  for (const prerequisite of skeleton.prerequisites)
    lines.push(row(name(prerequisite.knowledgePointId), w.prerequisite, prerequisite.standing));

  lines.push("", `## ${w.timing}`, "");
  for (const segment of skeleton.timing) lines.push(`- ${w.segments[segment.segment]}: ${segment.minutes} ${w.minutes}`);

  lines.push("", `## ${w.opening} (${narrative.opening.minutes} ${w.minutes})`, "", text(narrative.opening.script), "");
  for (const question of narrative.opening.questions) lines.push(`- ${text(question)}`);

  lines.push("", `## ${w.tiers}`);
  for (const tier of request.tiers) {
    const written = narrative.tiers.find((t) => t.tierId === tier.id);
    lines.push("", `### ${tier.label} · ${w.size(tier.size)}`, "", `*${w.criteria}: ${tier.criteria}*`, "");
    if (tier.prerequisiteReview.length > 0)
      lines.push(`**${w.review}**: ${tier.prerequisiteReview.join(request.language === "zh" ? "、" : ", ")}`, "");
    section(lines, w.workedExamples, tier.workedExamples.map(itemLine));
    if (written) {
      section(
        lines,
        w.activities,
        written.activities.map((a) => `**${text(a.title)}** (${a.minutes} ${w.minutes}): ${text(a.description)}`),
      );
      section(lines, w.explanations, written.explanations.map(text));
      section(lines, w.questions, written.questions.map(text));
    }
    section(lines, w.practice, tier.practiceItems.map(itemLine));
    section(
      lines,
      w.misconceptions,
      tier.misconceptions.map((m) => {
        const approach = written?.misconceptions.find((a) => a.misconceptionId === m.id);
        return approach ? `**${m.name}**: ${text(approach.approach)}` : `**${m.name}**: ${m.description}`;
      }),
    );
    section(lines, w.exitTicket, tier.exitTicket.map(itemLine));
    section(lines, w.homework, tier.homework.map(itemLine));
    if (written) lines.push(`**${w.differentiation}**: ${text(written.differentiation)}`, "");
  }

  lines.push(`## ${w.closing} (${narrative.closing.minutes} ${w.minutes})`, "", text(narrative.closing.script), "");
  if (request.resources.length > 0) {
    lines.push(`## ${w.resources}`, "");
    for (const resource of request.resources) {
      lines.push(`- ${resource.url ? `[${resource.title}](${resource.url})` : resource.title} (${resource.pointNames.join(", ")})`);
    }
    lines.push("");
  }
  lines.push("---", "", `*${w.generated(note)}*`);
  for (const warning of note.warnings) lines.push("", `> ${warning.message}`);
  return `${lines.join("\n")}\n`;
}

function itemLine(item: NarrativeItem): string {
  return `${item.stem} *(${item.pointName})*`;
}

function section(lines: string[], heading: string, entries: readonly string[]): void {
  if (entries.length === 0) return;
  lines.push(`**${heading}**`, "");
  for (const entry of entries) lines.push(`- ${entry}`);
  lines.push("");
}
