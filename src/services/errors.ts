/**
 * Typed errors of the services. They carry no transport: the GraphQL layer maps each class to its
 * code (`NOT_FOUND`, `CONFLICT`, `INVALID_INPUT` with `field`), the CLI prints the message.
 */

/** An id names nothing: an unknown item, student or class. */
export class NotFoundError extends Error {
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${JSON.stringify(id)} does not exist`);
    this.name = "NotFoundError";
  }
}

/** The request contradicts what is stored, e.g. an idempotency key reused with a different payload. */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConflictError";
  }
}

/** An argument is wrong; `field` names it (e.g. `response.optionIds`). */
export class InvalidInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "InvalidInputError";
  }
}
