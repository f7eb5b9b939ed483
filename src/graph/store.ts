/**
 * The one store interface behind which SQLite (embedded default) and Neo4j (production) sit.
 * A contract test suite (tests/graph/store-contract.ts) runs against every backend.
 *
 * Division of labour: the store persists entities and answers look-ups and searches; the graph's
 * structure (prerequisites, item and resource links) is also loaded once into the in-memory
 * KnowledgeGraphIndex, which serves every traversal. The store is composed of one sub-store
 * per concern (curriculum, BKT parameters, learners, ...) so that each backend keeps them in separate modules.
 */
import type { SkillModel } from "../bkt/model.js";
import type { BktVariant } from "../bkt/parameters.js";
import type {
  CurriculumData,
  CurriculumKind,
  Domain,
  Item,
  ItemTemplate,
  KnowledgePoint,
  Misconception,
  Prerequisite,
  Resource,
  Stage,
  Subject,
  Unit,
} from "../curriculum/model.js";

export type EntityOf<K extends CurriculumKind> = CurriculumData[K][number];

/** One entity to write, with its store key, owning subject, serialised form and content hash. */
export interface CurriculumRow<K extends CurriculumKind> {
  key: string;
  subjectId: string;
  hash: string;
  entity: EntityOf<K>;
  /** JSON of `entity`, serialised once by the importer and stored as is. */
  doc: string;
  /** The store holds no entity with this key yet, so there are no old links to clear. */
  isNew: boolean;
}

/** Content hashes of stored entities, keyed by kind then entity key, with the owning subject. */
export type CurriculumFingerprints = {
  [K in CurriculumKind]: Map<string, { subjectId: string; hash: string }>;
};

export interface CurriculumChangeSet {
  /** Subjects being replaced; entities of theirs not in `upserts` are in `removals`. */
  subjectIds: string[];
  upserts: { [K in CurriculumKind]: CurriculumRow<K>[] };
  removals: { [K in CurriculumKind]: string[] };
  record: ImportRecord;
}

export interface ImportRecord {
  importedAt: string;
  subjects: { id: string; version?: string }[];
  summary: ImportSummary;
}

export type ImportCounts = Record<CurriculumKind, number>;

export interface ImportSummary {
  added: ImportCounts;
  changed: ImportCounts;
  removed: ImportCounts;
  unchanged: ImportCounts;
}

/** The structure of the curriculum graph, for building the in-memory index. */
export interface GraphSnapshot {
  units: Pick<Unit, "id" | "subjectId" | "grade" | "order" | "stageId">[];
  knowledgePoints: Pick<KnowledgePoint, "id" | "subjectId" | "unitId" | "grade" | "difficultyBand" | "order">[];
  prerequisites: Prerequisite[];
  items: { id: string; difficulty: number; type: Item["type"] }[];
  itemKnowledgePoints: { itemId: string; knowledgePointId: string; weight: number }[];
  itemMisconceptions: { itemId: string; misconceptionId: string }[];
  misconceptionKnowledgePoints: { misconceptionId: string; knowledgePointId: string }[];
  resourceKnowledgePoints: { resourceId: string; knowledgePointId: string }[];
}

/** A snapshot with nothing in it, to fill (generated graphs in benchmarks and tests). */
export function emptyGraphSnapshot(): GraphSnapshot {
  return {
    units: [],
    knowledgePoints: [],
    prerequisites: [],
    items: [],
    itemKnowledgePoints: [],
    itemMisconceptions: [],
    misconceptionKnowledgePoints: [],
    resourceKnowledgePoints: [],
  };
}

export interface KnowledgePointFilter {
  /** Substring of the Chinese or English name (case-insensitive for English). */
  text?: string;
  subjectId?: string;
  grade?: number;
  unitId?: string;
}

export interface Page {
  limit: number;
  offset: number;
}

export interface CurriculumStore {
  curriculumFingerprints(): Promise<CurriculumFingerprints>;
  /** Applies a whole change set atomically: all of it or none of it. */
  applyCurriculumChanges(changes: CurriculumChangeSet): Promise<void>;
  loadGraphSnapshot(): Promise<GraphSnapshot>;
  exportCurriculum(subjectIds?: string[]): Promise<CurriculumData>;
  lastImport(): Promise<ImportRecord | undefined>;
  /** Grows with every applied import, so another process can tell its index is stale. */
  curriculumRevision(): Promise<number>;

  listSubjects(): Promise<Subject[]>;
  listStages(subjectId: string): Promise<Stage[]>;
  listDomains(subjectId: string): Promise<Domain[]>;
  listUnits(subjectId: string, grade?: number): Promise<Unit[]>;
  /** Entities by id in the order asked, undefined where unknown (the shape DataLoader wants). */
  getSubjects(ids: readonly string[]): Promise<(Subject | undefined)[]>;
  getUnits(ids: readonly string[]): Promise<(Unit | undefined)[]>;
  getKnowledgePoints(ids: readonly string[]): Promise<(KnowledgePoint | undefined)[]>;
  getItems(ids: readonly string[]): Promise<(Item | undefined)[]>;
  getItemTemplates(ids: readonly string[]): Promise<(ItemTemplate | undefined)[]>;
  getMisconceptions(ids: readonly string[]): Promise<(Misconception | undefined)[]>;
  getResources(ids: readonly string[]): Promise<(Resource | undefined)[]>;
  searchKnowledgePoints(filter: KnowledgePointFilter, page: Page): Promise<{ nodes: KnowledgePoint[]; totalCount: number }>;
}

/** Fitted BKT parameters of one knowledge point: the five probabilities, plus per-item values for item variants. */
export interface BktPointParameters extends SkillModel {
  /** A curriculum knowledge point id, or any skill name of an external data set (kept, and reported by the service). */
  knowledgePointId: string;
}

/** Where a parameter set came from: the answer log it was fitted on. */
export interface BktParameterSource {
  /** The data file name or a description of the data. */
  data: string;
  rows?: number;
  students?: number;
  /** The params.json it was published from, if any. */
  paramsFile?: string;
}

/** What the fit itself reported. */
export interface BktFitSummary {
  logLikelihood?: number;
  iterations?: number;
  /** How many warnings the fit gave. */
  warnings: number;
}

/** A parameter set to save. Its values are validated before anything is written. */
export interface NewBktParameterSet {
  /** Unique and never reused; generated when absent. */
  id?: string;
  variant: BktVariant;
  /** When the fit ran (ISO 8601). */
  fittedAt: string;
  source: BktParameterSource;
  fit: BktFitSummary;
  /** Evaluation or cross-validation metrics, as the CLI printed them (free-form JSON). */
  metrics?: Record<string, unknown>;
  /** Who or what published it: a user name, a job name. */
  createdBy: string;
  /** One entry per knowledge point, each point at most once; at least one. */
  points: BktPointParameters[];
}

/** A stored parameter set's provenance, without its points. */
export interface BktParameterSetRecord extends Omit<NewBktParameterSet, "id" | "points"> {
  id: string;
  /** When it was stored. */
  savedAt: string;
  /** When it was last activated; absent if it never was. */
  activatedAt?: string;
  /** Grows with every activation of any set; the most recent activation wins per point. */
  activation?: number;
  /** Knowledge points it holds parameters for. */
  pointCount: number;
  /** Knowledge points for which it is the current set now. */
  currentPointCount: number;
}

/** The parameters in use for one knowledge point, with the set they come from. */
export interface CurrentBktParameters extends BktPointParameters {
  setId: string;
  variant: BktVariant;
  fittedAt: string;
  activatedAt: string;
}

/** One set's parameters for a knowledge point, in the point's history. */
export interface BktParameterHistoryEntry extends BktPointParameters {
  setId: string;
  variant: BktVariant;
  fittedAt: string;
  savedAt: string;
  activatedAt?: string;
  /** Whether these are the point's current parameters. */
  current: boolean;
}

/**
 * Fitted BKT parameters with their provenance. Sets are append-only: saving never overwrites a
 * set, and activating one makes it current for its points without touching any other set.
 */
export interface BktParameterStore {
  /**
   * Validates the set (throws InvalidBktParameterSetError before writing anything), then writes the
   * set and all its points in one transaction, and activates it unless `activate` is false.
   */
  saveParameterSet(set: NewBktParameterSet, options?: { activate?: boolean }): Promise<BktParameterSetRecord>;
  /** Makes the set current for each of its points (the most recently activated set wins per point). */
  activateParameterSet(id: string): Promise<BktParameterSetRecord>;
  /** Current parameters in the order asked, undefined where no activated set has the point. */
  currentParameters(knowledgePointIds: readonly string[]): Promise<(CurrentBktParameters | undefined)[]>;
  /** Every set, the most recently saved first. */
  listParameterSets(): Promise<BktParameterSetRecord[]>;
  getParameterSet(id: string): Promise<BktParameterSetRecord | undefined>;
  /** Every set's parameters for one point, the most recently saved first. */
  parameterHistory(knowledgePointId: string): Promise<BktParameterHistoryEntry[]>;
  /** Grows with every activation, so another process can tell its cached parameters are stale. */
  parameterRevision(): Promise<number>;
}

/* ------------------------------------------------------------------------------------------ */
/* Learners: schools (tenants), classes, teachers, students, enrolments, attempts and mastery. */
/* ------------------------------------------------------------------------------------------ */

/** A school: the tenant. Every learner record carries its school id. */
export interface School {
  id: string;
  name?: string;
  createdAt: string;
}

export interface SchoolClass {
  id: string;
  schoolId: string;
  /** Unique within the school, e.g. "7A". */
  name: string;
  grade?: number;
  /** A curriculum subject id, when the class studies one subject. */
  subjectId?: string;
  /** The success rate the recommender aims at for this class's students, when a teacher set one (default 0.7). */
  targetSuccessRate?: number;
}

export interface Teacher {
  /** Pseudonymous id, unique across schools. */
  id: string;
  schoolId: string;
  /** Visible only to that school's staff (enforced by the API layer). */
  displayName?: string;
}

export interface Student {
  /** Pseudonymous id, unique across schools; the school's own system maps it to a person. */
  id: string;
  schoolId: string;
  /** Visible only to that school's staff (enforced by the API layer). */
  displayName?: string;
}

/** A roster to apply to one school: everything is upserted, nothing is removed. */
export interface RosterChanges {
  school: { id: string; name?: string };
  /** Upserted by id: the name is replaced; an absent grade or subject keeps the stored one. */
  classes: Omit<SchoolClass, "schoolId">[];
  /** Upserted by id; an absent display name keeps the stored one. */
  teachers: Omit<Teacher, "schoolId">[];
  students: Omit<Student, "schoolId">[];
  /** Class ↔ student and class ↔ teacher links to add (existing links are kept). */
  enrolments: { classId: string; studentId: string }[];
  teaching: { classId: string; teacherId: string }[];
}

export interface RosterSummary {
  schoolCreated: boolean;
  classes: { added: number; updated: number };
  teachers: { added: number; updated: number };
  students: { added: number; updated: number };
  enrolments: { added: number; unchanged: number };
  teaching: { added: number; unchanged: number };
}

/** A student's BKT mastery of one knowledge point, updated in place by every attempt that assesses it. */
export interface MasteryRecord {
  studentId: string;
  knowledgePointId: string;
  /** P(known) after the latest attempt. */
  probability: number;
  attempts: number;
  correct: number;
  /** The latest `answeredAt` of the attempts on this point. */
  lastPractisedAt: string;
  /** The parameter set the latest update used; absent when the defaults were used (point never fitted). */
  parameterSetId?: string;
  updatedAt: string;
}

/** What one attempt did to one knowledge point. */
export interface AttemptMasteryChange {
  knowledgePointId: string;
  before: number;
  after: number;
  /** P(correct) from this point's mastery before the answer. */
  predictedCorrect: number;
  parameterSetId?: string;
}

/** One recorded answer: append-only. */
export interface AttemptRecord {
  id: string;
  studentId: string;
  schoolId: string;
  /** Position in the student's recorded order: 1, 2, 3, … (the order mastery was updated in). */
  sequence: number;
  itemId: string;
  /** The response as submitted (JSON). */
  response: unknown;
  correct: boolean;
  misconceptionIds: string[];
  responseTimeMs?: number;
  /** When the student answered (client clock, or recordedAt when not given). */
  answeredAt: string;
  /** When the server committed it. */
  recordedAt: string;
  idempotencyKey: string;
  /** Hash of the payload (item, response, response time, answered at), to tell a retry from a conflicting reuse of the key. */
  payloadHash: string;
  /** P(correct) of the whole item before the answer. */
  predictedCorrect: number;
  mastery: AttemptMasteryChange[];
}

/** The new mastery an attempt produces, computed from the student's current mastery. */
export interface MasteryUpdate {
  predictedCorrect: number;
  /** One entry per knowledge point asked for, in the same order. */
  mastery: AttemptMasteryChange[];
  /**
   * Elo calibration moves (src/recommender/difficulty.ts), applied as increments in the same
   * transaction — only when the attempt is recorded, so a replayed answer never counts twice.
   */
  calibration?: { difficultyDelta: number; abilityDelta: number };
}

/** The Elo state an attempt's update reads in the write transaction (under the student's lock). */
export interface CalibrationState {
  /** The item's learned difficulty offset: the sum of applied deltas, on top of its cold start. */
  itemOffset: number;
  itemAttempts: number;
  ability: number;
  abilityAttempts: number;
}

/** An item's calibration as stored: global across schools (an aggregate, no personal data). */
export interface ItemCalibrationRecord {
  itemId: string;
  /** Learned offset on top of the cold start from the item's difficulty band. */
  offset: number;
  attempts: number;
}

/** What the recommender reads of a student besides mastery and history. */
export interface RecommendationProfile {
  ability: number;
  abilityAttempts: number;
  /** The student's own target success rate, when a teacher set one. */
  targetSuccessRate?: number;
  /** Targets set on the student's classes, by class id (sorted). */
  classTargets: { classId: string; targetSuccessRate: number }[];
}

export interface NewAttempt {
  studentId: string;
  itemId: string;
  response: unknown;
  correct: boolean;
  misconceptionIds: string[];
  responseTimeMs?: number;
  /** Default: the time of recording. */
  answeredAt?: string;
  idempotencyKey: string;
  payloadHash: string;
  /** The knowledge points the item assesses; their mastery rows are read and updated. */
  knowledgePointIds: string[];
  /**
   * Computes the update from the current mastery of `knowledgePointIds` (undefined: no attempt
   * yet) and the current Elo state of the item and the student. Called inside the write
   * transaction, with the rows locked, so it must be pure and synchronous; a backend may call it
   * again when it retries the transaction.
   */
  update(current: readonly (MasteryRecord | undefined)[], calibration: CalibrationState): MasteryUpdate;
}

export type RecordAttemptResult =
  /** Written now, together with the mastery it changed. */
  | { status: "recorded"; attempt: AttemptRecord }
  /** The student already has an attempt with this idempotency key: nothing was written. */
  | { status: "existing"; attempt: AttemptRecord }
  | { status: "unknown-student" };

export interface AttemptPage {
  /** Newest first. */
  nodes: AttemptRecord[];
  totalCount: number;
  /** More, older attempts exist: ask again with `before` = the last node's sequence. */
  hasMore: boolean;
}

/** Mastery of a class: a sparse matrix, one cell per (student, point) that has been practised. */
export interface ClassMasteryMatrix {
  classId: string;
  /** Enrolled students, by id. */
  studentIds: string[];
  /** The points asked for, or every point any of the students has mastery of (sorted). */
  knowledgePointIds: string[];
  /** A missing cell is a point the student has not started. */
  cells: MasteryRecord[];
}

/**
 * Learner data. Writes validate their whole input before writing (InvalidLearnerDataError) and
 * commit in one transaction. Curriculum items and points are named by id, never linked, so the
 * history outlives curriculum changes.
 */
export interface LearnerStore {
  /** Creates the school, or updates its name when given. */
  upsertSchool(school: { id: string; name?: string }): Promise<School>;
  /**
   * Applies a roster to one school, all or nothing. Refuses (writing nothing) ids that belong to
   * another school and links to classes, students or teachers that neither exist nor are in the roster.
   */
  applyRoster(roster: RosterChanges): Promise<RosterSummary>;

  /** By id in the order asked, undefined where unknown (the shape DataLoader wants). */
  getSchools(ids: readonly string[]): Promise<(School | undefined)[]>;
  getClasses(ids: readonly string[]): Promise<(SchoolClass | undefined)[]>;
  getTeachers(ids: readonly string[]): Promise<(Teacher | undefined)[]>;
  getStudents(ids: readonly string[]): Promise<(Student | undefined)[]>;
  /** Ids of the schools in the store, sorted, at most `limit`. */
  listSchoolIds(limit: number): Promise<string[]>;
  /**
   * Removes a school and everything of it — classes, teachers, students, enrolments, attempts,
   * mastery and lesson plans — in one transaction. Returns how many students and attempts went; nothing if unknown.
   */
  deleteSchool(schoolId: string): Promise<{ students: number; attempts: number }>;
  /** A school's classes (by grade, name), teachers and students (by id). */
  listClasses(schoolId: string): Promise<SchoolClass[]>;
  listTeachers(schoolId: string): Promise<Teacher[]>;
  listStudents(schoolId: string): Promise<Student[]>;
  /** Enrolment, as sorted ids. */
  studentsOfClass(classId: string): Promise<string[]>;
  teachersOfClass(classId: string): Promise<string[]>;
  classesOfStudent(studentId: string): Promise<string[]>;
  classesOfTeacher(teacherId: string): Promise<string[]>;

  /**
   * Records attempts in order, in ONE write transaction: for each, the idempotency check, the read
   * of the student's mastery, `update`, and the writes of the attempt and the mastery rows happen
   * under the student's write lock, so concurrent answers of one student are serialized and none is
   * lost. If anything throws, nothing of the whole call is written.
   */
  recordAttempts(attempts: readonly NewAttempt[]): Promise<RecordAttemptResult[]>;
  /** Existing attempts by (student, idempotency key), in the order asked; a read, no lock. */
  findAttemptsByKey(keys: readonly { studentId: string; idempotencyKey: string }[]): Promise<(AttemptRecord | undefined)[]>;
  getAttempts(ids: readonly string[]): Promise<(AttemptRecord | undefined)[]>;
  /** Newest first; `before` (a sequence number) pages to older attempts. */
  attemptHistory(studentId: string, page: { limit: number; before?: number }): Promise<AttemptPage>;
  /** The student's mastery rows, by knowledge point id; only the points asked for when given. */
  studentMastery(studentId: string, knowledgePointIds?: readonly string[]): Promise<MasteryRecord[]>;
  classMastery(classId: string, knowledgePointIds?: readonly string[]): Promise<ClassMasteryMatrix>;

  /** Calibrations of the items asked for (all calibrated items when omitted); uncalibrated items are absent. */
  itemCalibrations(itemIds?: readonly string[]): Promise<ItemCalibrationRecord[]>;
  /** Undefined for an unknown student. */
  recommendationProfile(studentId: string): Promise<RecommendationProfile | undefined>;
  /** Sets (a number in [0, 1]) or clears (null) the target success rate of a class or a student; false when it does not exist. */
  setTargetSuccessRate(target: { classId: string } | { studentId: string }, rate: number | null): Promise<boolean>;
}

/** A lesson plan to store; `series` groups the versions of one plan (same class and targets). */
export interface NewLessonPlan {
  schoolId: string;
  classId: string;
  /** Who asked for it (a teacher or admin id). */
  createdBy: string;
  /** Plans with the same series key are versions of one another: 1, 2, 3, … */
  series: string;
  language: "zh" | "en";
  title: string;
  /** What the plan was generated from (targets, duration, tiers, …), as JSON. */
  inputs: unknown;
  /** How the narrative was written: provider, model, method, token counts, warnings (JSON). */
  generation: unknown;
  /** The structured plan (JSON), including the tier rosters (staff-only data). */
  plan: unknown;
  markdown: string;
}

export interface LessonPlanRecord extends NewLessonPlan {
  id: string;
  version: number;
  createdAt: string;
}

/** Lesson plans: append-only, versioned per series, removed with their school. */
export interface LessonPlanStore {
  /** Saves the next version of its series in one transaction (versions never repeat). */
  saveLessonPlan(plan: NewLessonPlan): Promise<LessonPlanRecord>;
  getLessonPlans(ids: readonly string[]): Promise<(LessonPlanRecord | undefined)[]>;
  /** A class's plans, newest first. */
  listLessonPlans(classId: string, page: Page): Promise<{ nodes: LessonPlanRecord[]; totalCount: number }>;
}

export interface KnowledgeGraphStore {
  readonly backend: "sqlite" | "neo4j";
  readonly curriculum: CurriculumStore;
  readonly bktParameters: BktParameterStore;
  readonly learners: LearnerStore;
  readonly lessonPlans: LessonPlanStore;
  /** Creates tables, constraints and indexes; safe to run on every start. */
  migrate(): Promise<void>;
  /** Throws when the store cannot answer (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
