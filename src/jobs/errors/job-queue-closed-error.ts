/** A job was queued after its queue was closed (the process is shutting down). */
export class JobQueueClosedError extends Error {
  constructor() {
    super("the job queue is closed: the process is shutting down");
    this.name = "JobQueueClosedError";
  }
}
