/**
 * Thrown by a handler when another attempt cannot succeed (the input is wrong, not the moment): the
 * job fails at once, without retries, and keeps `result` (e.g. the line errors of an import) with
 * its error.
 */
export class PermanentJobError extends Error {
  constructor(
    message: string,
    readonly result?: unknown,
  ) {
    super(message);
    this.name = "PermanentJobError";
  }
}
