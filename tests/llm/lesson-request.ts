/**
 * Narrative requests built from the seeded maths curriculum, as the lesson-plan skeleton would
 * build them: grade 5, "the meaning of fractions", three tiers for a class of 45, the unit's
 * real items, misconceptions and resources, and context chunks from the graph excerpt.
 */
import { loadPackages } from "../../src/curriculum/load.js";
import type { CurriculumData, Item, KnowledgePoint, Language } from "../../src/curriculum/model.js";
import { validatePackages } from "../../src/curriculum/validate.js";
import { contextChunks, type GraphExcerpt } from "../../src/llm/context-chunks.js";
import type { LessonNarrative, NarrativeItem, NarrativeRequest, NarrativeTier } from "../../src/llm/narrative.js";

let curriculum: CurriculumData | undefined;

export function seedMathCurriculum(): CurriculumData {
  if (!curriculum) {
    const { packages, issues } = loadPackages("seeds/curriculum/math");
    if (issues.length > 0) throw new Error(`seed curriculum: ${issues[0]?.message}`);
    curriculum = validatePackages(packages).data;
  }
  return curriculum;
}

export const UNIT = "math.g5.u-fraction-meaning";
export const CLASS_SIZE = 45;

function point(data: CurriculumData, id: string): KnowledgePoint {
  const found = data.knowledgePoints.find((p) => p.id === id);
  if (!found) throw new Error(`no point ${id}`);
  return found;
}

/** The graph excerpt for the unit's first three points, with invented but plausible class counts. */
export function fractionExcerpt(): GraphExcerpt {
  const data = seedMathCurriculum();
  const targets = data.knowledgePoints.filter((p) => p.unitId === UNIT).slice(0, 3);
  const targetIds = new Set(targets.map((p) => p.id));
  const prerequisites = data.prerequisites
    .filter((edge) => targetIds.has(edge.toId) && !targetIds.has(edge.fromId))
    .map((edge) => ({ point: point(data, edge.fromId), strength: edge.strength }));
  const related = new Set([...targetIds, ...prerequisites.map(({ point }) => point.id)]);
  const misconceptions = data.misconceptions
    .filter((m) => m.knowledgePointIds.some((id) => targetIds.has(id)))
    .map((misconception, index) => ({ misconception, studentsShowing: index === 0 ? 14 : index === 1 ? 6 : 0 }));
  const resources = data.resources.filter((r) => r.knowledgePointIds.some((id) => related.has(id)));
  const points = [...related].map((pointId, index) => ({ pointId, assessed: 40 - index, mastered: 15 + 5 * index }));
  return { targets, prerequisites, misconceptions, resources, classSummary: { students: CLASS_SIZE, points } };
}

function itemsFor(data: CurriculumData, pointIds: readonly string[], language: Language, count: number, skip = 0): NarrativeItem[] {
  const names = new Map(data.knowledgePoints.map((p) => [p.id, p.name[language]]));
  return data.items
    .filter((item: Item) => item.knowledgePoints.some((kp) => pointIds.includes(kp.id)))
    .slice(skip, skip + count)
    .map((item) => ({ stem: item.stem[language], pointName: names.get(item.knowledgePoints[0]?.id ?? "") ?? "" }));
}

export function fractionLessonRequest(language: Language): NarrativeRequest {
  const data = seedMathCurriculum();
  const excerpt = fractionExcerpt();
  const targetIds = excerpt.targets.map((p) => p.id);
  const review = excerpt.prerequisites.map(({ point }) => point.name[language]);
  const seen = excerpt.misconceptions.filter((m) => m.studentsShowing);
  const misconception = (index: number) => {
    const entry = seen[index] ?? excerpt.misconceptions[index];
    if (!entry) throw new Error("the unit has no misconceptions");
    const { misconception: m, studentsShowing } = entry;
    return {
      id: m.id,
      name: m.name[language],
      description: m.description[language],
      ...(m.remedy ? { remedy: m.remedy[language] } : {}),
      ...(studentsShowing ? { studentsShowing: Math.min(studentsShowing, 12) } : {}),
    };
  };
  const labels = language === "zh" ? ["巩固组", "提高组", "拓展组"] : ["Consolidation", "Core", "Extension"];
  const criteria =
    language === "zh"
      ? ["目标知识点掌握概率低于0.4", "掌握概率在0.4到0.8之间", "掌握概率不低于0.8"]
      : ["mastery of the targets below 0.4", "mastery between 0.4 and 0.8", "mastery of 0.8 or more"];
  const sizes = [12, 20, 13];
  const tiers: NarrativeTier[] = labels.map((label, index) => ({
    id: ["t1", "t2", "t3"][index] as string,
    label,
    criteria: criteria[index] as string,
    size: sizes[index] as number,
    prerequisiteReview: index === 2 ? [] : review,
    workedExamples: itemsFor(data, targetIds, language, index === 0 ? 2 : 1, index),
    practiceItems: itemsFor(data, targetIds, language, 3, 3 + 3 * index),
    misconceptions: index === 2 ? [misconception(1)] : [misconception(0), misconception(1)],
    exitTicket: itemsFor(data, targetIds, language, 1, 12 + index),
    homework: itemsFor(data, targetIds, language, 2, 15 + 2 * index),
  }));
  return {
    language,
    subject: language === "zh" ? "数学" : "Mathematics",
    grade: 5,
    topic: excerpt.targets.map((p) => p.name[language]).join(language === "zh" ? "、" : ", "),
    durationMinutes: 40,
    classSize: CLASS_SIZE,
    objectives: excerpt.targets.map((p) => ({ standardCode: p.standardCode, pointName: p.name[language], text: p.description[language] })),
    tiers,
    timing: { openingMinutes: 5, tierWorkMinutes: 28, closingMinutes: 7 },
    resources: excerpt.resources.map((r) => ({
      title: r.title[language],
      kind: r.kind,
      ...(r.url ? { url: r.url } : {}),
      ...(r.durationMinutes ? { durationMinutes: r.durationMinutes } : {}),
      pointNames: r.knowledgePointIds.map((id) => data.knowledgePoints.find((p) => p.id === id)?.name[language] ?? id),
    })),
    context: contextChunks(excerpt, language),
  };
}

/** A narrative a well-behaved model could return for `request`: complete and consistent with it. */
export function modelNarrative(request: NarrativeRequest): unknown {
  const narrative = {
    overview: "A differentiated lesson on the meaning of fractions.",
    opening: { minutes: request.timing.openingMinutes, script: "Share a cake fairly.", questions: ["What is one half?"] },
    tiers: request.tiers.map((tier) => ({
      tierId: tier.id,
      activities: [
        { title: "Worked example", minutes: 10, description: "Model the first example." },
        { title: "Practice", minutes: request.timing.tierWorkMinutes - 10, description: "Pairs practise." },
      ],
      explanations: ["A fraction names equal parts of one whole."],
      questions: ["Are the parts equal?"],
      misconceptions: tier.misconceptions.map((m) => ({ misconceptionId: m.id, approach: `Contrast ${m.name} with a drawing.` })),
      differentiation: `Support for ${tier.label}.`,
    })),
    closing: { minutes: request.timing.closingMinutes, script: "Collect the exit tickets." },
  };
  return narrative satisfies Record<keyof LessonNarrative, unknown>;
}
