/**
 * Finds fields without an explicit authorization decision, so that none can be forgotten
 * (tests/schema/auth-coverage.test.ts runs it on the built schema).
 *
 * Pothos keeps each field's and type's options in `extensions.pothosOptions`; scope-auth reads
 * `authScopes` from there. The rules:
 *
 * - every field of Query, Mutation and Subscription has its own `authScopes`;
 * - every other object type either has a type-level `authScopes` (checked once per object, and
 *   binding on all its fields unless a field sets `skipTypeScopes`), or each of its fields has
 *   field-level `authScopes`;
 * - Relay's plumbing needs none: `PageInfo`, and the `edges`/`pageInfo` of a connection and the
 *   `node`/`cursor` of an edge (their values come only from a field that was authorized, and the
 *   node's own type is checked). Any other field of a connection (e.g. `totalCount`) needs one.
 */
import type { GraphQLField, GraphQLNamedType, GraphQLObjectType, GraphQLSchema } from "graphql";

export interface UnscopedField {
  type: string;
  field: string;
  reason: string;
}

interface PothosExtensions {
  pothosOptions?: { authScopes?: unknown; skipTypeScopes?: boolean };
}

function options(holder: { extensions?: unknown }): PothosExtensions["pothosOptions"] {
  return (holder.extensions as PothosExtensions | undefined)?.pothosOptions;
}

/** The `authScopes` Pothos recorded for a type, or undefined. */
export function typeAuthScopes(type: GraphQLNamedType): unknown {
  return options(type)?.authScopes;
}

/** The `authScopes` Pothos recorded for a field, or undefined. */
export function fieldAuthScopes(field: GraphQLField<unknown, unknown>): unknown {
  return options(field)?.authScopes;
}

/*
 * Kinds are told by Symbol.toStringTag, not instanceof: under a test runner the schema may come
 * from another copy of graphql (its ESM and CommonJS builds), and a walker that silently skipped
 * every type would pass vacuously.
 */
function isObjectType(type: GraphQLNamedType): type is GraphQLObjectType {
  return Object.prototype.toString.call(type) === "[object GraphQLObjectType]";
}

function isNamed(type: GraphQLField<unknown, unknown>["type"], name: string): boolean {
  let unwrapped: unknown = type;
  while (unwrapped && typeof unwrapped === "object" && "ofType" in unwrapped) unwrapped = (unwrapped as { ofType: unknown }).ofType;
  return (unwrapped as { name?: string }).name === name;
}

/** Relay plumbing: which of a type's fields carry no data of their own. */
function relayPlumbing(type: GraphQLObjectType): Set<string> {
  if (type.name === "PageInfo") return new Set(Object.keys(type.getFields()));
  const fields = type.getFields();
  const pageInfo = fields.pageInfo;
  if (fields.edges && pageInfo && isNamed(pageInfo.type, "PageInfo")) return new Set(["edges", "pageInfo"]);
  if (fields.node && fields.cursor) return new Set(["node", "cursor"]);
  return new Set();
}

/** Every field without a decision; empty when all are covered. Throws if the schema has no object types. */
export function findUnscopedFields(schema: GraphQLSchema): UnscopedField[] {
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((t) => t != null));
  const missing: UnscopedField[] = [];
  const types = Object.values(schema.getTypeMap());
  if (!types.some((type) => isObjectType(type) && !type.name.startsWith("__") && !roots.has(type))) {
    throw new Error("findUnscopedFields: no object types found; is this a GraphQL schema?");
  }
  for (const type of types) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    const isRoot = roots.has(type);
    const typeScoped = !isRoot && typeAuthScopes(type) !== undefined;
    const plumbing = isRoot ? new Set<string>() : relayPlumbing(type);
    for (const field of Object.values(type.getFields())) {
      if (fieldAuthScopes(field) !== undefined || plumbing.has(field.name)) continue;
      if (isRoot) {
        missing.push({ type: type.name, field: field.name, reason: "root fields need their own authScopes" });
      } else if (!typeScoped) {
        missing.push({ type: type.name, field: field.name, reason: "neither the type nor the field has authScopes" });
      } else if (options(field)?.skipTypeScopes) {
        missing.push({ type: type.name, field: field.name, reason: "skipTypeScopes without authScopes of its own" });
      }
    }
  }
  return missing;
}
