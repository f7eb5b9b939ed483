/**
 * A kind of job: its name, the shape of its payload, and the handler that does the work. The same
 * definition runs in a `pathwise worker` process (BullMQ) and in-process; registering one is a line
 * in src/jobs/handlers/index.ts.
 */
import type { z } from "zod";
import type { Runtime } from "../services/runtime.js";
import type { JobsConfig } from "./config.js";
import type { JobProgress } from "./job-queue.js";

/** What a handler may use: the services of the process running it (a worker's own, or the server's). */
export type JobRuntime = Omit<Runtime, "jobs" | "close" | "demo">;

export interface JobContext {
  readonly jobId: string;
  readonly schoolId: string;
  /** The token subject of whoever queued the job. */
  readonly requestedBy: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
  readonly runtime: JobRuntime;
  readonly config: JobsConfig;
  /** Aborted when the job must stop (its process is shutting down): check it between steps. */
  readonly signal: AbortSignal;
  /** Publishes RUNNING progress; `processed` of `total` units of work. */
  reportProgress(processed: number, total: number, message?: string): void;
}

/**
 * Method signatures (not function-typed properties) so that a definition of a specific payload can
 * sit in a registry of any payload. Results must be plain JSON: BullMQ stores them in Redis.
 */
export interface JobDefinition<P, R, I = P> {
  readonly name: string;
  /** Checked when the job is queued and again when it runs (a worker may be of another version); `I` is what callers give (defaults unfilled). */
  readonly payload: z.ZodType<P, I>;
  run(payload: P, context: JobContext): Promise<R>;
  /** A completed job's final progress (default: its last reported progress). */
  completion?(result: R): JobProgress;
}

/** A definition of whatever payload and result, as registries and queues hold them. */
export type AnyJobDefinition = JobDefinition<unknown, unknown, unknown>;
