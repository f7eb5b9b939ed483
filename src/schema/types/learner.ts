/**
 * The learner side: schools (tenants), classes, teachers, students, their mastery and attempts.
 *
 * Every type is authorized on the type itself (scope-auth `runScopesOnType`), with the owning
 * student or class as the scope's parameter, so an object is checked wherever it is reached
 * (`me`, `student(id)`, a class's roster, a matrix row), not only at the root field. The scopes are
 * in src/schema/auth/scopes.ts; class membership comes from the store, never from the token.
 */
import { resolveArrayConnection } from "@pothos/plugin-relay";
import type { AttemptRecord, School, SchoolClass, Student, Teacher } from "../../graph/store.js";
import { type MasteryState, type MasteryView, masteryState } from "../../services/learning-service.js";
import { AUTHENTICATED, answerForStudent, classAggregateOf, classStaffOf, sameSchool, schoolStaff, studentData } from "../auth/scopes.js";
import { ROLES } from "../auth/viewer.js";
import { builder } from "../builder.js";
import type { GraphQLContext } from "../context.js";
import { InvalidInputError, serviceCall } from "../errors.js";
import { existing } from "../loaders.js";
import { ItemRef } from "./item.js";
import { KnowledgePointRef } from "./knowledge-point.js";
import { MisconceptionRef } from "./misconception.js";
import { SubjectRef } from "./subject.js";

/** Knowledge points one mastery read may ask for. */
export const MAX_KNOWLEDGE_POINTS = 500;
/** Below this many enrolled students a class's summary is suppressed: its means would describe individuals. */
export const MIN_SUMMARY_COHORT = 5;

/** A student's mastery of one point, with the student it belongs to (the type's scope parameter). */
export interface StudentMastery extends MasteryView {
  studentId: string;
}

/** What one answer did to one point, with the student it belongs to. */
export interface StudentMasteryChange {
  studentId: string;
  knowledgePointId: string;
  before: number;
  after: number;
  state: MasteryState;
}

export const MasteryStateEnum = builder.enumType("MasteryState", {
  description: "NOT_STARTED: no attempt yet (the probability is the prior); MASTERED: P(known) ≥ 0.95; LEARNING: anything else.",
  values: {
    NOT_STARTED: { value: "not-started" },
    LEARNING: { value: "learning" },
    MASTERED: { value: "mastered" },
  } as const,
});

export const RoleEnum = builder.enumType("Role", {
  values: Object.fromEntries(ROLES.map((role) => [role.toUpperCase(), { value: role }])) as Record<
    Uppercase<(typeof ROLES)[number]>,
    { value: (typeof ROLES)[number] }
  >,
});

/** Checks a `knowledgePointIds` argument against the curriculum; undefined when it was omitted. */
export function checkedPointIds(
  ids: readonly (string | number)[] | null | undefined,
  ctx: GraphQLContext,
  field: string,
): string[] | undefined {
  if (ids === null || ids === undefined) return undefined;
  if (ids.length > MAX_KNOWLEDGE_POINTS) throw new InvalidInputError(field, `at most ${MAX_KNOWLEDGE_POINTS} knowledge points at once`);
  const points = [...new Set(ids.map(String))];
  const unknown = points.filter((id) => !ctx.curriculum.index.hasPoint(id));
  if (unknown.length > 0)
    throw new InvalidInputError(field, `unknown knowledge point(s): ${unknown.map((id) => JSON.stringify(id)).join(", ")}`);
  return points;
}

export const SchoolRef = builder.loadableObjectRef<School, string>("School", {
  load: (ids: string[], ctx: GraphQLContext) => existing(ctx.loaders.schools.loadMany(ids)),
  sort: (school: School) => school.id,
});

SchoolRef.implement({
  description: "A school: the tenant. Only its own members see it.",
  authScopes: (school) => sameSchool(school.id),
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name", { nullable: true }),
  }),
});

export const TeacherRef = builder.loadableObjectRef<Teacher, string>("Teacher", {
  load: (ids: string[], ctx: GraphQLContext) => existing(ctx.loaders.teachers.loadMany(ids)),
  sort: (teacher: Teacher) => teacher.id,
});

TeacherRef.implement({
  description: "A teacher, by the pseudonymous id of the school's own system. Visible to the staff of that school.",
  authScopes: (teacher) => schoolStaff(teacher.schoolId),
  fields: (t) => ({
    id: t.exposeID("id"),
    displayName: t.exposeString("displayName", { nullable: true }),
    school: t.field({ type: SchoolRef, resolve: (teacher) => teacher.schoolId }),
  }),
});

export const StudentRef = builder.loadableObjectRef<Student, string>("Student", {
  load: (ids: string[], ctx: GraphQLContext) => existing(ctx.loaders.students.loadMany(ids)),
  sort: (student: Student) => student.id,
});

export const KnowledgePointMasteryRef = builder.objectRef<StudentMastery>("KnowledgePointMastery").implement({
  description: "A student's estimated mastery of one knowledge point (Bayesian Knowledge Tracing).",
  authScopes: (mastery) => studentData(mastery.studentId),
  fields: (t) => ({
    knowledgePoint: t.field({ type: KnowledgePointRef, resolve: (m) => m.knowledgePointId }),
    probability: t.exposeFloat("probability", { description: "P(known): after the latest attempt, or the prior when not started." }),
    state: t.field({ type: MasteryStateEnum, resolve: (m) => m.state }),
    attempts: t.exposeInt("attempts", { description: "Attempts on items assessing this point." }),
    correct: t.exposeInt("correct", { description: "How many of those were correct." }),
    lastPractisedAt: t.exposeString("lastPractisedAt", { nullable: true, description: "ISO 8601; null when not started." }),
  }),
});

export const MasteryChangeRef = builder.objectRef<StudentMasteryChange>("MasteryChange").implement({
  description: "What one answer did to the mastery of one knowledge point the item assesses.",
  authScopes: (change) => answerForStudent(change.studentId),
  fields: (t) => ({
    knowledgePoint: t.field({ type: KnowledgePointRef, resolve: (c) => c.knowledgePointId }),
    before: t.exposeFloat("before", { description: "P(known) before the answer." }),
    after: t.exposeFloat("after", { description: "P(known) after the answer (posterior, then the learning transition)." }),
    state: t.field({ type: MasteryStateEnum, description: "The state after the answer.", resolve: (c) => c.state }),
  }),
});

interface AttemptResponseShape {
  studentId: string;
  response: unknown;
}

export const AttemptResponseRef = builder.objectRef<AttemptResponseShape>("AttemptResponse").implement({
  description: "The response as submitted: option ids for choice items, `value` for numeric items, `text` for short answers.",
  authScopes: (r) => studentData(r.studentId),
  fields: (t) => ({
    optionIds: t.idList({
      nullable: true,
      resolve: (r) => {
        const response = r.response as { kind?: string; optionIds?: string[] };
        return response.kind === "options" ? (response.optionIds ?? []) : null;
      },
    }),
    value: t.string({
      nullable: true,
      resolve: (r) => {
        const response = r.response as { kind?: string; text?: string };
        return response.kind === "number" ? (response.text ?? null) : null;
      },
    }),
    text: t.string({
      nullable: true,
      resolve: (r) => {
        const response = r.response as { kind?: string; text?: string };
        return response.kind === "text" ? (response.text ?? null) : null;
      },
    }),
  }),
});

export const AttemptRef = builder.objectRef<AttemptRecord>("Attempt").implement({
  description: "One recorded answer (append-only), graded by the server.",
  authScopes: (attempt) => studentData(attempt.studentId),
  fields: (t) => ({
    id: t.exposeID("id"),
    sequence: t.exposeInt("sequence", { description: "Position in the student's recorded order: 1, 2, 3, …" }),
    item: t.field({ type: ItemRef, nullable: true, description: "Null when the item has since been removed.", resolve: (a) => a.itemId }),
    itemId: t.exposeID("itemId"),
    response: t.field({ type: AttemptResponseRef, resolve: (a) => ({ studentId: a.studentId, response: a.response }) }),
    correct: t.exposeBoolean("correct"),
    misconceptions: t.field({
      type: [MisconceptionRef],
      description: "What the wrong response indicates (empty when correct or nothing is tagged).",
      resolve: (a) => a.misconceptionIds,
    }),
    predictedCorrect: t.exposeFloat("predictedCorrect", { description: "P(correct) before the answer." }),
    responseTimeMs: t.exposeInt("responseTimeMs", { nullable: true }),
    answeredAt: t.exposeString("answeredAt", { description: "ISO 8601, the client's clock (or when it was recorded)." }),
    recordedAt: t.exposeString("recordedAt", { description: "ISO 8601, when the server committed it." }),
    mastery: t.field({
      type: [MasteryChangeRef],
      resolve: (a) =>
        a.mastery.map((change) => ({
          studentId: a.studentId,
          knowledgePointId: change.knowledgePointId,
          before: change.before,
          after: change.after,
          state: masteryState(change.after, 1),
        })),
    }),
  }),
});

/** Default and maximum page sizes of attempt history. */
const ATTEMPTS_PAGE = { default: 20, max: 100 };

StudentRef.implement({
  description:
    "A student, by the pseudonymous id of the school's own system. Readable by the student themself, an admin of their school, and teachers of their classes; never by analysts.",
  authScopes: (student) => studentData(student.id),
  fields: (t) => ({
    id: t.exposeID("id"),
    displayName: t.exposeString("displayName", {
      nullable: true,
      description: "The name the school gave. Staff (teachers, admins) of the student's school only: FORBIDDEN for the student themself.",
      authScopes: (student) => schoolStaff(student.schoolId),
    }),
    school: t.field({ type: SchoolRef, resolve: (student) => student.schoolId }),
    mastery: t.field({
      type: [KnowledgePointMasteryRef],
      description:
        "Mastery per knowledge point: every point practised, by id; or exactly the points asked for, in that order (NOT_STARTED at the prior when never practised).",
      args: { knowledgePointIds: t.arg.idList({ required: false }) },
      resolve: async (student, args, ctx) => {
        const points = checkedPointIds(args.knowledgePointIds, ctx, "knowledgePointIds");
        const views = await serviceCall(() => ctx.learning.studentMastery(student.id, points));
        return views.map((view) => ({ ...view, studentId: student.id }));
      },
    }),
    attempts: t.connection(
      {
        type: AttemptRef,
        description: `Attempt history, newest first (${ATTEMPTS_PAGE.default} per page by default, at most ${ATTEMPTS_PAGE.max}). Use first/after; the cursor is the attempt's sequence.`,
        resolve: async (student, args, ctx) => {
          if (args.last != null || args.before != null)
            throw new InvalidInputError("last", "attempt history pages forward only: use first/after");
          const limit = args.first ?? ATTEMPTS_PAGE.default;
          if (limit < 0 || limit > ATTEMPTS_PAGE.max) throw new InvalidInputError("first", `first must be 0 to ${ATTEMPTS_PAGE.max}`);
          let before: number | undefined;
          if (args.after != null) {
            before = Number(args.after);
            if (!Number.isInteger(before) || before < 1) throw new InvalidInputError("after", "not a cursor of this connection");
          }
          const page = await serviceCall(() =>
            ctx.learning.attemptHistory(student.id, { limit, ...(before !== undefined ? { before } : {}) }),
          );
          const edges = page.nodes.map((node) => ({ cursor: String(node.sequence), node }));
          return {
            edges,
            totalCount: page.totalCount,
            pageInfo: {
              hasNextPage: page.hasMore,
              hasPreviousPage: before !== undefined,
              startCursor: edges[0]?.cursor ?? null,
              endCursor: edges[edges.length - 1]?.cursor ?? null,
            },
          };
        },
      },
      {
        fields: (c) => ({
          totalCount: c.int({
            authScopes: AUTHENTICATED,
            resolve: (connection) => (connection as unknown as { totalCount: number }).totalCount,
          }),
        }),
      },
    ),
  }),
});

/** One student's row of a class mastery matrix. */
interface MatrixRow {
  studentId: string;
  mastery: StudentMastery[];
}

interface MatrixShape {
  classId: string;
  knowledgePointIds: string[];
  rows: MatrixRow[];
}

export const ClassMasteryRowRef = builder.objectRef<MatrixRow>("ClassMasteryRow").implement({
  description: "A student's mastery of each of the matrix's knowledge points, in the matrix's order.",
  authScopes: (row) => studentData(row.studentId),
  fields: (t) => ({
    student: t.field({ type: StudentRef, resolve: (row) => row.studentId }),
    mastery: t.field({ type: [KnowledgePointMasteryRef], resolve: (row) => row.mastery }),
  }),
});

export const ClassMasteryMatrixRef = builder.objectRef<MatrixShape>("ClassMasteryMatrix").implement({
  description: "Students × knowledge points of a class: one row per enrolled student (by id), one cell per point.",
  authScopes: (matrix) => classStaffOf(matrix.classId),
  fields: (t) => ({
    knowledgePoints: t.field({ type: [KnowledgePointRef], resolve: (m) => m.knowledgePointIds }),
    rows: t.field({ type: [ClassMasteryRowRef], resolve: (m) => m.rows }),
  }),
});

interface PointSummary {
  classId: string;
  knowledgePointId: string;
  notStarted: number;
  learning: number;
  mastered: number;
  meanProbability: number;
  totalAttempts: number;
}

interface SummaryShape {
  classId: string;
  studentCount: number;
  suppressed: boolean;
  points: PointSummary[];
}

export const KnowledgePointSummaryRef = builder.objectRef<PointSummary>("KnowledgePointMasterySummary").implement({
  description: "De-identified: how many of a class's students are in each state for one point, and the mean mastery.",
  authScopes: (summary) => classAggregateOf(summary.classId),
  fields: (t) => ({
    knowledgePoint: t.field({ type: KnowledgePointRef, resolve: (s) => s.knowledgePointId }),
    notStarted: t.exposeInt("notStarted"),
    learning: t.exposeInt("learning"),
    mastered: t.exposeInt("mastered"),
    meanProbability: t.exposeFloat("meanProbability", {
      description: "Mean P(known) over all enrolled students (the prior for those not started).",
    }),
    totalAttempts: t.exposeInt("totalAttempts"),
  }),
});

export const ClassMasterySummaryRef = builder.objectRef<SummaryShape>("ClassMasterySummary").implement({
  description: `De-identified mastery of a class: counts and means per knowledge point, no student ids. Suppressed (no points) when fewer than ${MIN_SUMMARY_COHORT} students are enrolled.`,
  authScopes: (summary) => classAggregateOf(summary.classId),
  fields: (t) => ({
    class: t.field({ type: ClassRef, resolve: (s) => s.classId }),
    studentCount: t.exposeInt("studentCount"),
    suppressed: t.exposeBoolean("suppressed", { description: `True when fewer than ${MIN_SUMMARY_COHORT} students are enrolled.` }),
    knowledgePoints: t.field({ type: [KnowledgePointSummaryRef], resolve: (s) => s.points }),
  }),
});

/** The dense matrix of a class: stored cells, and the prior as NOT_STARTED where a student has not practised a point. */
export async function classMatrix(ctx: GraphQLContext, classId: string, knowledgePointIds?: string[]): Promise<MatrixShape> {
  const sparse = await serviceCall(() => ctx.learning.classMastery(classId, knowledgePointIds));
  const points = sparse.knowledgePointIds;
  const priors = new Map((await ctx.masteryModel.parametersForMany(points)).map((p) => [p.knowledgePointId, p.prior]));
  const cells = new Map(sparse.cells.map((cell) => [`${cell.studentId}\u0000${cell.knowledgePointId}`, cell]));
  const rows = sparse.studentIds.map((studentId) => ({
    studentId,
    mastery: points.map((knowledgePointId): StudentMastery => {
      const cell = cells.get(`${studentId}\u0000${knowledgePointId}`);
      if (cell) {
        const { studentId: _id, ...view } = cell;
        return { ...view, studentId };
      }
      return { studentId, knowledgePointId, probability: priors.get(knowledgePointId) ?? 0, state: "not-started", attempts: 0, correct: 0 };
    }),
  }));
  return { classId, knowledgePointIds: points, rows };
}

/** Counts and means per point over the class's students; nothing when the class is below the minimum cohort. */
export async function classSummary(ctx: GraphQLContext, classId: string, knowledgePointIds?: string[]): Promise<SummaryShape> {
  const matrix = await classMatrix(ctx, classId, knowledgePointIds);
  const studentCount = matrix.rows.length;
  if (studentCount < MIN_SUMMARY_COHORT) return { classId, studentCount, suppressed: true, points: [] };
  const points = matrix.knowledgePointIds.map((knowledgePointId, k) => {
    const summary: PointSummary = {
      classId,
      knowledgePointId,
      notStarted: 0,
      learning: 0,
      mastered: 0,
      meanProbability: 0,
      totalAttempts: 0,
    };
    for (const row of matrix.rows) {
      const cell = row.mastery[k] as StudentMastery;
      if (cell.state === "not-started") summary.notStarted++;
      else if (cell.state === "mastered") summary.mastered++;
      else summary.learning++;
      summary.meanProbability += cell.probability / studentCount;
      summary.totalAttempts += cell.attempts;
    }
    return summary;
  });
  return { classId, studentCount, suppressed: false, points };
}

export const ClassRef = builder.loadableObjectRef<SchoolClass, string>("Class", {
  load: (ids: string[], ctx: GraphQLContext) => existing(ctx.loaders.classes.loadMany(ids)),
  sort: (found: SchoolClass) => found.id,
});

ClassRef.implement({
  description:
    "A class of a school. Its teachers and the school's admins see its students and mastery; the school's analysts see only its name and de-identified summary.",
  authScopes: (found) => classAggregateOf(found.id),
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name", { description: "Unique within the school, e.g. 7A." }),
    grade: t.exposeInt("grade", { nullable: true }),
    subject: t.field({ type: SubjectRef, nullable: true, resolve: (c) => c.subjectId ?? null }),
    school: t.field({ type: SchoolRef, resolve: (c) => c.schoolId }),
    teachers: t.field({
      type: [TeacherRef],
      authScopes: (c) => classStaffOf(c.id),
      resolve: (c, _args, ctx) => ctx.store.learners.teachersOfClass(c.id),
    }),
    students: t.connection(
      {
        type: StudentRef,
        description: "Enrolled students, by id (default 50 per page, at most 500).",
        authScopes: (c) => classStaffOf(c.id),
        resolve: async (c, args, ctx) => {
          const ids = await ctx.store.learners.studentsOfClass(c.id);
          return Object.assign(resolveArrayConnection({ args, defaultSize: 50, maxSize: 500 }, ids), { totalCount: ids.length });
        },
      },
      {
        fields: (conn) => ({
          totalCount: conn.int({
            authScopes: AUTHENTICATED,
            resolve: (connection) => (connection as unknown as { totalCount: number }).totalCount,
          }),
        }),
      },
    ),
    masteryMatrix: t.field({
      type: ClassMasteryMatrixRef,
      description:
        "Enrolled students × knowledge points: the points asked for (in that order), or every point any of the students has practised.",
      authScopes: (c) => classStaffOf(c.id),
      args: { knowledgePointIds: t.arg.idList({ required: false }) },
      resolve: (c, args, ctx) => classMatrix(ctx, c.id, checkedPointIds(args.knowledgePointIds, ctx, "knowledgePointIds")),
    }),
    masterySummary: t.field({
      type: ClassMasterySummaryRef,
      description: "De-identified counts and means per knowledge point (what analysts may see).",
      args: { knowledgePointIds: t.arg.idList({ required: false }) },
      resolve: (c, args, ctx) => classSummary(ctx, c.id, checkedPointIds(args.knowledgePointIds, ctx, "knowledgePointIds")),
    }),
  }),
});

interface ViewerShape {
  id: string;
  role: (typeof ROLES)[number];
  schoolId: string;
}

export const ViewerRef = builder.objectRef<ViewerShape>("Viewer").implement({
  description: "Who the bearer token says is asking.",
  authScopes: AUTHENTICATED,
  fields: (t) => ({
    id: t.exposeID("id", { description: "The token's subject." }),
    role: t.field({ type: RoleEnum, resolve: (v) => v.role }),
    schoolId: t.exposeID("schoolId", { description: "The token's school claim." }),
    school: t.field({
      type: SchoolRef,
      nullable: true,
      description: "Null when the store does not know the school.",
      resolve: (v) => v.schoolId,
    }),
    student: t.field({
      type: StudentRef,
      nullable: true,
      description: "A student's own record (null for other roles, or when the store does not know the id).",
      resolve: async (v, _args, ctx) => {
        if (v.role !== "student") return null;
        const student = await ctx.loaders.students.load(v.id);
        return student?.schoolId === v.schoolId ? v.id : null;
      },
    }),
    teacher: t.field({
      type: TeacherRef,
      nullable: true,
      description: "A teacher's own record (null for other roles, or when the store does not know the id).",
      resolve: async (v, _args, ctx) => {
        if (v.role !== "teacher") return null;
        const teacher = await ctx.loaders.teachers.load(v.id);
        return teacher?.schoolId === v.schoolId ? v.id : null;
      },
    }),
  }),
});
