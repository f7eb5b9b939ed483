/**
 * The answer path (docs/learning.md): `submitAnswer` grades a response from the item's answer
 * key, updates BKT mastery of every knowledge point the item assesses with that point's current
 * parameters (updateIndependent, the measured default: docs/bkt.md), and commits the attempt
 * and the mastery together in one transaction before it returns. The bulk import of historical
 * attempts (attempt-import.ts) goes through the same two steps: `prepare`, then `record`.
 */
import { hash } from "node:crypto";
import { predictCorrect, updateIndependent } from "../bkt/online.js";
import type { BktParameters } from "../bkt/parameters.js";
import type { Item } from "../curriculum/model.js";
import { InvalidLearnerDataError, isLearnerId } from "../graph/learner-records.js";
import type {
  AttemptPage,
  AttemptRecord,
  CalibrationState,
  KnowledgeGraphStore,
  MasteryRecord,
  MasteryUpdate,
  NewAttempt,
  RecordAttemptResult,
} from "../graph/store.js";
import { calibrationDelta, coldStartDifficulty, predictedSuccess } from "../recommender/difficulty.js";
import { ConflictError, InvalidInputError, NotFoundError } from "./errors.js";
import { gradeResponse, InvalidResponseError, type ItemResponse } from "./grading.js";
import type { LearningEvents } from "./learning-events.js";
import type { MasteryModelService, MasteryParameters } from "./mastery-model-service.js";
import type { PlacementService } from "./placement.js";

/** Mastery at or above this probability is `mastered` (the conventional BKT threshold, Corbett & Anderson 1995). */
export const MASTERED_THRESHOLD = 0.95;

export type MasteryState = "not-started" | "learning" | "mastered";

/** not-started: no attempt yet; mastered: P(known) ≥ MASTERED_THRESHOLD; learning: anything else. */
export function masteryState(probability: number, attempts: number): MasteryState {
  if (attempts === 0) return "not-started";
  return probability >= MASTERED_THRESHOLD ? "mastered" : "learning";
}

export interface SubmitAnswerInput {
  studentId: string;
  itemId: string;
  response: ItemResponse;
  /** Chosen by the client, unique per student: a retry with the same key is answered, not recorded again. */
  idempotencyKey: string;
  responseTimeMs?: number;
  /** When the student answered (ISO 8601); default: when the server records it. */
  answeredAt?: string;
}

export interface MasteryChange {
  knowledgePointId: string;
  before: number;
  after: number;
  /** The state after the answer (learning or mastered). */
  state: MasteryState;
}

export interface SubmitAnswerResult {
  attemptId: string;
  correct: boolean;
  misconceptionIds: string[];
  mastery: MasteryChange[];
  /** P(correct) before the answer: the Q-matrix-weighted mean over the item's points. */
  predictedCorrect: number;
  /** The student's recorded order of this attempt. */
  sequence: number;
  /** True when this is the stored result of an earlier submission with the same key. */
  replayed: boolean;
}

/** A student's mastery of one point, as the API shows it. */
export interface MasteryView {
  knowledgePointId: string;
  probability: number;
  state: MasteryState;
  attempts: number;
  correct: number;
  lastPractisedAt?: string;
  parameterSetId?: string;
}

/** Optional metrics; the metrics module plugs in here (nothing is recorded without it). */
export interface LearningMetricsHook {
  /** Answers newly recorded (replays are not counted). */
  answersRecorded?(count: number): void;
  /** Seconds one write transaction took: the mastery read, the BKT update and the commit. */
  bktUpdateSeconds?(seconds: number): void;
}

export interface LearningServiceOptions {
  metrics?: LearningMetricsHook;
  /** Where `masteryChanged` events go (the server's subscriptions); none are published without it. */
  events?: LearningEvents;
  /** Priors of earlier grades' points for the student's first answers (placement.ts); none without it. */
  placement?: PlacementService;
}

/** A graded answer ready to record: what `prepare` returns. */
export interface PreparedAnswer {
  attempt: NewAttempt;
}

/** Item lookups shared across many `prepare` calls (the bulk import). */
export type ItemCache = Map<string, Promise<Item | undefined>>;

/** Option ids sorted and de-duplicated, text as given: two responses that grade the same hash the same. */
function canonicalResponse(response: ItemResponse): ItemResponse {
  return response.kind === "options" ? { kind: "options", optionIds: [...new Set(response.optionIds)].sort() } : response;
}

/** SHA-256 of the payload the idempotency key stands for (the student is part of the key). */
export function payloadHash(input: Omit<SubmitAnswerInput, "studentId" | "idempotencyKey">): string {
  const payload = [input.itemId, canonicalResponse(input.response), input.responseTimeMs ?? null, input.answeredAt ?? null];
  // One-shot hash: no Hash object per answer (a third of createHash's cost on a payload this small).
  return hash("sha256", JSON.stringify(payload), "hex");
}

function checkResponse(response: unknown): ItemResponse {
  const r = response as Partial<{ kind: string; optionIds: unknown; text: unknown }> | null;
  if (typeof r !== "object" || r === null) throw new InvalidInputError("response", "response is required");
  if (r.kind === "options") {
    if (!Array.isArray(r.optionIds) || r.optionIds.some((id) => typeof id !== "string")) {
      throw new InvalidInputError("response.optionIds", "optionIds must be a list of option ids");
    }
    return { kind: "options", optionIds: r.optionIds as string[] };
  }
  if (r.kind === "number" || r.kind === "text") {
    if (typeof r.text !== "string") throw new InvalidInputError("response.text", "text must be a string");
    if (r.text.length > 1000) throw new InvalidInputError("response.text", "text is longer than 1000 characters");
    return { kind: r.kind, text: r.text };
  }
  throw new InvalidInputError("response.kind", `response kind must be options, number or text, got ${JSON.stringify(r.kind)}`);
}

/** Validates and normalises the input; throws InvalidInputError naming the field. */
function checkInput(input: SubmitAnswerInput): SubmitAnswerInput {
  for (const field of ["studentId", "itemId", "idempotencyKey"] as const) {
    if (!isLearnerId(input[field])) {
      throw new InvalidInputError(field, `${field} must be 1–200 characters without control characters or surrounding spaces`);
    }
  }
  const response = checkResponse(input.response);
  if (input.responseTimeMs !== undefined && input.responseTimeMs !== null) {
    if (!Number.isInteger(input.responseTimeMs) || input.responseTimeMs < 0 || input.responseTimeMs > 2_147_483_647) {
      throw new InvalidInputError("responseTimeMs", "responseTimeMs must be a whole number of milliseconds ≥ 0");
    }
  }
  let answeredAt: string | undefined;
  if (input.answeredAt !== undefined && input.answeredAt !== null) {
    const time = typeof input.answeredAt === "string" ? Date.parse(input.answeredAt) : Number.NaN;
    if (Number.isNaN(time))
      throw new InvalidInputError("answeredAt", `answeredAt must be an ISO 8601 date, got ${JSON.stringify(input.answeredAt)}`);
    answeredAt = new Date(time).toISOString();
  }
  return {
    studentId: input.studentId,
    itemId: input.itemId,
    response,
    idempotencyKey: input.idempotencyKey,
    ...(input.responseTimeMs !== undefined && input.responseTimeMs !== null ? { responseTimeMs: input.responseTimeMs } : {}),
    ...(answeredAt !== undefined ? { answeredAt } : {}),
  };
}

/** The parameters for answering this item: per-item guess/slip and learn replace the point's own when the fit has them. */
export function parametersForItem(parameters: MasteryParameters, itemId: string): BktParameters {
  const emissions = parameters.items?.[itemId];
  const learn = parameters.itemLearn?.[itemId];
  return {
    prior: parameters.prior,
    learn: learn ?? parameters.learn,
    forget: parameters.forget,
    slip: emissions?.slip ?? parameters.slip,
    guess: emissions?.guess ?? parameters.guess,
  };
}

/**
 * The mastery update of one answer, given the current rows (undefined: never practised, start
 * from the prior). Pure: the store calls it inside its write transaction.
 */
export function masteryUpdate(
  item: Pick<Item, "id" | "knowledgePoints" | "difficulty">,
  parameters: readonly MasteryParameters[],
  correct: boolean,
  current: readonly (MasteryRecord | undefined)[],
  calibration?: CalibrationState,
): MasteryUpdate {
  const points = item.knowledgePoints.map((point, k) => {
    const p = parametersForItem(parameters[k] as MasteryParameters, item.id);
    return { mastery: current[k]?.probability ?? p.prior, parameters: p, weight: point.weight };
  });
  const after = new Float64Array(points.length);
  updateIndependent(points, correct, after);
  let weighted = 0;
  let weights = 0;
  const mastery = points.map((point, k) => {
    const predicted = predictCorrect(point.mastery, point.parameters);
    weighted += point.weight * predicted;
    weights += point.weight;
    const source = parameters[k] as MasteryParameters;
    return {
      knowledgePointId: (item.knowledgePoints[k] as { id: string }).id,
      before: point.mastery,
      after: after[k] as number,
      predictedCorrect: predicted,
      ...(source.source === "fitted" ? { parameterSetId: source.setId } : {}),
    };
  });
  const predictedCorrect = weights > 0 ? weighted / weights : 0;
  if (!calibration) return { predictedCorrect, mastery };
  // Elo moves of the item's difficulty and the student's ability (src/recommender/difficulty.ts),
  // from the same pre-answer prediction the recommender makes.
  const difficulty = coldStartDifficulty(item.difficulty) + calibration.itemOffset;
  const predicted = predictedSuccess(predictedCorrect, difficulty, calibration.ability);
  const delta = calibrationDelta(
    predicted,
    correct,
    { difficulty, attempts: calibration.itemAttempts },
    { ability: calibration.ability, attempts: calibration.abilityAttempts },
  );
  return { predictedCorrect, mastery, calibration: { difficultyDelta: delta.difficulty, abilityDelta: delta.ability } };
}

export function resultOf(attempt: AttemptRecord, replayed: boolean): SubmitAnswerResult {
  return {
    attemptId: attempt.id,
    correct: attempt.correct,
    misconceptionIds: attempt.misconceptionIds,
    mastery: attempt.mastery.map((change) => ({
      knowledgePointId: change.knowledgePointId,
      before: change.before,
      after: change.after,
      state: masteryState(change.after, 1),
    })),
    predictedCorrect: attempt.predictedCorrect,
    sequence: attempt.sequence,
    replayed,
  };
}

function conflict(input: { studentId: string; idempotencyKey: string }): ConflictError {
  return new ConflictError(
    `idempotency key ${JSON.stringify(input.idempotencyKey)} of student ${JSON.stringify(input.studentId)} was already used for a different answer`,
  );
}

/** Most answers one group commit writes; a larger backlog is written in several. */
const MAX_GROUP_COMMIT = 256;

interface PendingAnswer {
  prepared: PreparedAnswer;
  resolve: (result: RecordAttemptResult) => void;
  reject: (error: unknown) => void;
}

export class LearningService {
  /** Answers waiting for the next group commit. */
  private pending: PendingAnswer[] = [];
  private flushScheduled = false;

  constructor(
    readonly store: KnowledgeGraphStore,
    private readonly masteryModel: MasteryModelService,
    private readonly options: LearningServiceOptions = {},
  ) {}

  /** Grades, updates mastery and records the attempt durably; see docs/learning.md for every promise it keeps. */
  async submitAnswer(input: SubmitAnswerInput): Promise<SubmitAnswerResult> {
    const checked = checkInput(input);
    let prepared: PreparedAnswer;
    try {
      prepared = await this.prepare(checked);
    } catch (error) {
      // A retry is answered from the stored attempt even if its item has been retired or changed
      // since. (A retry whose item still grades is recognised inside the write transaction.)
      const [earlier] = await this.store.learners.findAttemptsByKey([checked]);
      if (!earlier) throw error;
      if (earlier.payloadHash !== payloadHash(checked)) throw conflict(checked);
      return resultOf(earlier, true);
    }
    return this.outcome(prepared, await this.recordInGroup(prepared));
  }

  /**
   * Group commit: answers that arrive while the event loop is busy are written together in one
   * transaction — one durable commit (one fsync on SQLite) instead of one each — and each caller
   * is answered only after that commit. Within the group answers are applied in arrival order, so
   * the per-student guarantees are those of `recordAttempts`. If the group fails, its answers are
   * retried one by one so that a bad answer fails alone.
   */
  private recordInGroup(prepared: PreparedAnswer): Promise<RecordAttemptResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ prepared, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const group = this.pending.splice(0, MAX_GROUP_COMMIT);
      if (this.pending.length > 0) this.scheduleFlush();
      void this.flush(group);
    });
  }

  private async flush(group: PendingAnswer[]): Promise<void> {
    try {
      const results = await this.record(group.map((answer) => answer.prepared));
      for (const [i, answer] of group.entries()) answer.resolve(results[i] as RecordAttemptResult);
      return;
    } catch (error) {
      if (group.length === 1) {
        group[0]?.reject(error);
        return;
      }
    }
    for (const answer of group) {
      try {
        answer.resolve((await this.record([answer.prepared]))[0] as RecordAttemptResult);
      } catch (error) {
        answer.reject(error);
      }
    }
  }

  /** What `record` did with one prepared answer: its result, or a NotFoundError (student) or ConflictError. */
  outcome(prepared: PreparedAnswer, result: RecordAttemptResult): SubmitAnswerResult {
    const { attempt } = prepared;
    if (result.status === "unknown-student") throw new NotFoundError("student", attempt.studentId);
    if (result.status === "existing") {
      if (result.attempt.payloadHash !== attempt.payloadHash) throw conflict(attempt);
      return resultOf(result.attempt, true);
    }
    return resultOf(result.attempt, false);
  }

  /**
   * Validates and grades an answer and resolves the parameters of its points: everything but the
   * write. Throws InvalidInputError or NotFoundError (unknown item).
   */
  async prepare(input: SubmitAnswerInput, items?: ItemCache): Promise<PreparedAnswer> {
    const checked = checkInput(input);
    let lookup = items?.get(checked.itemId);
    if (!lookup) {
      lookup = this.store.curriculum.getItems([checked.itemId]).then((found) => found[0]);
      items?.set(checked.itemId, lookup);
    }
    const item = await lookup;
    if (!item) throw new NotFoundError("item", checked.itemId);
    let grade: ReturnType<typeof gradeResponse>;
    try {
      grade = gradeResponse(item, checked.response);
    } catch (error) {
      if (error instanceof InvalidResponseError) throw new InvalidInputError(error.field, error.message);
      throw error;
    }
    const pointIds = item.knowledgePoints.map((point) => point.id);
    const parameters = await this.placedParameters(checked.studentId, await this.masteryModel.parametersForMany(pointIds));
    const hash = payloadHash(checked);
    return {
      attempt: {
        studentId: checked.studentId,
        itemId: item.id,
        response: canonicalResponse(checked.response),
        correct: grade.correct,
        misconceptionIds: grade.misconceptionIds,
        ...(checked.responseTimeMs !== undefined ? { responseTimeMs: checked.responseTimeMs } : {}),
        ...(checked.answeredAt !== undefined ? { answeredAt: checked.answeredAt } : {}),
        idempotencyKey: checked.idempotencyKey,
        payloadHash: hash,
        knowledgePointIds: pointIds,
        update: (current, calibration) => masteryUpdate(item, parameters, grade.correct, current, calibration),
      },
    };
  }

  /** The parameters with the student's placement priors (the prior only counts before a first answer). */
  private async placedParameters(studentId: string, parameters: MasteryParameters[]): Promise<MasteryParameters[]> {
    const placement = this.options.placement;
    if (!placement) return parameters;
    const grade = await placement.studentGrade(studentId);
    return parameters.map((p) => {
      const prior = placement.priorFor(p.knowledgePointId, p.prior, grade);
      return prior === p.prior ? p : { ...p, prior };
    });
  }

  /** Records prepared answers in one transaction (in order), then reports metrics. */
  async record(prepared: readonly PreparedAnswer[]): Promise<RecordAttemptResult[]> {
    const started = performance.now();
    let results: RecordAttemptResult[];
    try {
      results = await this.store.learners.recordAttempts(prepared.map((p) => p.attempt));
    } catch (error) {
      if (error instanceof InvalidLearnerDataError) throw new InvalidInputError("input", error.message);
      throw error;
    }
    const recorded = results.filter((r) => r.status === "recorded").length;
    if (recorded > 0) {
      this.options.metrics?.bktUpdateSeconds?.((performance.now() - started) / 1000);
      this.options.metrics?.answersRecorded?.(recorded);
      // The transaction has committed: tell subscribers, once per newly recorded answer (never for replays).
      const events = this.options.events;
      if (events) {
        for (const result of results) {
          if (result.status !== "recorded" || !events.hasMasteryListeners(result.attempt.studentId)) continue;
          const { attempt } = result;
          events.publishMasteryChanged({
            studentId: attempt.studentId,
            schoolId: attempt.schoolId,
            attemptId: attempt.id,
            itemId: attempt.itemId,
            correct: attempt.correct,
            changes: resultOf(attempt, false).mastery,
          });
        }
      }
    }
    return results;
  }

  /** Mastery per point: stored rows, and for points asked for but never practised, the prior as not-started. */
  async studentMastery(studentId: string, knowledgePointIds?: readonly string[]): Promise<MasteryView[]> {
    const rows = await this.store.learners.studentMastery(studentId, knowledgePointIds);
    // A mastery row proves the student exists (foreign key): only an empty answer needs the look-up.
    if (rows.length === 0) await this.requireStudent(studentId);
    if (!knowledgePointIds) return rows.map(view);
    const byPoint = new Map(rows.map((row) => [row.knowledgePointId, row]));
    const missing = knowledgePointIds.filter((id) => !byPoint.has(id));
    const placed = await this.placedParameters(studentId, await this.masteryModel.parametersForMany(missing));
    const priors = new Map(placed.map((p) => [p.knowledgePointId, p.prior]));
    return knowledgePointIds.map((id) => {
      const row = byPoint.get(id);
      return row
        ? view(row)
        : { knowledgePointId: id, probability: priors.get(id) as number, state: "not-started" as const, attempts: 0, correct: 0 };
    });
  }

  async attemptHistory(studentId: string, page: { limit: number; before?: number }): Promise<AttemptPage> {
    const history = await this.store.learners.attemptHistory(studentId, page);
    if (history.totalCount === 0) await this.requireStudent(studentId);
    return history;
  }

  async classMastery(classId: string, knowledgePointIds?: readonly string[]) {
    const [found] = await this.store.learners.getClasses([classId]);
    if (!found) throw new NotFoundError("class", classId);
    const matrix = await this.store.learners.classMastery(classId, knowledgePointIds);
    return { ...matrix, cells: matrix.cells.map((cell) => ({ studentId: cell.studentId, ...view(cell) })) };
  }

  private async requireStudent(studentId: string): Promise<void> {
    const [found] = await this.store.learners.getStudents([studentId]);
    if (!found) throw new NotFoundError("student", studentId);
  }
}

function view(row: MasteryRecord): MasteryView {
  return {
    knowledgePointId: row.knowledgePointId,
    probability: row.probability,
    state: masteryState(row.probability, row.attempts),
    attempts: row.attempts,
    correct: row.correct,
    lastPractisedAt: row.lastPractisedAt,
    ...(row.parameterSetId !== undefined ? { parameterSetId: row.parameterSetId } : {}),
  };
}
