/**
 * Learner-side queries. Tenancy: a by-id query answers null for an id of another school, exactly
 * as for an unknown id, so that no school learns which ids exist elsewhere; inside the school the
 * type's own scope decides (FORBIDDEN for a teacher reading a student of a class they do not teach).
 */
import { resolveArrayConnection } from "@pothos/plugin-relay";
import { AUTHENTICATED, CLASS_READERS, STUDENT_READERS } from "../auth/scopes.js";
import { isAuthenticated } from "../auth/viewer.js";
import { builder } from "../builder.js";
import { ClassMasterySummaryRef, ClassRef, checkedPointIds, classSummary, StudentRef, ViewerRef } from "./learner.js";

builder.queryFields((t) => ({
  me: t.field({
    type: ViewerRef,
    description: "Who the bearer token says is asking, with their own student or teacher record.",
    authScopes: AUTHENTICATED,
    resolve: (_root, _args, ctx) => {
      if (!isAuthenticated(ctx.viewer)) throw new Error("unreachable: me needs a token");
      return { id: ctx.viewer.subject, role: ctx.viewer.role, schoolId: ctx.viewer.schoolId };
    },
  }),
  student: t.field({
    type: StudentRef,
    nullable: true,
    description:
      "A student of your school: yourself (students), a student of a class you teach (teachers), any (admins). Null when unknown.",
    authScopes: STUDENT_READERS,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = String(args.id);
      const student = await ctx.loaders.students.load(id);
      return student && isAuthenticated(ctx.viewer) && student.schoolId === ctx.viewer.schoolId ? id : null;
    },
  }),
  class: t.field({
    type: ClassRef,
    nullable: true,
    description: "A class of your school (teachers: one you teach). Null when unknown.",
    authScopes: CLASS_READERS,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = String(args.id);
      const found = await ctx.loaders.classes.load(id);
      return found && isAuthenticated(ctx.viewer) && found.schoolId === ctx.viewer.schoolId ? id : null;
    },
  }),
  classes: t.connection(
    {
      type: ClassRef,
      description: "Teachers: the classes they teach. Admins and analysts: every class of their school. By grade, then name.",
      authScopes: CLASS_READERS,
      resolve: async (_root, args, ctx) => {
        const viewer = ctx.viewer;
        if (!isAuthenticated(viewer)) return resolveArrayConnection({ args }, [] as string[]);
        let classes = await ctx.store.learners.listClasses(viewer.schoolId);
        if (viewer.role === "teacher") {
          const taught = await ctx.loaders.classesTaught();
          classes = classes.filter((c) => taught.has(c.id));
        }
        const ids = classes.map((c) => c.id);
        return Object.assign(resolveArrayConnection({ args, defaultSize: 50, maxSize: 500 }, ids), { totalCount: ids.length });
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
  classMasterySummary: t.field({
    type: ClassMasterySummaryRef,
    nullable: true,
    description:
      "De-identified mastery of a class of your school: counts per state and mean mastery per knowledge point, no student ids. For analysts, admins and the class's teachers. Null when unknown.",
    authScopes: CLASS_READERS,
    args: { classId: t.arg.id({ required: true }), knowledgePointIds: t.arg.idList({ required: false }) },
    resolve: async (_root, args, ctx) => {
      const id = String(args.classId);
      const found = await ctx.loaders.classes.load(id);
      if (!found || !isAuthenticated(ctx.viewer) || found.schoolId !== ctx.viewer.schoolId) return null;
      return classSummary(ctx, id, checkedPointIds(args.knowledgePointIds, ctx, "knowledgePointIds"));
    },
  }),
}));
