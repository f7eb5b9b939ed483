/** Assembles the GraphQL schema: importing each domain file registers its types on the builder. */
import { lexicographicSortSchema, printSchema } from "graphql";
import { builder } from "./builder.js";
import "./types/localized-text.js";
import "./types/subject.js";
import "./types/unit.js";
import "./types/knowledge-point.js";
import "./types/misconception.js";
import "./types/item.js";
import "./types/curriculum-queries.js";
import "./types/learner.js";
import "./types/learner-queries.js";
import "./types/submit-answer.js";
import "./types/subscriptions.js";
import "./types/attempt-import.js";
import "./types/job.js";
import "./types/recommendations.js";
import "./types/lesson-plan.js";

export const schema = builder.toSchema();

/** The SDL committed as schema.graphql, so API changes show in review. */
export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
