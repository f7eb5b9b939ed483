import type { Unit } from "../../curriculum/model.js";
import { CURRICULUM } from "../auth/scopes.js";
import { builder } from "../builder.js";
import { existing } from "../loaders.js";
import { KnowledgePointRef } from "./knowledge-point.js";
import { LocalizedTextRef } from "./localized-text.js";
import { SubjectRef } from "./subject.js";

export const UnitRef = builder.loadableObjectRef<Unit, string>("Unit", {
  load: (ids: string[], ctx) => existing(ctx.store.curriculum.getUnits(ids)),
  sort: (unit: Unit) => unit.id,
});

UnitRef.implement({
  description: "A teaching unit: a group of knowledge points taught together in one grade.",
  authScopes: CURRICULUM,
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.field({ type: LocalizedTextRef, resolve: (unit) => unit.name }),
    description: t.field({ type: LocalizedTextRef, nullable: true, resolve: (unit) => unit.description }),
    subject: t.field({ type: SubjectRef, resolve: (unit) => unit.subjectId }),
    grade: t.exposeInt("grade"),
    semester: t.exposeInt("semester", { nullable: true, description: "1 = autumn (上册), 2 = spring (下册)." }),
    stageId: t.exposeID("stageId"),
    domain: t.exposeString("domain", { description: "Domain or sub-domain code." }),
    order: t.exposeInt("order", { description: "Teaching order within the subject." }),
    classHours: t.exposeFloat("classHours", { nullable: true }),
    knowledgePoints: t.field({
      type: [KnowledgePointRef],
      resolve: (unit, _args, ctx) => [...ctx.curriculum.index.pointsOfUnit(unit.id)],
    }),
  }),
});
