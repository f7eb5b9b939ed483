/**
 * Differentiated lesson plans: the graph-grounded skeleton (skeleton.ts) from the class's mastery
 * and answers, narrative text written into it by the configured generator (src/llm/: a model or
 * the offline templates), Markdown, and a stored, versioned record.
 *
 * What reaches the generator is a NarrativeRequest: curriculum text and class aggregates only.
 * The class's student ids and display names are passed as protected identifiers, so the LLM
 * layer refuses to send a prompt containing any of them (defence in depth: the request type has
 * no place for them). Nothing here writes attempts or mastery.
 */
import { createHash } from "node:crypto";
import type { Item, KnowledgePoint, Language, Misconception, Resource } from "../../curriculum/model.js";
import type { KnowledgeGraphStore, LessonPlanRecord } from "../../graph/store.js";
import { contextChunks } from "../../llm/context-chunks.js";
import type { LlmCaller } from "../../llm/governance.js";
import type { NarrativeGenerator, NarrativeResult } from "../../llm/lesson-narrative-generator.js";
import type { NarrativeItem, NarrativeRequest } from "../../llm/narrative.js";
import { DEFAULT_TARGET_SUCCESS } from "../../recommender/adaptive-target.js";
import type { CurriculumService } from "../curriculum-service.js";
import { InvalidInputError, NotFoundError } from "../errors.js";
import type { RecommendationContextBuilder } from "../recommendation-context.js";
import { renderLessonPlanMarkdown } from "./markdown.js";
import { buildSkeleton, type ChosenItem, type LessonSkeleton, MAX_TARGETS, type SegmentKind } from "./skeleton.js";

export interface LessonPlanRequest {
  classId: string;
  /** The points to teach; or `unitId` for the unit's points (at most MAX_TARGETS). */
  knowledgePointIds?: readonly string[];
  unitId?: string;
  /** Default 40. */
  durationMinutes?: number;
  /** Default 3. */
  tierCount?: number;
  /** Default zh. */
  language?: Language;
}

export interface LessonPlanDocument {
  skeleton: LessonSkeleton;
  /** The texts the narrative was written from (names, stems): what a model saw, minus the context chunks. */
  request: Omit<NarrativeRequest, "context">;
  narrative: NarrativeResult["narrative"];
}

export type LessonPlanProgress = (step: number, total: number, message: string) => void;

/** Answers per student read for the class's misconceptions. */
const ANSWERS_PER_STUDENT = 200;
const DEFAULT_DURATION = 40;
const DEFAULT_TIERS = 3;

export class LessonPlanService {
  constructor(
    private readonly store: KnowledgeGraphStore,
    private readonly curriculum: CurriculumService,
    private readonly contexts: RecommendationContextBuilder,
    private readonly generator: NarrativeGenerator,
  ) {}

  /** Checks a request without doing the work (so a job is only queued for a request that can run). */
  async validate(request: LessonPlanRequest): Promise<void> {
    await this.resolve(request);
  }

  async generate(
    request: LessonPlanRequest,
    caller: LlmCaller,
    options: { progress?: LessonPlanProgress; signal?: AbortSignal } = {},
  ): Promise<LessonPlanRecord> {
    const progress = options.progress ?? (() => {});
    const resolved = await this.resolve(request);
    progress(1, 4, "reading the class's mastery and answers");
    const { skeleton, texts } = await this.skeleton(resolved);
    progress(2, 4, "skeleton built");
    const narrativeRequest = await this.narrativeRequest(resolved, skeleton, texts);
    const roster = await this.store.learners.getStudents(skeleton.tiers.flatMap((tier) => tier.studentIds));
    const protectedIdentifiers = roster.flatMap((student) =>
      student ? [student.id, ...(student.displayName ? [student.displayName] : [])] : [],
    );
    const result = await this.generator.generate(narrativeRequest, {
      caller,
      protectedIdentifiers,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    progress(3, 4, result.source === "llm" ? `narrative written by ${result.model ?? "the model"}` : "narrative written offline");

    const language = resolved.language;
    const title = planTitle(resolved, texts.pointNames);
    const { context: _context, ...requestTexts } = narrativeRequest;
    const document: LessonPlanDocument = { skeleton, request: requestTexts, narrative: result.narrative };
    const markdown = renderLessonPlanMarkdown(title, skeleton, narrativeRequest, result.narrative, result, texts.pointNames);
    const saved = await this.store.lessonPlans.saveLessonPlan({
      schoolId: resolved.schoolId,
      classId: resolved.classId,
      createdBy: caller.userId,
      series: seriesKey(resolved),
      language,
      title,
      inputs: {
        knowledgePointIds: resolved.targets.map((t) => t.id),
        ...(resolved.unitId ? { unitId: resolved.unitId } : {}),
        durationMinutes: resolved.durationMinutes,
        tierCount: resolved.tierCount,
        language,
      },
      generation: {
        source: result.source,
        provider: result.provider,
        ...(result.model ? { model: result.model } : {}),
        ...(result.method ? { method: result.method } : {}),
        ...(result.requestId ? { requestId: result.requestId } : {}),
        ...(result.promptHash ? { promptHash: result.promptHash } : {}),
        attempts: result.attempts,
        tokens: result.tokens,
        warnings: result.warnings,
        durationMs: Math.round(result.durationMs),
      },
      plan: document,
      markdown,
    });
    progress(4, 4, `saved as version ${saved.version}`);
    return saved;
  }

  private async resolve(request: LessonPlanRequest) {
    const [found] = await this.store.learners.getClasses([request.classId]);
    if (!found) throw new NotFoundError("class", request.classId);
    const index = await this.curriculum.ensureIndex();
    const durationMinutes = request.durationMinutes ?? DEFAULT_DURATION;
    if (!Number.isInteger(durationMinutes) || durationMinutes < 10 || durationMinutes > 240) {
      throw new InvalidInputError("durationMinutes", "durationMinutes must be a whole number from 10 to 240");
    }
    const tierCount = request.tierCount ?? DEFAULT_TIERS;
    if (!Number.isInteger(tierCount) || tierCount < 1 || tierCount > 5)
      throw new InvalidInputError("tierCount", "tierCount must be 1 to 5");
    const language = request.language ?? "zh";
    let ids: string[];
    if (request.knowledgePointIds && request.knowledgePointIds.length > 0) {
      if (request.unitId) throw new InvalidInputError("unitId", "give knowledgePointIds or unitId, not both");
      ids = [...new Set(request.knowledgePointIds)];
      const unknown = ids.filter((id) => !index.hasPoint(id));
      if (unknown.length > 0) throw new InvalidInputError("knowledgePointIds", `unknown knowledge point(s): ${unknown.join(", ")}`);
    } else if (request.unitId) {
      ids = [...index.pointsOfUnit(request.unitId)];
      if (ids.length === 0)
        throw new InvalidInputError("unitId", `unit ${JSON.stringify(request.unitId)} does not exist or has no knowledge points`);
    } else {
      throw new InvalidInputError("knowledgePointIds", "give the knowledge points to teach, or a unit");
    }
    if (ids.length > MAX_TARGETS) {
      throw new InvalidInputError(
        request.unitId ? "unitId" : "knowledgePointIds",
        `a lesson teaches at most ${MAX_TARGETS} knowledge points (got ${ids.length}); choose the points of this lesson`,
      );
    }
    ids.sort((a, b) => index.topologicalRank(a) - index.topologicalRank(b));
    const targets = (await this.store.curriculum.getKnowledgePoints(ids)).filter((p): p is KnowledgePoint => p !== undefined);
    return {
      index,
      classId: found.id,
      schoolId: found.schoolId,
      grade: found.grade,
      baseTarget: found.targetSuccessRate ?? DEFAULT_TARGET_SUCCESS,
      ...(request.unitId ? { unitId: request.unitId } : {}),
      targets,
      durationMinutes,
      tierCount,
      language,
    };
  }

  private async skeleton(resolved: Awaited<ReturnType<LessonPlanService["resolve"]>>) {
    const { index, targets } = resolved;
    const targetIds = new Set(targets.map((t) => t.id));
    // Direct prerequisites outside the targets, each with its strongest edge into them.
    const prerequisiteEdges = new Map<string, { strength: number; forTargets: string[] }>();
    for (const target of targets) {
      for (const link of index.prerequisitesOf(target.id)) {
        if (targetIds.has(link.id)) continue;
        const entry = prerequisiteEdges.get(link.id) ?? { strength: 0, forTargets: [] };
        entry.strength = Math.max(entry.strength, link.weight);
        entry.forTargets.push(target.id);
        prerequisiteEdges.set(link.id, entry);
      }
    }
    const prerequisitePoints = (await this.store.curriculum.getKnowledgePoints([...prerequisiteEdges.keys()])).filter(
      (p): p is KnowledgePoint => p !== undefined,
    );
    prerequisitePoints.sort((a, b) => index.topologicalRank(a.id) - index.topologicalRank(b.id));
    const pointIds = [...targetIds, ...prerequisitePoints.map((p) => p.id)];
    const pointSet = new Set(pointIds);

    const [studentIds, matrix, parametersOf, calibrationOf] = await Promise.all([
      this.store.learners.studentsOfClass(resolved.classId),
      this.store.learners.classMastery(resolved.classId, pointIds),
      this.contexts.parameters(index),
      this.contexts.calibrationLookup(index),
    ]);
    const mastery = new Map<string, Map<string, number>>();
    for (const cell of matrix.cells) {
      let row = mastery.get(cell.studentId);
      if (!row) {
        row = new Map();
        mastery.set(cell.studentId, row);
      }
      row.set(cell.knowledgePointId, cell.probability);
    }
    const histories = await Promise.all(studentIds.map((id) => this.store.learners.attemptHistory(id, { limit: ANSWERS_PER_STUDENT })));
    const misconceptionEvents = histories.flatMap((history, i) =>
      history.nodes
        .filter((attempt) => attempt.misconceptionIds.length > 0 && index.pointsOfItem(attempt.itemId).some((p) => pointSet.has(p.id)))
        .flatMap((attempt) => attempt.misconceptionIds.map((misconceptionId) => ({ studentId: studentIds[i] as string, misconceptionId }))),
    );
    const candidateIds = [...new Set(pointIds.flatMap((id) => index.itemsOf(id).map((link) => link.id)))];
    const items = new Map(
      (await this.store.curriculum.getItems(candidateIds))
        .filter((item): item is Item => item !== undefined)
        .map((item) => [item.id, item]),
    );
    const skeleton = buildSkeleton({
      index,
      parametersOf,
      calibrationOf,
      classId: resolved.classId,
      ...(resolved.grade !== undefined ? { grade: resolved.grade } : {}),
      durationMinutes: resolved.durationMinutes,
      tierCount: resolved.tierCount,
      baseTarget: resolved.baseTarget,
      targets,
      prerequisites: prerequisitePoints.map((point) => ({
        point,
        ...(prerequisiteEdges.get(point.id) as { strength: number; forTargets: string[] }),
      })),
      studentIds,
      mastery,
      misconceptionEvents,
      items,
    });
    const language = resolved.language;
    const pointNames = new Map([...targets, ...prerequisitePoints].map((p) => [p.id, p.name[language]]));
    return { skeleton, texts: { items, pointNames, prerequisitePoints } };
  }

  private async narrativeRequest(
    resolved: Awaited<ReturnType<LessonPlanService["resolve"]>>,
    skeleton: LessonSkeleton,
    texts: { items: Map<string, Item>; pointNames: Map<string, string>; prerequisitePoints: KnowledgePoint[] },
  ): Promise<NarrativeRequest> {
    const { language, targets } = resolved;
    const misconceptionIds = [
      ...new Set([
        ...skeleton.misconceptions.map((m) => m.misconceptionId),
        ...skeleton.tiers.flatMap((t) => t.misconceptions.map((m) => m.misconceptionId)),
      ]),
    ];
    const [subjects, misconceptionRows, resourceRows] = await Promise.all([
      this.store.curriculum.getSubjects([skeleton.subjectId]),
      this.store.curriculum.getMisconceptions(misconceptionIds),
      this.store.curriculum.getResources(skeleton.resourceIds),
    ]);
    const misconceptions = new Map(misconceptionRows.filter((m): m is Misconception => m !== undefined).map((m) => [m.id, m]));
    const resources = resourceRows.filter((r): r is Resource => r !== undefined);
    const name = (id: string) => texts.pointNames.get(id) ?? id;
    const item = (chosen: ChosenItem): NarrativeItem[] => {
      const found = texts.items.get(chosen.itemId);
      return found ? [{ stem: stemWithOptions(found, language), pointName: name(chosen.knowledgePointId) }] : [];
    };
    const minutes = (kinds: SegmentKind[]) =>
      skeleton.timing.filter((s) => kinds.includes(s.segment)).reduce((sum, s) => sum + s.minutes, 0);
    const inPlan = new Set([...targets.map((t) => t.id), ...texts.prerequisitePoints.map((p) => p.id)]);
    return {
      language,
      subject: subjects[0]?.name[language] ?? skeleton.subjectId,
      grade: Math.min(12, Math.max(1, resolved.grade ?? targets[0]?.grade ?? 1)),
      topic: targets.map((t) => t.name[language]).join(language === "zh" ? "、" : ", "),
      durationMinutes: resolved.durationMinutes,
      classSize: skeleton.students,
      objectives: targets.map((t) => ({ standardCode: t.standardCode, pointName: t.name[language], text: t.description[language] })),
      tiers: skeleton.tiers.map((tier) => ({
        id: tier.id,
        label: tier.label[language],
        criteria: tier.criteria[language],
        size: tier.size,
        prerequisiteReview: tier.prerequisiteReview.map(name),
        workedExamples: tier.workedExamples.flatMap(item),
        practiceItems: tier.practice.flatMap(item),
        misconceptions: tier.misconceptions.flatMap((m) => {
          const found = misconceptions.get(m.misconceptionId);
          if (!found) return [];
          return [
            {
              id: found.id,
              name: found.name[language],
              description: found.description[language],
              ...(found.remedy ? { remedy: found.remedy[language] } : {}),
              ...(m.students > 0 ? { studentsShowing: m.students } : {}),
            },
          ];
        }),
        exitTicket: tier.exitTicket.flatMap(item),
        homework: tier.homework.flatMap(item),
      })),
      timing: {
        openingMinutes: minutes(["opening", "instruction"]),
        tierWorkMinutes: minutes(["prerequisite-review", "tiered-practice"]),
        closingMinutes: minutes(["exit-ticket", "closing"]),
      },
      resources: resources.map((r) => ({
        title: r.title[language],
        kind: r.kind,
        ...(r.url ? { url: r.url } : {}),
        ...(r.durationMinutes ? { durationMinutes: r.durationMinutes } : {}),
        pointNames: r.knowledgePointIds.filter((id) => inPlan.has(id)).map(name),
      })),
      context: contextChunks(
        {
          targets,
          prerequisites: texts.prerequisitePoints.map((point) => ({
            point,
            strength: skeleton.prerequisites.find((p) => p.knowledgePointId === point.id)?.strength ?? 0,
          })),
          misconceptions: skeleton.misconceptions.flatMap((m) => {
            const found = misconceptions.get(m.misconceptionId);
            return found ? [{ misconception: found, ...(m.students > 0 ? { studentsShowing: m.students } : {}) }] : [];
          }),
          resources,
          classSummary: {
            students: skeleton.students,
            points: [...skeleton.targets, ...skeleton.prerequisites].map((p) => ({
              pointId: p.knowledgePointId,
              mastered: Math.round(p.standing.masteredShare * skeleton.students),
              assessed: Math.round((1 - p.standing.notStartedShare) * skeleton.students),
            })),
          },
        },
        language,
      ),
    };
  }
}

/** A choice item's stem is incomplete without its options: "… A. 3/4　B. 4/3". */
function stemWithOptions(item: Item, language: Language): string {
  if (item.type !== "single_choice" && item.type !== "multiple_choice") return item.stem[language];
  const options = item.options.map((option) => `${option.id}. ${option.text[language]}`).join(language === "zh" ? "　" : "; ");
  return `${item.stem[language]} ${options}`;
}

/** Versions of one plan: the same class, targets, duration, tiers and language. */
function seriesKey(resolved: {
  classId: string;
  targets: readonly KnowledgePoint[];
  durationMinutes: number;
  tierCount: number;
  language: string;
}) {
  const key = JSON.stringify([
    resolved.classId,
    resolved.targets.map((t) => t.id).sort(),
    resolved.durationMinutes,
    resolved.tierCount,
    resolved.language,
  ]);
  return createHash("sha256").update(key).digest("hex").slice(0, 24);
}

function planTitle(
  resolved: { targets: readonly KnowledgePoint[]; tierCount: number; language: Language },
  names: Map<string, string>,
): string {
  const topic = resolved.targets.map((t) => names.get(t.id) ?? t.id).join(resolved.language === "zh" ? "、" : ", ");
  return resolved.language === "zh"
    ? `${topic}（${resolved.tierCount} 层分层教学）`
    : `${topic} (${resolved.tierCount}-tier differentiated lesson)`;
}
