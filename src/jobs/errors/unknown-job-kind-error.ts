import { PermanentJobError } from "./permanent-job-error.js";

/** No handler of this name is registered where the job runs (a worker of an older version): it fails without retries. */
export class UnknownJobKindError extends PermanentJobError {
  constructor(readonly kind: string) {
    super(`no handler for jobs of kind ${JSON.stringify(kind)} in this process`);
    this.name = "UnknownJobKindError";
  }
}
