import { InvalidInputError } from "../../services/errors.js";

/** A job id or payload that cannot be queued; `field` names it (`jobId`, or the payload's field). The API answers INVALID_INPUT. */
export class InvalidJobError extends InvalidInputError {
  constructor(field: string, message: string) {
    super(field, message);
    this.name = "InvalidJobError";
  }
}
