import type { Item, ItemKnowledgePoint, ItemOption } from "../../curriculum/model.js";
import { builder } from "../builder.js";
import { existing } from "../loaders.js";
import { KnowledgePointRef } from "./knowledge-point.js";
import { LocalizedTextRef } from "./localized-text.js";

export const ItemTypeEnum = builder.enumType("ItemType", {
  values: {
    SINGLE_CHOICE: { value: "single_choice" },
    MULTIPLE_CHOICE: { value: "multiple_choice" },
    NUMERIC: { value: "numeric" },
    SHORT_ANSWER: { value: "short_answer" },
  } as const,
});

export const ItemOptionRef = builder.objectRef<ItemOption>("ItemOption").implement({
  fields: (t) => ({
    id: t.exposeID("id"),
    text: t.field({ type: LocalizedTextRef, resolve: (option) => option.text }),
  }),
});

export const ItemKnowledgePointRef = builder.objectRef<ItemKnowledgePoint>("ItemKnowledgePoint").implement({
  description: "A knowledge point an item assesses, with its Q-matrix weight.",
  fields: (t) => ({
    knowledgePoint: t.field({ type: KnowledgePointRef, resolve: (link) => link.id }),
    weight: t.exposeFloat("weight"),
  }),
});

export const ItemRef = builder.loadableObjectRef<Item, string>("Item", {
  load: (ids: string[], ctx) => existing(ctx.store.curriculum.getItems(ids)),
  sort: (item: Item) => item.id,
});

ItemRef.implement({
  description: "A practice item. The answer key is never exposed here; the server grades responses.",
  fields: (t) => ({
    id: t.exposeID("id"),
    type: t.field({ type: ItemTypeEnum, resolve: (item) => item.type }),
    stem: t.field({ type: LocalizedTextRef, resolve: (item) => item.stem }),
    options: t.field({
      type: [ItemOptionRef],
      description: "The choices of a choice item; empty for numeric and short-answer items.",
      resolve: (item) => ("options" in item ? item.options : []),
    }),
    difficulty: t.exposeInt("difficulty", { description: "Authored band, 1 (easiest) to 5." }),
    knowledgePoints: t.field({ type: [ItemKnowledgePointRef], resolve: (item) => item.knowledgePoints }),
    templateId: t.exposeID("templateId", { nullable: true, description: "The item template this instance was generated from." }),
  }),
});
