import { resolveOffsetConnection } from "@pothos/plugin-relay";
import { CURRICULUM } from "../auth/scopes.js";
import { builder } from "../builder.js";
import { ItemRef } from "./item.js";
import { KnowledgePointRef } from "./knowledge-point.js";
import { MisconceptionRef } from "./misconception.js";
import { SubjectRef } from "./subject.js";
import { UnitRef } from "./unit.js";

const KnowledgePointFilterInput = builder.inputType("KnowledgePointFilter", {
  fields: (t) => ({
    text: t.string({ required: false, description: "Part of the Chinese or English name." }),
    subjectId: t.id({ required: false }),
    grade: t.int({ required: false }),
    unitId: t.id({ required: false }),
  }),
});

builder.queryFields((t) => ({
  subjects: t.field({
    authScopes: CURRICULUM,
    type: [SubjectRef],
    resolve: async (_root, _args, ctx) => ctx.store.curriculum.listSubjects(),
  }),
  subject: t.field({
    authScopes: CURRICULUM,
    type: SubjectRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => (await ctx.store.curriculum.getSubjects([String(args.id)]))[0] ?? null,
  }),
  unit: t.field({
    authScopes: CURRICULUM,
    type: UnitRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => (await ctx.store.curriculum.getUnits([String(args.id)]))[0] ?? null,
  }),
  knowledgePoint: t.field({
    authScopes: CURRICULUM,
    type: KnowledgePointRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => (ctx.curriculum.index.hasPoint(String(args.id)) ? String(args.id) : null),
  }),
  knowledgePoints: t.connection(
    {
      type: KnowledgePointRef,
      description: "Knowledge points, filtered, in teaching order (grade, unit, position).",
      authScopes: CURRICULUM,
      args: { filter: t.arg({ type: KnowledgePointFilterInput, required: false }) },
      resolve: async (_root, args, ctx) => {
        let totalCount = 0;
        const connection = await resolveOffsetConnection({ args, defaultSize: 50, maxSize: 500 }, async ({ limit, offset }) => {
          const filter = args.filter ?? {};
          const result = await ctx.store.curriculum.searchKnowledgePoints(
            {
              ...(filter.text ? { text: filter.text } : {}),
              ...(filter.subjectId ? { subjectId: String(filter.subjectId) } : {}),
              ...(filter.grade != null ? { grade: filter.grade } : {}),
              ...(filter.unitId ? { unitId: String(filter.unitId) } : {}),
            },
            { limit, offset },
          );
          totalCount = result.totalCount;
          return result.nodes;
        });
        return Object.assign(connection, { totalCount });
      },
    },
    {
      fields: (c) => ({
        totalCount: c.int({
          authScopes: CURRICULUM,
          resolve: (connection) => (connection as unknown as { totalCount: number }).totalCount,
        }),
      }),
    },
  ),
  item: t.field({
    authScopes: CURRICULUM,
    type: ItemRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => (ctx.curriculum.index.hasItem(String(args.id)) ? String(args.id) : null),
  }),
  misconception: t.field({
    authScopes: CURRICULUM,
    type: MisconceptionRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => (await ctx.store.curriculum.getMisconceptions([String(args.id)]))[0] ?? null,
  }),
}));
