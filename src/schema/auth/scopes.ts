/**
 * The auth scopes of the schema (Pothos scope-auth) and the scope maps resolvers use.
 *
 * Every field carries an explicit decision (tests/schema/auth-coverage.test.ts fails otherwise):
 * a type-level `authScopes` (checked once per object, `runScopesOnType`), or field-level
 * `authScopes` on each field. Root fields (Query/Mutation/Subscription) always need their own.
 *
 * | scope           | true when                                                                          |
 * | --------------- | ---------------------------------------------------------------------------------- |
 * | `public`        | the public curriculum: anyone in development mode, any valid token in production    |
 * | `authenticated` | a valid token                                                                      |
 * | `student` …     | the token's role is that role (`student`, `teacher`, `analyst`, `admin`)           |
 * | `sameSchool(s)` | the token's school is `s` (tenancy: every learner-side object checks it)          |
 * | `selfOrStaff(i)`| a student whose `sub` is `i`, or a teacher or admin (combine with `sameSchool`)   |
 * | `readStudent(i)`| student `i`'s own data: that student, an admin of its school, or a teacher who     |
 * |                 | teaches a class it is enrolled in. Never analysts.                                |
 * | `answerFor(i)`  | may submit answers for student `i`: that student, or a teacher or admin of its     |
 * |                 | school                                                                           |
 * | `classStaff(c)` | class `c`'s per-student data: an admin of its school or a teacher of the class     |
 * | `classAggregate(c)` | class `c`'s de-identified aggregates: `classStaff`, or an analyst of its school |
 *
 * Class membership (who teaches what, who is enrolled where) and a learner's school are read from
 * the store through the request's `LearnerLoaders`, never from a token claim; only the token's
 * `sub`, `role` and `school` are trusted. A learner id of another school fails every scope.
 *
 * `$any`, `$all` and `$granted` (scopes granted by a parent field with `grantScopes`) come from
 * the plugin.
 */
import type { GraphQLContext } from "../context.js";
import { type AuthenticatedViewer, isAuthenticated } from "./viewer.js";

export interface PathwiseAuthScopes {
  public: boolean;
  authenticated: boolean;
  student: boolean;
  teacher: boolean;
  analyst: boolean;
  admin: boolean;
  /** Parameter: a school (tenant) id. */
  sameSchool: string;
  /** Parameter: a student id. */
  selfOrStaff: string;
  /** Parameter: a student id. */
  readStudent: string;
  /** Parameter: a student id. */
  answerFor: string;
  /** Parameter: a class id. */
  classStaff: string;
  /** Parameter: a class id. */
  classAggregate: string;
}

/** A scope map as `authScopes` takes it. */
export type ScopeMap = Partial<PathwiseAuthScopes> & { $any?: ScopeMap; $all?: ScopeMap; $granted?: string };

type ScopeLoaders = {
  [K in keyof PathwiseAuthScopes]: PathwiseAuthScopes[K] extends boolean
    ? boolean
    : (param: PathwiseAuthScopes[K]) => boolean | Promise<boolean>;
};

/** Evaluated once per request (the plugin caches each scope and parameter for the request). */
export function scopeLoaders(ctx: GraphQLContext): ScopeLoaders {
  const user = isAuthenticated(ctx.viewer) ? ctx.viewer : undefined;
  const role = user?.role;
  return {
    public: user !== undefined || ctx.mode === "development",
    authenticated: user !== undefined,
    student: role === "student",
    teacher: role === "teacher",
    analyst: role === "analyst",
    admin: role === "admin",
    sameSchool: (schoolId) => user !== undefined && user.schoolId === schoolId,
    selfOrStaff: (studentId) => {
      if (user === undefined) return false;
      if (user.role === "student") return user.subject === studentId;
      return user.role === "teacher" || user.role === "admin";
    },
    readStudent: (studentId) => readStudent(ctx, user, studentId),
    answerFor: (studentId) => answerFor(ctx, user, studentId),
    classStaff: (classId) => classStaff(ctx, user, classId),
    classAggregate: async (classId) => {
      if (user?.role === "analyst") {
        const found = await ctx.loaders.classes.load(classId);
        return found !== undefined && found.schoolId === user.schoolId;
      }
      return classStaff(ctx, user, classId);
    },
  };
}

async function readStudent(ctx: GraphQLContext, user: AuthenticatedViewer | undefined, studentId: string): Promise<boolean> {
  if (user === undefined || user.role === "analyst") return false;
  if (user.role === "student" && user.subject !== studentId) return false;
  const student = await ctx.loaders.students.load(studentId);
  if (student === undefined || student.schoolId !== user.schoolId) return false;
  if (user.role === "student" || user.role === "admin") return true;
  return (await ctx.loaders.studentsTaught()).has(studentId);
}

async function answerFor(ctx: GraphQLContext, user: AuthenticatedViewer | undefined, studentId: string): Promise<boolean> {
  if (user === undefined) return false;
  if (user.role === "student") {
    if (user.subject !== studentId) return false;
    // An unknown student id of their own is let through, so that the answer is a NOT_FOUND.
    const self = await ctx.loaders.students.load(studentId);
    return self === undefined || self.schoolId === user.schoolId;
  }
  if (user.role !== "teacher" && user.role !== "admin") return false;
  // Staff learn nothing about ids outside their school: unknown and foreign ids are both refused.
  const student = await ctx.loaders.students.load(studentId);
  return student !== undefined && student.schoolId === user.schoolId;
}

async function classStaff(ctx: GraphQLContext, user: AuthenticatedViewer | undefined, classId: string): Promise<boolean> {
  if (user === undefined || (user.role !== "teacher" && user.role !== "admin")) return false;
  const found = await ctx.loaders.classes.load(classId);
  if (found === undefined || found.schoolId !== user.schoolId) return false;
  return user.role === "admin" || (await ctx.loaders.classesTaught()).has(classId);
}

/** The curriculum is not sensitive: readable by anyone allowed in at all (see `public`). */
export const CURRICULUM: ScopeMap = { public: true };
/** Any valid token, whatever its role. */
export const AUTHENTICATED: ScopeMap = { authenticated: true };
/** Teachers and admins. */
export const STAFF: ScopeMap = { $any: { teacher: true, admin: true } };
/** Any role of the learner side that may look at classes (analysts see only their aggregates). */
export const CLASS_READERS: ScopeMap = { $any: { teacher: true, admin: true, analyst: true } };
/** Roles that may read some student's own data (analysts never may). */
export const STUDENT_READERS: ScopeMap = { $any: { student: true, teacher: true, admin: true } };
/** Answer keys, and which misconception a wrong option indicates: never students or anonymous users. */
export const ANSWER_KEY_READERS: ScopeMap = { $any: { teacher: true, analyst: true, admin: true } };

/** The viewer belongs to school `schoolId`. */
export function sameSchool(schoolId: string): ScopeMap {
  return { sameSchool: schoolId };
}

/** The student `studentId` themself, or staff. Does not check the school: see `ownSchoolStudent`. */
export function selfOrStaff(studentId: string): ScopeMap {
  return { selfOrStaff: studentId };
}

/** The student themself or staff, and in the student's school: the usual rule for learner data. */
export function ownSchoolStudent(studentId: string, schoolId: string): ScopeMap {
  return { $all: { selfOrStaff: studentId, sameSchool: schoolId } };
}

/** Student `studentId`'s own data (mastery, attempts): themself, an admin of their school, a teacher of one of their classes. */
export function studentData(studentId: string): ScopeMap {
  return { readStudent: studentId };
}

/** Per-student data of a class (roster, mastery matrix): an admin of its school or a teacher of the class. */
export function classStaffOf(classId: string): ScopeMap {
  return { classStaff: classId };
}

/** A class's de-identified aggregates: its staff, or an analyst of its school. */
export function classAggregateOf(classId: string): ScopeMap {
  return { classAggregate: classId };
}

/** Staff (teacher or admin) of school `schoolId`: who may see display names. */
export function schoolStaff(schoolId: string): ScopeMap {
  return { $all: { sameSchool: schoolId, $any: { teacher: true, admin: true } } };
}

/** May submit answers for student `studentId`: themself, or a teacher or admin of their school. */
export function answerForStudent(studentId: string): ScopeMap {
  return { answerFor: studentId };
}
