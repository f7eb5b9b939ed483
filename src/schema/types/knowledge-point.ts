import { resolveArrayConnection } from "@pothos/plugin-relay";
import type { KnowledgePoint } from "../../curriculum/model.js";
import type { WeightedLink } from "../../graph/knowledge-graph-index.js";
import { CURRICULUM } from "../auth/scopes.js";
import { builder } from "../builder.js";
import { existing } from "../loaders.js";
import { ItemRef } from "./item.js";
import { LocalizedTextRef } from "./localized-text.js";
import { MisconceptionRef, ResourceRef } from "./misconception.js";
import { SubjectRef } from "./subject.js";
import { UnitRef } from "./unit.js";

export const KnowledgePointRef = builder.loadableObjectRef<KnowledgePoint, string>("KnowledgePoint", {
  load: (ids: string[], ctx) => existing(ctx.store.curriculum.getKnowledgePoints(ids)),
  sort: (point: KnowledgePoint) => point.id,
});

KnowledgePointRef.implement({
  description: "A knowledge point (知识点): the unit of mastery that Bayesian Knowledge Tracing estimates.",
  authScopes: CURRICULUM,
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.field({ type: LocalizedTextRef, resolve: (point) => point.name }),
    description: t.field({ type: LocalizedTextRef, resolve: (point) => point.description }),
    subject: t.field({ type: SubjectRef, resolve: (point) => point.subjectId }),
    unit: t.field({ type: UnitRef, resolve: (point) => point.unitId }),
    grade: t.exposeInt("grade"),
    domain: t.exposeString("domain", { description: "Sub-domain code of the standard." }),
    standardCode: t.exposeString("standardCode"),
    difficultyBand: t.exposeInt("difficultyBand", { description: "1 (easiest) to 5 within its grade." }),
    prerequisites: t.field({
      type: [PrerequisiteLinkRef],
      description: "Points this one directly builds on, with how strongly it needs each.",
      resolve: (point, _args, ctx) => ctx.curriculum.index.prerequisitesOf(point.id),
    }),
    dependents: t.field({
      type: [PrerequisiteLinkRef],
      description: "Points that directly build on this one.",
      resolve: (point, _args, ctx) => ctx.curriculum.index.dependentsOf(point.id),
    }),
    prerequisiteClosure: t.field({
      type: [KnowledgePointRef],
      description: "Every direct and indirect prerequisite, basics first.",
      args: { maxDepth: t.arg.int({ required: false, description: "Levels to follow; all when omitted." }) },
      resolve: (point, args, ctx) => ctx.curriculum.index.prerequisiteClosure(point.id, args.maxDepth ?? undefined),
    }),
    dependentClosure: t.field({
      type: [KnowledgePointRef],
      description: "Every point that directly or indirectly builds on this one, in teaching order.",
      args: { maxDepth: t.arg.int({ required: false }) },
      resolve: (point, args, ctx) => ctx.curriculum.index.dependentClosure(point.id, args.maxDepth ?? undefined),
    }),
    items: t.connection({
      type: ItemRef,
      description: "Practice items assessing this point.",
      resolve: (point, args, ctx) =>
        resolveArrayConnection(
          { args },
          ctx.curriculum.index.itemsOf(point.id).map((link) => link.id),
        ),
    }),
    misconceptions: t.field({
      type: [MisconceptionRef],
      resolve: (point, _args, ctx) => [...ctx.curriculum.index.misconceptionsOf(point.id)],
    }),
    resources: t.field({
      type: [ResourceRef],
      description: "Teaching resources for this point.",
      resolve: (point, _args, ctx) => [...ctx.curriculum.index.resourcesOf(point.id)],
    }),
  }),
});

export const PrerequisiteLinkRef = builder.objectRef<WeightedLink>("PrerequisiteLink");

PrerequisiteLinkRef.implement({
  description: "A PREREQUISITE_OF edge seen from one of its ends.",
  authScopes: CURRICULUM,
  fields: (t) => ({
    knowledgePoint: t.field({ type: KnowledgePointRef, resolve: (link) => link.id }),
    strength: t.exposeFloat("weight", { description: "How much the dependent point needs the prerequisite, (0, 1]." }),
  }),
});
