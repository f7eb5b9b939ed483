/**
 * Every field of the API has an explicit authorization decision: the built schema is walked and
 * any field without scope-auth metadata fails the test, naming it. New types and operations are
 * covered the moment they are added.
 */
import SchemaBuilder from "@pothos/core";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import type { GraphQLObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { fieldAuthScopes, findUnscopedFields, typeAuthScopes } from "../../src/schema/auth/coverage.js";
import { ANSWER_KEY_READERS, AUTHENTICATED, CURRICULUM } from "../../src/schema/auth/scopes.js";
import { schema } from "../../src/schema/index.js";

function objectType(name: string): GraphQLObjectType {
  const type = schema.getType(name);
  // Not instanceof: the schema may come from the other build of graphql (ESM vs CommonJS).
  if (Object.prototype.toString.call(type) !== "[object GraphQLObjectType]") throw new Error(`${name} is not an object type`);
  return type as GraphQLObjectType;
}

function field(typeName: string, fieldName: string) {
  const found = objectType(typeName).getFields()[fieldName];
  if (!found) throw new Error(`${typeName}.${fieldName} does not exist`);
  return found;
}

describe("authorization coverage of the schema", () => {
  it("leaves no root field and no field of any object type without authScopes", () => {
    expect(findUnscopedFields(schema)).toEqual([]);
  });

  it("checks every root field (Query, Mutation, Subscription) on the field itself", () => {
    const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((t) => t != null);
    expect(roots.length).toBeGreaterThan(0);
    for (const root of roots) {
      for (const rootField of Object.values(root.getFields())) {
        expect(fieldAuthScopes(rootField), `${root.name}.${rootField.name}`).toBeDefined();
      }
    }
  });

  it("keeps the curriculum public and the answer key for staff", () => {
    for (const name of ["Subject", "Unit", "KnowledgePoint", "Item", "ItemOption", "Misconception", "Resource", "LocalizedText"]) {
      expect(typeAuthScopes(objectType(name)), name).toEqual(CURRICULUM);
    }
    expect(fieldAuthScopes(field("Query", "knowledgePoints"))).toEqual(CURRICULUM);
    expect(fieldAuthScopes(field("Item", "answerKey"))).toEqual(ANSWER_KEY_READERS);
    expect(fieldAuthScopes(field("ItemOption", "misconception"))).toEqual(ANSWER_KEY_READERS);
    expect(typeAuthScopes(objectType("ItemAnswerKey"))).toEqual(ANSWER_KEY_READERS);
    expect(typeAuthScopes(objectType("ItemWrongAnswer"))).toEqual(ANSWER_KEY_READERS);
    for (const scopes of [ANSWER_KEY_READERS]) expect(JSON.stringify(scopes)).not.toContain("student");
  });

  it("scopes every learner-side type by its own student, class or school, never as public curriculum", () => {
    const learnerTypes = [
      "School",
      "Teacher",
      "Student",
      "Class",
      "Attempt",
      "AttemptResponse",
      "KnowledgePointMastery",
      "MasteryChange",
      "ClassMasteryMatrix",
      "ClassMasteryRow",
      "ClassMasterySummary",
      "KnowledgePointMasterySummary",
      "SubmitAnswerPayload",
      "MasteryChangedEvent",
      "JobProgress",
      "AttemptImportPayload",
      "AttemptImportProblem",
    ];
    for (const name of learnerTypes) {
      // A function of the object: the check runs with that object's student, class or school.
      expect(typeof typeAuthScopes(objectType(name)), name).toBe("function");
    }
    expect(typeAuthScopes(objectType("Viewer"))).toEqual(AUTHENTICATED);
    expect(typeof fieldAuthScopes(field("Student", "displayName"))).toBe("function");
    for (const name of ["students", "teachers", "masteryMatrix"])
      expect(typeof fieldAuthScopes(field("Class", name)), name).toBe("function");
    expect(typeof fieldAuthScopes(field("Mutation", "submitAnswer"))).toBe("function");
  });

  it("authorizes subscriptions like the reads they mirror, and the attempt import for admins only", () => {
    const subscriptions = schema.getSubscriptionType();
    expect(subscriptions?.name).toBe("Subscription");
    // masteryChanged(studentId): checked with that student, as student(id)'s data is.
    expect(typeof fieldAuthScopes(field("Subscription", "masteryChanged"))).toBe("function");
    expect(fieldAuthScopes(field("Subscription", "jobProgress"))).toEqual({ admin: true });
    // Analysts see de-identified aggregates only: no import (it names students and writes their mastery).
    expect(fieldAuthScopes(field("Mutation", "importAttempts"))).toEqual({ admin: true });
  });

  it("names each forgotten field: a root field, a field of an unscoped type, a skipTypeScopes field", () => {
    type Types = { AuthScopes: { staff: boolean }; Context: object };
    const builder = new SchemaBuilder<Types>({ plugins: [ScopeAuthPlugin], scopeAuth: { authScopes: () => ({ staff: true }) } });
    const Scoped = builder.objectRef<{ id: string }>("Scoped").implement({
      authScopes: { staff: true },
      fields: (t) => ({
        id: t.exposeID("id"),
        leak: t.string({ skipTypeScopes: true, resolve: () => "x" }),
        fine: t.string({ skipTypeScopes: true, authScopes: { staff: true }, resolve: () => "x" }),
      }),
    });
    const Unscoped = builder.objectRef<{ id: string }>("Unscoped").implement({
      fields: (t) => ({ id: t.exposeID("id"), guarded: t.exposeID("id", { authScopes: { staff: true } }) }),
    });
    builder.queryType({
      fields: (t) => ({
        open: t.field({ type: Unscoped, resolve: () => ({ id: "1" }) }),
        closed: t.field({ type: Scoped, authScopes: { staff: true }, resolve: () => ({ id: "1" }) }),
      }),
    });
    const missing = findUnscopedFields(builder.toSchema()).map((m) => `${m.type}.${m.field}`);
    expect(missing.sort()).toEqual(["Query.open", "Scoped.leak", "Unscoped.id"]);
  });
});
