/**
 * `submitAnswer`, the hot path: the server grades the response from the item's answer key, records
 * the attempt and updates BKT mastery in one transaction (LearningService, docs/learning.md), and
 * answers with the grade, the misconception a wrong answer indicates and the mastery change per
 * knowledge point. The idempotency key makes retries safe: the same key and payload return the
 * first result (`replayed: true`); the same key with another payload is a CONFLICT.
 */

import * as service from "../../services/errors.js";
import type { ItemResponse } from "../../services/grading.js";
import type { SubmitAnswerResult } from "../../services/learning-service.js";
import { answerForStudent, studentData } from "../auth/scopes.js";
import { builder } from "../builder.js";
import { fromServiceError, InvalidInputError } from "../errors.js";
import { MasteryChangeRef, type StudentMasteryChange } from "./learner.js";
import { MisconceptionRef } from "./misconception.js";
import { AttributionRef, attributionOf } from "./recommendations.js";

const AnswerResponseInput = builder.inputType("AnswerResponseInput", {
  description: "Exactly one of: `optionIds` (choice items), `value` (numeric items, as typed: 0.75, 3/4, 1 1/4), `text` (short answers).",
  fields: (t) => ({
    optionIds: t.idList({ required: false, description: "The chosen option ids (single choice: exactly one)." }),
    value: t.string({ required: false, description: "A number as the student typed it." }),
    text: t.string({ required: false, description: "A short answer." }),
  }),
});

const SubmitAnswerInput = builder.inputType("SubmitAnswerInput", {
  fields: (t) => ({
    studentId: t.id({ required: true }),
    itemId: t.id({ required: true }),
    response: t.field({ type: AnswerResponseInput, required: true }),
    idempotencyKey: t.string({
      required: true,
      description: "Chosen by the client, unique per student (e.g. a UUID per answer). Retry with the same key and payload.",
    }),
    responseTimeMs: t.int({ required: false, description: "How long the student took, in milliseconds." }),
    answeredAt: t.string({ required: false, description: "When the student answered (ISO 8601); default: when the server records it." }),
  }),
});

interface PayloadShape extends SubmitAnswerResult {
  studentId: string;
}

const SubmitAnswerPayloadRef = builder.objectRef<PayloadShape>("SubmitAnswerPayload").implement({
  description: "The graded, recorded answer.",
  authScopes: (payload) => answerForStudent(payload.studentId),
  fields: (t) => ({
    attemptId: t.exposeID("attemptId"),
    correct: t.exposeBoolean("correct", { description: "Graded by the server from the item's answer key." }),
    misconceptions: t.field({
      type: [MisconceptionRef],
      description: "When wrong: the misconceptions the chosen option or the known wrong value indicates (with their remedy).",
      resolve: (p) => p.misconceptionIds,
    }),
    mastery: t.field({
      type: [MasteryChangeRef],
      description: "Mastery before → after for every knowledge point the item assesses.",
      resolve: (p) => p.mastery.map((change): StudentMasteryChange => ({ studentId: p.studentId, ...change })),
    }),
    predictedCorrect: t.exposeFloat("predictedCorrect", { description: "P(correct) the model gave before the answer." }),
    sequence: t.exposeInt("sequence", { description: "The student's recorded order of this attempt." }),
    replayed: t.exposeBoolean("replayed", { description: "True when this is the stored result of an earlier request with the same key." }),
    attribution: t.field({
      type: AttributionRef,
      nullable: true,
      description:
        "Wrong answers: why (错题归因), with remedies — computed only when asked for. Null for a right answer. The same as the attempt's `attribution` later.",
      authScopes: (p) => studentData(p.studentId),
      resolve: async (p, _args, ctx) => {
        const [attempt] = await ctx.store.learners.getAttempts([p.attemptId]);
        return attempt ? attributionOf(attempt, ctx) : null;
      },
    }),
  }),
});

type ResponseArgs = { optionIds?: (string | number)[] | null; value?: string | null; text?: string | null };

/** The one response form given, as the service takes it; the field names the GraphQL input path. */
function itemResponse(response: ResponseArgs): ItemResponse {
  const given = (["optionIds", "value", "text"] as const).filter((key) => response[key] !== null && response[key] !== undefined);
  if (given.length !== 1) {
    throw new InvalidInputError(
      "input.response",
      given.length === 0
        ? "give one of optionIds (choice items), value (numeric items) or text (short answers)"
        : `give only one of optionIds, value and text, not ${given.join(" and ")}`,
    );
  }
  if (response.optionIds != null) return { kind: "options", optionIds: response.optionIds.map(String) };
  if (response.value != null) return { kind: "number", text: response.value };
  return { kind: "text", text: response.text as string };
}

/** The service's field names in terms of the GraphQL input (`response.text` of a numeric answer is `input.response.value`). */
function inputField(field: string, response: ItemResponse): string {
  if (field === "response.text" && response.kind === "number") return "input.response.value";
  if (field === "response")
    return `input.response.${response.kind === "options" ? "optionIds" : response.kind === "number" ? "value" : "text"}`;
  return `input.${field}`;
}

builder.mutationType({
  fields: (t) => ({
    submitAnswer: t.field({
      type: SubmitAnswerPayloadRef,
      description:
        "Grades and records a student's answer and updates their mastery. For the student themself (their own token, also when an app acts for them) or a teacher or admin of their school. Errors: NOT_FOUND (item, or your own unknown student id), INVALID_INPUT with `field`, CONFLICT (idempotency key reused with another payload).",
      authScopes: (_root, args) => answerForStudent(String(args.input.studentId)),
      args: { input: t.arg({ type: SubmitAnswerInput, required: true }) },
      resolve: async (_root, { input }, ctx) => {
        const response = itemResponse(input.response);
        let result: SubmitAnswerResult;
        try {
          result = await ctx.learning.submitAnswer({
            studentId: String(input.studentId),
            itemId: String(input.itemId),
            response,
            idempotencyKey: input.idempotencyKey,
            ...(input.responseTimeMs != null ? { responseTimeMs: input.responseTimeMs } : {}),
            ...(input.answeredAt != null ? { answeredAt: input.answeredAt } : {}),
          });
        } catch (error) {
          if (error instanceof service.InvalidInputError) throw new InvalidInputError(inputField(error.field, response), error.message);
          throw fromServiceError(error);
        }
        if (!result.replayed) ctx.onAnswerRecorded?.(result);
        return { ...result, studentId: String(input.studentId) };
      },
    }),
  }),
});
