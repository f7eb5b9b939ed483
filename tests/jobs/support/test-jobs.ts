/**
 * Job kinds for the queue tests, registered beside the real ones: each exercises one behaviour of
 * the queues (progress, retries, permanent failure, a job that holds its worker).
 */
import { existsSync } from "node:fs";
import { z } from "zod";
import { PermanentJobError } from "../../../src/jobs/errors/permanent-job-error.js";
import { defaultJobHandlers } from "../../../src/jobs/handlers/index.js";
import type { JobDefinition } from "../../../src/jobs/job-definition.js";
import type { JobHandlerRegistry } from "../../../src/jobs/job-handler-registry.js";

/**
 * Set in a worker's environment to a file path: `test.hold` holds its worker until that file exists
 * or the job is aborted (or the process killed). Where unset, it completes at once.
 */
export const HOLD_ENV = "PATHWISE_TEST_HOLD";

const Steps = z.object({ steps: z.number().int().min(1) });
/** Reports each of `steps` steps, then completes. */
export const progressJob: JobDefinition<z.infer<typeof Steps>, { steps: number }> = {
  name: "test.progress",
  payload: Steps,
  async run({ steps }, context) {
    for (let step = 1; step <= steps; step++) context.reportProgress(step, steps, `step ${step}`);
    return { steps };
  },
  completion: (result) => ({ processed: result.steps, total: result.steps, message: `did ${result.steps} step(s)` }),
};

const Failures = z.object({ failures: z.number().int().min(0) });
/** Fails its first `failures` attempts, then succeeds. */
export const flakyJob: JobDefinition<z.infer<typeof Failures>, { attempt: number }> = {
  name: "test.flaky",
  payload: Failures,
  async run({ failures }, context) {
    if (context.attempt <= failures) throw new Error(`planned failure ${context.attempt}`);
    return { attempt: context.attempt };
  },
};

const Empty = z.object({}).strict();
/** Fails on its input: no retry, the result kept with the error. */
export const rejectJob: JobDefinition<z.infer<typeof Empty>, never> = {
  name: "test.reject",
  payload: Empty,
  async run() {
    throw new PermanentJobError("the input is wrong", { line: 3 });
  },
};

/** Reports "holding", holds while HOLD_ENV names a file that does not exist yet, then completes. */
export const holdJob: JobDefinition<z.infer<typeof Empty>, { attempt: number }> = {
  name: "test.hold",
  payload: Empty,
  async run(_payload, context) {
    context.reportProgress(1, 2, "holding");
    const releaseFile = process.env[HOLD_ENV];
    while (releaseFile && !existsSync(releaseFile)) {
      context.signal.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { attempt: context.attempt };
  },
};

export function testJobHandlers(): JobHandlerRegistry {
  return defaultJobHandlers().register(progressJob).register(flakyJob).register(rejectJob).register(holdJob);
}
