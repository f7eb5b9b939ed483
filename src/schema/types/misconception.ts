import type { Misconception, Resource } from "../../curriculum/model.js";
import { CURRICULUM } from "../auth/scopes.js";
import { builder } from "../builder.js";
import { existing } from "../loaders.js";
import { KnowledgePointRef } from "./knowledge-point.js";
import { LocalizedTextRef } from "./localized-text.js";

export const MisconceptionRef = builder.loadableObjectRef<Misconception, string>("Misconception", {
  load: (ids: string[], ctx) => existing(ctx.store.curriculum.getMisconceptions(ids)),
  sort: (misconception: Misconception) => misconception.id,
});

MisconceptionRef.implement({
  description: "A named, common misconception; specific wrong answers indicate it.",
  authScopes: CURRICULUM,
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.field({ type: LocalizedTextRef, resolve: (m) => m.name }),
    description: t.field({ type: LocalizedTextRef, resolve: (m) => m.description }),
    remedy: t.field({ type: LocalizedTextRef, nullable: true, resolve: (m) => m.remedy }),
    knowledgePoints: t.field({ type: [KnowledgePointRef], resolve: (m) => m.knowledgePointIds }),
  }),
});

export const ResourceKindEnum = builder.enumType("ResourceKind", {
  values: ["explanation", "worked_example", "activity", "video", "reading", "practice_sheet"] as const,
});

export const ResourceRef = builder.loadableObjectRef<Resource, string>("Resource", {
  load: (ids: string[], ctx) => existing(ctx.store.curriculum.getResources(ids)),
  sort: (resource: Resource) => resource.id,
});

ResourceRef.implement({
  description: "Teaching material linked to knowledge points.",
  authScopes: CURRICULUM,
  fields: (t) => ({
    id: t.exposeID("id"),
    kind: t.field({ type: ResourceKindEnum, resolve: (r) => r.kind }),
    title: t.field({ type: LocalizedTextRef, resolve: (r) => r.title }),
    body: t.field({ type: LocalizedTextRef, description: "Markdown.", resolve: (r) => r.body }),
    url: t.exposeString("url", { nullable: true }),
    durationMinutes: t.exposeInt("durationMinutes", { nullable: true }),
    knowledgePoints: t.field({ type: [KnowledgePointRef], resolve: (r) => r.knowledgePointIds }),
  }),
});
