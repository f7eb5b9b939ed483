/**
 * Limits on what one request may ask: GraphQL Armor (depth, cost, aliases, directives, tokens,
 * field suggestions), schema introspection, and the request body size. The numbers come from
 * the configuration (docs/configuration.md).
 */
import type { IncomingMessage } from "node:http";
import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { type GraphQLError, NoSchemaIntrospectionCustomRule } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { LimitsConfig } from "../config.js";

/** The `extensions.code` of each limit's error. */
export const LIMIT_CODES = {
  maxDepth: "DEPTH_LIMIT_EXCEEDED",
  costLimit: "COST_LIMIT_EXCEEDED",
  maxAliases: "ALIAS_LIMIT_EXCEEDED",
  maxDirectives: "DIRECTIVE_LIMIT_EXCEEDED",
  maxTokens: "TOKEN_LIMIT_EXCEEDED",
} as const;

/** Armor's errors carry no code: give each one, so clients can tell them apart. */
function tagWith(code: string) {
  return [
    (_context: unknown, error: GraphQLError) => {
      (error.extensions as Record<string, unknown>).code = code;
    },
  ];
}

/**
 * GraphQL Armor's yoga (envelop) plugin. Field suggestions ("Did you mean …?") are blocked when
 * introspection is off, since they would reveal the schema bit by bit.
 */
export function armorPlugin(limits: LimitsConfig, introspection: boolean): Plugin {
  return EnvelopArmorPlugin({
    maxDepth: { n: limits.maxDepth, onReject: tagWith(LIMIT_CODES.maxDepth) },
    costLimit: { maxCost: limits.maxCost, onReject: tagWith(LIMIT_CODES.costLimit) },
    maxAliases: { n: limits.maxAliases, onReject: tagWith(LIMIT_CODES.maxAliases) },
    maxDirectives: { n: limits.maxDirectives, onReject: tagWith(LIMIT_CODES.maxDirectives) },
    maxTokens: { n: limits.maxTokens, onReject: tagWith(LIMIT_CODES.maxTokens) },
    blockFieldSuggestion: { enabled: !introspection },
  }) as Plugin;
}

/** Refuses `__schema` and `__type` (not `__typename`) when introspection is disabled. */
export function disableIntrospectionPlugin(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The request body is larger than the limit of ${limit} bytes.`);
    this.name = "BodyTooLargeError";
  }
}

/**
 * Reads a request body, refusing it (BodyTooLargeError) as soon as it passes `limit` bytes:
 * at once from Content-Length when declared, else while streaming (chunked bodies).
 */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size);
}
