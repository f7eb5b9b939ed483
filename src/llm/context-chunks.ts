/**
 * Turns a graph excerpt (target points, their prerequisites, misconceptions, resources) and the
 * class's aggregated mastery into prioritized context chunks for a NarrativeRequest.
 *
 * Importance (higher is packed first), so a small context window keeps what matters most:
 *   the i-th target point 100 − i, its class mastery 99.5 − i, the class overview 100;
 *   misconceptions seen in the class 70–90 (by share of students); prerequisites 50–80 (by
 *   strength, more when few students have mastered them) and their class mastery 45–65;
 *   misconceptions not seen 40; resources 40 for a target, else 30.
 * A lesson's few targets therefore come before everything else, while in a very large unit the
 * later targets give way to the misconceptions the class shows and the strongest prerequisites.
 * Class figures are counts only; nothing here can name a student.
 */
import type { KnowledgePoint, Language, Misconception, Resource } from "../curriculum/model.js";
import type { ContextChunk } from "./narrative.js";

export interface PointMastery {
  pointId: string;
  /** Students whose mastery of the point is at or above the mastery threshold. */
  mastered: number;
  /** Students with at least one attempt on the point. */
  assessed: number;
}

export interface GraphExcerpt {
  targets: readonly KnowledgePoint[];
  /** `strength`: the strongest edge from this point to a target (transitive ones weakened by the caller). */
  prerequisites: readonly { point: KnowledgePoint; strength: number }[];
  /** `studentsShowing`: students of the class who showed it recently; 0 or unset when none. */
  misconceptions: readonly { misconception: Misconception; studentsShowing?: number }[];
  resources: readonly Resource[];
  classSummary: { students: number; points: readonly PointMastery[] };
}

/** Longer resource bodies are cut: the model needs the idea, and a long body would crowd out other chunks. */
const RESOURCE_BODY_CHARACTERS = 600;

function clip(text: string, characters: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= characters ? flat : `${flat.slice(0, characters - 1)}…`;
}

const WORDS = {
  zh: {
    target: (p: KnowledgePoint) => `【目标知识点】${p.name.zh}（${p.standardCode}，难度${p.difficultyBand}）：${p.description.zh}`,
    prerequisite: (p: KnowledgePoint, strength: number, of: string) =>
      `【先备知识】${p.name.zh}（${p.grade}年级，依赖强度${strength.toFixed(2)}，是${of}的基础）：${p.description.zh}`,
    misconception: (m: Misconception, showing: number | undefined, students: number) =>
      `【常见错误】${m.name.zh}（${m.id}）：${m.description.zh}${m.remedy ? ` 纠正建议：${m.remedy.zh}` : ""}${
        showing ? ` 本班近期有${showing}/${students}名学生出现。` : ""
      }`,
    resource: (r: Resource, points: string) =>
      `【资源】《${r.title.zh}》（${RESOURCE_KIND_ZH[r.kind]}${r.durationMinutes ? `，约${r.durationMinutes}分钟` : ""}，用于${points}）${
        r.url ? ` ${r.url}` : ""
      }：${clip(r.body.zh, RESOURCE_BODY_CHARACTERS)}`,
    overview: (students: number) => `【班级概况】全班${students}人。以下人数均为汇总统计。`,
    mastery: (name: string, m: PointMastery, students: number) =>
      `【班级掌握】${name}：${students}人中${m.assessed}人作答过，${m.mastered}人已掌握。`,
    and: "、",
  },
  en: {
    target: (p: KnowledgePoint) => `[Target] ${p.name.en} (${p.standardCode}, difficulty ${p.difficultyBand}): ${p.description.en}`,
    prerequisite: (p: KnowledgePoint, strength: number, of: string) =>
      `[Prerequisite] ${p.name.en} (grade ${p.grade}, strength ${strength.toFixed(2)}, needed for ${of}): ${p.description.en}`,
    misconception: (m: Misconception, showing: number | undefined, students: number) =>
      `[Misconception] ${m.name.en} (${m.id}): ${m.description.en}${m.remedy ? ` Remedy: ${m.remedy.en}` : ""}${
        showing ? ` Seen recently in ${showing} of ${students} students.` : ""
      }`,
    resource: (r: Resource, points: string) =>
      `[Resource] "${r.title.en}" (${r.kind.replace("_", " ")}${r.durationMinutes ? `, about ${r.durationMinutes} min` : ""}, for ${points})${
        r.url ? ` ${r.url}` : ""
      }: ${clip(r.body.en, RESOURCE_BODY_CHARACTERS)}`,
    overview: (students: number) => `[Class] ${students} students. All figures are counts for the class.`,
    mastery: (name: string, m: PointMastery, students: number) =>
      `[Class mastery] ${name}: ${m.assessed} of ${students} students attempted it, ${m.mastered} have mastered it.`,
    and: ", ",
  },
} as const;

/** Resource kinds in Chinese, for the context chunks and the offline narrative. */
export const RESOURCE_KIND_ZH: Record<Resource["kind"], string> = {
  explanation: "讲解",
  worked_example: "例题",
  activity: "活动",
  video: "视频",
  reading: "阅读",
  practice_sheet: "练习单",
};

export function contextChunks(excerpt: GraphExcerpt, language: Language): ContextChunk[] {
  const words = WORDS[language];
  const students = excerpt.classSummary.students;
  const targetIds = new Set(excerpt.targets.map((point) => point.id));
  const names = new Map<string, string>();
  for (const point of excerpt.targets) names.set(point.id, point.name[language]);
  for (const { point } of excerpt.prerequisites) names.set(point.id, point.name[language]);
  const targetNames = excerpt.targets.map((point) => point.name[language]).join(words.and);
  const mastery = new Map(excerpt.classSummary.points.map((entry) => [entry.pointId, entry]));
  const unmasteredShare = (pointId: string) => {
    const entry = mastery.get(pointId);
    return entry && students > 0 ? 1 - entry.mastered / students : 0;
  };

  const chunks: ContextChunk[] = [];
  const targetRank = new Map(excerpt.targets.map((point, index) => [point.id, index]));
  excerpt.targets.forEach((point, index) => {
    chunks.push({ id: `target:${point.id}`, kind: "target-point", importance: 100 - index, text: words.target(point) });
  });
  chunks.push({ id: "class:overview", kind: "class-summary", importance: 100, text: words.overview(students) });
  for (const entry of excerpt.classSummary.points) {
    const name = names.get(entry.pointId);
    if (name === undefined) continue;
    const rank = targetRank.get(entry.pointId);
    const importance = rank !== undefined ? 99.5 - rank : 45 + 20 * unmasteredShare(entry.pointId);
    chunks.push({ id: `class:${entry.pointId}`, kind: "class-summary", importance, text: words.mastery(name, entry, students) });
  }
  for (const { point, strength } of excerpt.prerequisites) {
    chunks.push({
      id: `prerequisite:${point.id}`,
      kind: "prerequisite",
      importance: 50 + 20 * strength + 10 * unmasteredShare(point.id),
      text: words.prerequisite(point, strength, targetNames),
    });
  }
  for (const { misconception, studentsShowing } of excerpt.misconceptions) {
    const share = studentsShowing && students > 0 ? studentsShowing / students : 0;
    chunks.push({
      id: `misconception:${misconception.id}`,
      kind: "misconception",
      importance: studentsShowing ? 70 + 20 * share : 40,
      text: words.misconception(misconception, studentsShowing, students),
    });
  }
  for (const resource of excerpt.resources) {
    const served = resource.knowledgePointIds.map((id) => names.get(id)).filter((name): name is string => name !== undefined);
    chunks.push({
      id: `resource:${resource.id}`,
      kind: "resource",
      importance: resource.knowledgePointIds.some((id) => targetIds.has(id)) ? 40 : 30,
      text: words.resource(resource, served.length > 0 ? served.join(words.and) : targetNames),
    });
  }
  return chunks;
}
