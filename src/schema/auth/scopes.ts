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
 * | `selfOrStaff(i)`| a student whose `sub` is `i`, or a teacher or admin (combine with `sameSchool`;    |
 * |                 | a teacher's class membership is checked against the store, never a token claim)   |
 *
 * `$any`, `$all` and `$granted` (scopes granted by a parent field with `grantScopes`) come from
 * the plugin.
 */
import type { GraphQLContext } from "../context.js";
import { isAuthenticated } from "./viewer.js";

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
}

/** A scope map as `authScopes` takes it. */
export type ScopeMap = Partial<PathwiseAuthScopes> & { $any?: ScopeMap; $all?: ScopeMap; $granted?: string };

type ScopeLoaders = {
  [K in keyof PathwiseAuthScopes]: PathwiseAuthScopes[K] extends boolean ? boolean : (param: PathwiseAuthScopes[K]) => boolean;
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
  };
}

/** The curriculum is not sensitive: readable by anyone allowed in at all (see `public`). */
export const CURRICULUM: ScopeMap = { public: true };
/** Any valid token, whatever its role. */
export const AUTHENTICATED: ScopeMap = { authenticated: true };
/** Teachers and admins. */
export const STAFF: ScopeMap = { $any: { teacher: true, admin: true } };
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
