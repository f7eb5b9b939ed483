import type { Item, ItemKnowledgePoint, ItemOption, WrongAnswer } from "../../curriculum/model.js";
import { ANSWER_KEY_READERS, CURRICULUM } from "../auth/scopes.js";
import { builder } from "../builder.js";
import { existing } from "../loaders.js";
import { KnowledgePointRef } from "./knowledge-point.js";
import { LocalizedTextRef } from "./localized-text.js";
import { MisconceptionRef } from "./misconception.js";

export const ItemTypeEnum = builder.enumType("ItemType", {
  values: {
    SINGLE_CHOICE: { value: "single_choice" },
    MULTIPLE_CHOICE: { value: "multiple_choice" },
    NUMERIC: { value: "numeric" },
    SHORT_ANSWER: { value: "short_answer" },
  } as const,
});

export const ItemOptionRef = builder.objectRef<ItemOption>("ItemOption").implement({
  authScopes: CURRICULUM,
  fields: (t) => ({
    id: t.exposeID("id"),
    text: t.field({ type: LocalizedTextRef, resolve: (option) => option.text }),
    misconception: t.field({
      type: MisconceptionRef,
      nullable: true,
      description: "The misconception choosing this (wrong) option indicates. Teachers, analysts and admins only.",
      authScopes: ANSWER_KEY_READERS,
      resolve: (option) => option.misconceptionId ?? null,
    }),
  }),
});

export const ItemWrongAnswerRef = builder.objectRef<WrongAnswer>("ItemWrongAnswer").implement({
  description: "A known wrong numeric answer and the misconception it indicates.",
  authScopes: ANSWER_KEY_READERS,
  fields: (t) => ({
    value: t.exposeFloat("value"),
    misconception: t.field({ type: MisconceptionRef, resolve: (wrong) => wrong.misconceptionId }),
  }),
});

/** The part of an item that grades it. Never shown to students or anonymous users. */
export const ItemAnswerKeyRef = builder.objectRef<Item>("ItemAnswerKey").implement({
  description: "How an item is graded. Teachers, analysts and admins only; students never see it.",
  authScopes: ANSWER_KEY_READERS,
  fields: (t) => ({
    correctOptionIds: t.idList({
      description: "Choice items: the correct option ids (one for single choice). Empty otherwise.",
      resolve: (item) => (item.type === "single_choice" ? [item.answer] : item.type === "multiple_choice" ? item.answer : []),
    }),
    value: t.float({
      nullable: true,
      description: "Numeric items: the correct value.",
      resolve: (item) => (item.type === "numeric" ? item.answer.value : null),
    }),
    tolerance: t.float({
      nullable: true,
      description: "Numeric items: how far from `value` still counts as correct.",
      resolve: (item) => (item.type === "numeric" ? item.answer.tolerance : null),
    }),
    accept: t.stringList({
      description: "Short-answer items: the accepted answers. Empty otherwise.",
      resolve: (item) => (item.type === "short_answer" ? item.answer.accept : []),
    }),
    wrongAnswers: t.field({
      type: [ItemWrongAnswerRef],
      description: "Numeric items: known wrong values tagged with a misconception.",
      resolve: (item) => (item.type === "numeric" ? item.wrongAnswers : []),
    }),
    explanation: t.field({
      type: LocalizedTextRef,
      nullable: true,
      description: "The worked solution.",
      resolve: (item) => item.explanation ?? null,
    }),
  }),
});

export const ItemKnowledgePointRef = builder.objectRef<ItemKnowledgePoint>("ItemKnowledgePoint").implement({
  description: "A knowledge point an item assesses, with its Q-matrix weight.",
  authScopes: CURRICULUM,
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
  description: "A practice item. The server grades responses; only staff may read the answer key.",
  authScopes: CURRICULUM,
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
    answerKey: t.field({
      type: ItemAnswerKeyRef,
      nullable: true,
      description: "How this item is graded. Teachers, analysts and admins only: FORBIDDEN for students, UNAUTHENTICATED without a token.",
      authScopes: ANSWER_KEY_READERS,
      resolve: (item) => item,
    }),
  }),
});
