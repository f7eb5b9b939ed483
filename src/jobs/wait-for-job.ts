/**
 * Waiting for a job to finish, for either queue: the process's event bus hears every job's
 * terminal event (in-process, or forwarded from BullMQ's QueueEvents), so the wait subscribes
 * first, then reads the status, and never misses an outcome that lands in between.
 */
import { NotFoundError } from "../services/errors.js";
import { isTerminal } from "../services/learning-events.js";
import { JobWaitTimeoutError } from "./errors/job-wait-timeout-error.js";
import type { JobQueue, JobStatus } from "./job-queue.js";

export async function waitUntilFinished(
  queue: Pick<JobQueue, "status" | "subscribe">,
  schoolId: string,
  jobId: string,
  timeoutMs: number,
): Promise<JobStatus> {
  const events = queue.subscribe(schoolId, jobId);
  let timer: NodeJS.Timeout | undefined;
  try {
    const current = await queue.status(schoolId, jobId);
    if (!current) throw new NotFoundError("job", jobId);
    if (isTerminal(current.state)) return current;
    const finished = (async () => {
      for await (const event of events) if (isTerminal(event.state)) return;
    })();
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([finished, timedOut]);
    const latest = await queue.status(schoolId, jobId);
    if (!latest) throw new NotFoundError("job", jobId);
    if (!isTerminal(latest.state)) throw new JobWaitTimeoutError(latest, timeoutMs);
    return latest;
  } finally {
    clearTimeout(timer);
    await events.return?.();
  }
}
