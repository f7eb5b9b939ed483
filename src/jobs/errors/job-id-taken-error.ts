import { ConflictError } from "../../services/errors.js";

/** The school already has a job of this id (queued, running or kept after it finished). The API answers CONFLICT. */
export class JobIdTakenError extends ConflictError {
  constructor(readonly jobId: string) {
    super(`job ${JSON.stringify(jobId)} already exists in your school`);
    this.name = "JobIdTakenError";
  }
}
