/** One attempt of a job, the same code in a worker process and in-process. */
import { UnknownJobKindError } from "./errors/unknown-job-kind-error.js";
import type { AnyJobDefinition, JobContext } from "./job-definition.js";
import { payloadToRun } from "./job-payload.js";
import type { JobProgress } from "./job-queue.js";

export async function runAttempt(
  definition: AnyJobDefinition | undefined,
  kind: string,
  payload: unknown,
  context: JobContext,
): Promise<unknown> {
  if (!definition) throw new UnknownJobKindError(kind);
  const checked = payloadToRun(definition.payload, payload);
  // What another process changed since (a curriculum imported, BKT parameters published) is seen by this attempt.
  await context.runtime.curriculum.refreshIfStale();
  await context.runtime.masteryModel.refreshIfStale();
  context.signal.throwIfAborted();
  return definition.run(checked, context);
}

/** A completed job's final progress: its definition's summary of the result, else the last progress reported. */
export function completionProgress(definition: AnyJobDefinition | undefined, result: unknown, last: JobProgress): JobProgress {
  const summary = result === null || result === undefined ? undefined : definition?.completion?.(result);
  return summary ?? { processed: last.processed, total: last.total, message: "completed" };
}
