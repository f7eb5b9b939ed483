/** The queue's Redis cannot be reached: nothing was queued or read. Callers fail fast instead of waiting for a reconnection. */
export class JobQueueUnavailableError extends Error {
  constructor(detail: string) {
    super(`the job queue is unavailable (Redis is not connected: ${detail})`);
    this.name = "JobQueueUnavailableError";
  }
}
