import type { Domain, Stage, Subject } from "../../curriculum/model.js";
import { CURRICULUM } from "../auth/scopes.js";
import { builder } from "../builder.js";
import { existing } from "../loaders.js";
import { LocalizedTextRef } from "./localized-text.js";
import { UnitRef } from "./unit.js";

export const StageRef = builder.objectRef<Stage>("Stage").implement({
  description: "A stage (学段) of the curriculum standard and the grades it spans.",
  authScopes: CURRICULUM,
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.field({ type: LocalizedTextRef, resolve: (stage) => stage.name }),
    grades: t.exposeIntList("grades"),
  }),
});

export const DomainRef = builder.objectRef<Domain>("Domain").implement({
  description: "A domain or sub-domain of the standard (e.g. 数与代数 / 数与运算).",
  authScopes: CURRICULUM,
  fields: (t) => ({
    code: t.exposeString("code"),
    name: t.field({ type: LocalizedTextRef, resolve: (domain) => domain.name }),
    parentCode: t.exposeString("parentCode", { nullable: true }),
  }),
});

export const SubjectRef = builder.loadableObjectRef<Subject, string>("Subject", {
  load: (ids: string[], ctx) => existing(ctx.store.curriculum.getSubjects(ids)),
  sort: (subject: Subject) => subject.id,
});

SubjectRef.implement({
  description: "A subject's curriculum, e.g. compulsory-education mathematics.",
  authScopes: CURRICULUM,
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.field({ type: LocalizedTextRef, resolve: (subject) => subject.name }),
    standard: t.field({ type: LocalizedTextRef, nullable: true, resolve: (subject) => subject.standard }),
    version: t.exposeString("version", { nullable: true, description: "The curriculum package's version label at its last import." }),
    stages: t.field({ type: [StageRef], resolve: (subject, _args, ctx) => ctx.store.curriculum.listStages(subject.id) }),
    domains: t.field({ type: [DomainRef], resolve: (subject, _args, ctx) => ctx.store.curriculum.listDomains(subject.id) }),
    units: t.field({
      type: [UnitRef],
      args: { grade: t.arg.int({ required: false }) },
      resolve: (subject, args, ctx) => ctx.store.curriculum.listUnits(subject.id, args.grade ?? undefined),
    }),
  }),
});
