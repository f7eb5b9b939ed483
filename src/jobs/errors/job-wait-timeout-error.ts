import type { JobStatus } from "../job-queue.js";

/** A job did not finish in the time a caller was willing to wait; it goes on, and `status` says where it is. */
export class JobWaitTimeoutError extends Error {
  constructor(
    readonly status: JobStatus,
    readonly waitedMs: number,
  ) {
    super(`job ${JSON.stringify(status.jobId)} is still ${status.state} after ${waitedMs} ms`);
    this.name = "JobWaitTimeoutError";
  }
}
