/**
 * The API's typed errors. Each is a GraphQLError whose `extensions.code` a client can switch on:
 *
 * | code                    | meaning                                                         |
 * | ----------------------- | --------------------------------------------------------------- |
 * | `UNAUTHENTICATED`       | no valid bearer token (HTTP 401 when the whole request needs one) |
 * | `FORBIDDEN`             | authenticated, but this role/school may not see or do this      |
 * | `NOT_FOUND`             | an id names nothing (by-id queries return null instead)         |
 * | `INVALID_INPUT`         | an argument is wrong; `extensions.field` names it               |
 * | `CONFLICT`              | e.g. an idempotency key reused with a different payload         |
 * | `JOB_PENDING`           | a job the request waited for has not finished yet; it goes on   |
 * | `INTERNAL_SERVER_ERROR` | anything unexpected; masked, with `extensions.requestId`         |
 *
 * Resolvers throw these; anything else they throw is masked (src/server/http-server.ts) so that
 * no internal message or stack trace reaches a client.
 */
import { GraphQLError } from "graphql";
import * as service from "../services/errors.js";
import { InvalidResponseError } from "../services/grading.js";

export const ERROR_CODES = [
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "INVALID_INPUT",
  "CONFLICT",
  "JOB_PENDING",
  "INTERNAL_SERVER_ERROR",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** What a client sees in `errors[].extensions` (plus `http`, which yoga strips from the body). */
export interface ErrorExtensions {
  code: ErrorCode;
  field?: string;
  requestId?: string;
  [key: string]: unknown;
}

export class PathwiseError extends GraphQLError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, extensions: Omit<ErrorExtensions, "code"> = {}) {
    super(message, { extensions: { code, ...extensions } });
    this.name = "PathwiseError";
    this.code = code;
  }
}

export class UnauthenticatedError extends PathwiseError {
  /**
   * @param status401 set when the whole request is refused (no or invalid token): the response
   *   is then HTTP 401 with a `WWW-Authenticate` header, as RFC 6750 asks.
   */
  constructor(message = "Authentication required: send an Authorization: Bearer <token> header.", status401 = false) {
    const challenge = status401 ? `Bearer realm="pathwise", error="invalid_token"` : undefined;
    super("UNAUTHENTICATED", message, challenge ? { http: { status: 401, headers: { "WWW-Authenticate": challenge } } } : {});
    this.name = "UnauthenticatedError";
  }
}

export class ForbiddenError extends PathwiseError {
  constructor(message = "Not allowed for this user.") {
    super("FORBIDDEN", message);
    this.name = "ForbiddenError";
  }
}

export class NotFoundError extends PathwiseError {
  constructor(entity: string, id: string) {
    super("NOT_FOUND", `${entity} "${id}" does not exist.`);
    this.name = "NotFoundError";
  }
}

export class InvalidInputError extends PathwiseError {
  /** @param field the argument or input path at fault, e.g. `input.optionIds` */
  constructor(field: string, message: string) {
    super("INVALID_INPUT", message, { field });
    this.name = "InvalidInputError";
  }
}

export class ConflictError extends PathwiseError {
  constructor(message: string) {
    super("CONFLICT", message);
    this.name = "ConflictError";
  }
}

/**
 * The typed API error for a service error (NotFoundError → NOT_FOUND, ConflictError → CONFLICT,
 * InvalidInputError / InvalidResponseError → INVALID_INPUT with `field`, prefixed with the
 * argument's path, e.g. `input.response.optionIds`); anything else is returned as is (and masked).
 */
export function fromServiceError(error: unknown, fieldPrefix = ""): unknown {
  if (error instanceof service.NotFoundError) return new NotFoundError(error.entity, error.id);
  if (error instanceof service.ConflictError) return new ConflictError(error.message);
  if (error instanceof service.InvalidInputError || error instanceof InvalidResponseError) {
    return new InvalidInputError(`${fieldPrefix}${error.field}`, error.message);
  }
  return error;
}

/** Runs a service call, rethrowing its typed errors as API errors (see `fromServiceError`). */
export async function serviceCall<T>(call: () => Promise<T>, fieldPrefix = ""): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw fromServiceError(error, fieldPrefix);
  }
}
