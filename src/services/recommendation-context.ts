/**
 * Assembles what the recommender's pure functions read (src/recommender/model.ts) from the store:
 * the student's snapshot, BKT parameters, item calibrations and point names. The recommender
 * itself never sees a name or a school — only learning state.
 */
import type { BktParameters } from "../bkt/parameters.js";
import type { KnowledgeGraphIndex } from "../graph/knowledge-graph-index.js";
import type { AttemptRecord, ItemCalibrationRecord, KnowledgeGraphStore, RecommendationProfile } from "../graph/store.js";
import { DEFAULT_TARGET_SUCCESS } from "../recommender/adaptive-target.js";
import { coldStartDifficulty } from "../recommender/difficulty.js";
import {
  type CalibrationOf,
  type Explanation,
  type ParametersOf,
  type PointMastery,
  type PointNameOf,
  RECENT_ATTEMPTS,
  type StudentSnapshot,
} from "../recommender/model.js";
import type { CurriculumService } from "./curriculum-service.js";
import { parametersForItem } from "./learning-service.js";
import type { MasteryModelService, MasteryParameters } from "./mastery-model-service.js";
import { PlacementService } from "./placement.js";

/** Answers read to accumulate misconception evidence (a longer window than `recentAttempts`). */
export const MISCONCEPTION_WINDOW = 200;

/** How long the table of every point's BKT parameters is reused (a newly activated set shows after it). */
export const PARAMETERS_TTL_MS = 5_000;
/** How long item calibrations read from the store are used before they are read again. */
export const CALIBRATION_TTL_MS = 10_000;

/** Everything one recommendation for one student reads, resolved once per request. */
export interface RecommendationContext {
  index: KnowledgeGraphIndex;
  student: StudentSnapshot;
  parametersOf: ParametersOf;
  calibrationOf: CalibrationOf;
  pointName: PointNameOf;
  /** The base target success rate: the student's own, else the mean of their classes', else the default. */
  targetSuccess: number;
  /** Ids of the attempts the snapshot's misconception counts include (the last MISCONCEPTION_WINDOW). */
  countedAttemptIds: ReadonlySet<string>;
}

/** The target a student's recommendations aim at, and where it came from. */
export function baseTargetSuccess(profile: RecommendationProfile): number {
  if (profile.targetSuccessRate !== undefined) return profile.targetSuccessRate;
  if (profile.classTargets.length === 0) return DEFAULT_TARGET_SUCCESS;
  return profile.classTargets.reduce((sum, target) => sum + target.targetSuccessRate, 0) / profile.classTargets.length;
}

/** Parameters with a student's placement priors (placement.ts): the prior counts only before a first answer. */
export function placedParameters(parametersOf: ParametersOf, placement: PlacementService, studentGrade: number | undefined): ParametersOf {
  if (studentGrade === undefined) return parametersOf;
  return (knowledgePointId, itemId) => {
    const parameters = parametersOf(knowledgePointId, itemId);
    const prior = placement.priorFor(knowledgePointId, parameters.prior, studentGrade);
    return prior === parameters.prior ? parameters : { ...parameters, prior };
  };
}

/** The snapshot's parts that come from the attempt log (newest first). */
export function snapshotFromAttempts(
  index: KnowledgeGraphIndex,
  attempts: readonly AttemptRecord[],
): Pick<StudentSnapshot, "recentAttempts" | "misconceptionCounts"> {
  const counts = new Map<string, { chosen: number; exposed: number }>();
  const count = (id: string) => {
    let entry = counts.get(id);
    if (!entry) {
      entry = { chosen: 0, exposed: 0 };
      counts.set(id, entry);
    }
    return entry;
  };
  for (const attempt of attempts) {
    for (const id of index.misconceptionsOfItem(attempt.itemId)) count(id).exposed++;
    for (const id of attempt.misconceptionIds) count(id).chosen++;
  }
  return {
    recentAttempts: attempts.slice(0, RECENT_ATTEMPTS).map((attempt) => ({
      attemptId: attempt.id,
      itemId: attempt.itemId,
      correct: attempt.correct,
      answeredAt: attempt.answeredAt,
      ...(attempt.responseTimeMs !== undefined ? { responseTimeMs: attempt.responseTimeMs } : {}),
      misconceptionIds: attempt.misconceptionIds,
      mastery: attempt.mastery.map((change) => ({ knowledgePointId: change.knowledgePointId, before: change.before, after: change.after })),
    })),
    misconceptionCounts: counts,
  };
}

export class RecommendationContextBuilder {
  private calibrations: { byItem: Map<string, ItemCalibrationRecord>; readAt: number } | undefined;
  private names: { index: KnowledgeGraphIndex; byPoint: Map<string, Explanation> } | undefined;
  private parameterTable: { index: KnowledgeGraphIndex; byPoint: Map<string, MasteryParameters>; readAt: number } | undefined;

  constructor(
    private readonly store: KnowledgeGraphStore,
    private readonly curriculum: CurriculumService,
    private readonly masteryModel: MasteryModelService,
    /** The answer path's placement, so that both assume the same of unanswered points. */
    readonly placement: PlacementService = new PlacementService(store, curriculum),
    private readonly now: () => number = Date.now,
  ) {}

  /** Undefined for an unknown student. */
  async forStudent(studentId: string): Promise<RecommendationContext | undefined> {
    const profile = await this.store.learners.recommendationProfile(studentId);
    if (!profile) return undefined;
    const index = await this.curriculum.ensureIndex();
    const [rows, history, pointParameters, calibrationOf, pointName, grade] = await Promise.all([
      this.store.learners.studentMastery(studentId),
      this.store.learners.attemptHistory(studentId, { limit: MISCONCEPTION_WINDOW }),
      this.parameters(index),
      this.calibrationLookup(index),
      this.pointNames(index),
      this.placement.studentGrade(studentId),
    ]);
    const parametersOf = placedParameters(pointParameters, this.placement, grade);
    const mastery = new Map<string, PointMastery>(
      rows.map((row) => [
        row.knowledgePointId,
        { probability: row.probability, attempts: row.attempts, correct: row.correct, lastPractisedAt: row.lastPractisedAt },
      ]),
    );
    const student: StudentSnapshot = {
      mastery,
      ability: profile.ability,
      abilityAttempts: profile.abilityAttempts,
      ...snapshotFromAttempts(index, history.nodes),
    };
    return {
      index,
      student,
      parametersOf,
      calibrationOf,
      pointName,
      targetSuccess: baseTargetSuccess(profile),
      countedAttemptIds: new Set(history.nodes.map((attempt) => attempt.id)),
    };
  }

  /**
   * BKT parameters of every point of the curriculum. The table is kept for PARAMETERS_TTL_MS per
   * index: building it walks every point (milliseconds on a 10,000-point graph), and a recommender
   * call looks parameters up thousands of times. A newly activated set shows within that time.
   */
  async parameters(index: KnowledgeGraphIndex): Promise<ParametersOf> {
    if (!this.parameterTable || this.parameterTable.index !== index || this.now() - this.parameterTable.readAt > PARAMETERS_TTL_MS) {
      const ids = index.topologicalOrder();
      const resolved = await this.masteryModel.parametersForMany(ids);
      const byPoint = new Map<string, MasteryParameters>(ids.map((id, i) => [id, resolved[i] as MasteryParameters]));
      this.parameterTable = { index, byPoint, readAt: this.now() };
    }
    const { byPoint } = this.parameterTable;
    return (knowledgePointId: string, itemId?: string): BktParameters => {
      const found = byPoint.get(knowledgePointId);
      if (!found) throw new Error(`no BKT parameters for knowledge point ${knowledgePointId}`);
      return itemId === undefined ? found : parametersForItem(found, itemId);
    };
  }

  /** Item calibrations (cold start from the difficulty band plus the learned offset), re-read after CALIBRATION_TTL_MS. */
  async calibrationLookup(index: KnowledgeGraphIndex): Promise<CalibrationOf> {
    if (!this.calibrations || this.now() - this.calibrations.readAt > CALIBRATION_TTL_MS) {
      const rows = await this.store.learners.itemCalibrations();
      this.calibrations = { byItem: new Map(rows.map((row) => [row.itemId, row])), readAt: this.now() };
    }
    const { byItem } = this.calibrations;
    return (itemId: string) => {
      const learned = byItem.get(itemId);
      const coldStart = coldStartDifficulty(index.itemDifficultyBand(itemId) ?? 3);
      return { difficulty: coldStart + (learned?.offset ?? 0), attempts: learned?.attempts ?? 0 };
    };
  }

  /** Point names in both languages, read once per curriculum index. */
  async pointNames(index: KnowledgeGraphIndex): Promise<PointNameOf> {
    if (this.names?.index !== index) {
      const ids = index.topologicalOrder();
      const points = await this.store.curriculum.getKnowledgePoints(ids);
      const byPoint = new Map<string, Explanation>();
      for (const point of points) if (point) byPoint.set(point.id, { zh: point.name.zh, en: point.name.en });
      this.names = { index, byPoint };
    }
    const { byPoint } = this.names;
    return (knowledgePointId: string) => byPoint.get(knowledgePointId) ?? { zh: knowledgePointId, en: knowledgePointId };
  }
}
