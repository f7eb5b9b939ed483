/**
 * A BullMQ Worker that runs the registered job definitions (what `pathwise worker` runs). Each
 * attempt reports its start and progress as job progress (forwarded to subscribers by the servers'
 * BullMqJobQueue); a PermanentJobError fails the job at once, any other error is retried with
 * the job's backoff. While the worker lives, BullMQ renews its lock on the job; when the process
 * dies, the lock expires and another worker's stalled check puts the job back in the queue.
 *
 * `stop` (SIGTERM) takes no new job and lets the running ones finish for the grace period; then it
 * aborts their signals and puts each job that stops back in the queue, its attempt not counted.
 */
import { UnrecoverableError, WaitingError, Worker } from "bullmq";
import type { Logger } from "../logger.js";
import type { PathwiseJob, QueuedJobData } from "./bullmq-job-queue.js";
import type { JobsConfig } from "./config.js";
import { PermanentJobError } from "./errors/permanent-job-error.js";
import type { JobContext, JobRuntime } from "./job-definition.js";
import { encodeFailure } from "./job-failure.js";
import type { JobHandlerRegistry } from "./job-handler-registry.js";
import type { JobProgress } from "./job-queue.js";
import { closeRedisClient, createRedisClient, type RedisClient } from "./redis-clients.js";
import { attemptMessage } from "./retry-policy.js";
import { runAttempt } from "./run-attempt.js";

export class JobWorker {
  private worker: Worker<QueuedJobData, unknown, string> | undefined;
  private client: RedisClient | undefined;
  /** Set by `stop`: a job taken from now on (a fetch already under way) goes back to the queue untouched. */
  private stopping = false;
  /** Set when the grace period is over: aborted jobs go back to the queue instead of failing. */
  private releasing = false;

  constructor(
    private readonly runtime: JobRuntime,
    private readonly handlers: JobHandlerRegistry,
    private readonly config: JobsConfig,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const { redisUrl } = this.config;
    if (!redisUrl) throw new Error("a job worker needs REDIS_URL");
    this.client = await createRedisClient(redisUrl, "blocking", this.logger, "pathwise-worker");
    const worker = new Worker<QueuedJobData, unknown, string>(
      this.config.queueName,
      (job, token, signal) => this.process(job, token, signal),
      {
        connection: this.client,
        prefix: this.config.prefix,
        concurrency: this.config.concurrency,
        lockDuration: this.config.lockDurationMs,
        stalledInterval: this.config.stalledIntervalMs,
        maxStalledCount: this.config.maxStalledCount,
      },
    );
    this.worker = worker;
    worker.on("error", (error) => this.logger.debug({ err: error }, "job worker error"));
    worker.on("completed", (job) => this.logger.info({ jobId: job.id, kind: job.name }, "job completed"));
    worker.on("failed", (job, error) =>
      this.logger.warn({ jobId: job?.id, kind: job?.name, attemptsMade: job?.attemptsMade, err: error }, "job attempt failed"),
    );
    await worker.waitUntilReady();
  }

  async stop(graceMs = this.config.shutdownGraceMs): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    this.stopping = true;
    const release = setTimeout(() => {
      this.releasing = true;
      worker.cancelAllJobs("the worker is shutting down");
    }, graceMs);
    try {
      await worker.close();
    } finally {
      clearTimeout(release);
      if (this.client) await closeRedisClient(this.client);
    }
  }

  private async process(job: PathwiseJob, token: string | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    if (this.stopping) return this.release(job, token);
    const { data } = job;
    const maxAttempts = job.opts.attempts ?? 1;
    // Progress is written in order, and all of it before the job completes or fails.
    let written: Promise<unknown> = Promise.resolve();
    const write = (progress: JobProgress) => {
      written = written
        .then(() => job.updateProgress({ ...progress }))
        .catch((error: unknown) => this.logger.warn({ err: error, jobId: job.id }, "could not write job progress"));
    };
    write({ processed: 0, total: 0, message: attemptMessage(job.attemptsMade + 1, maxAttempts) });
    const context: JobContext = {
      jobId: data.jobId,
      schoolId: data.schoolId,
      requestedBy: data.requestedBy,
      attempt: job.attemptsMade + 1,
      runtime: this.runtime,
      config: this.config,
      signal: signal ?? new AbortController().signal,
      reportProgress: (processed, total, message) => write({ processed, total, ...(message !== undefined ? { message } : {}) }),
    };
    try {
      const result = await runAttempt(this.handlers.get(job.name), job.name, data.payload, context);
      await written;
      return result;
    } catch (error) {
      await written;
      if (this.releasing && signal?.aborted) return this.release(job, token);
      if (error instanceof PermanentJobError) {
        throw new UnrecoverableError(
          encodeFailure({ message: error.message, ...(error.result !== undefined ? { result: error.result } : {}) }),
        );
      }
      throw error;
    }
  }

  /** Puts a job this worker holds back in the queue, its attempt not counted (BullMQ's manual-retry pattern). */
  private async release(job: PathwiseJob, token: string | undefined): Promise<never> {
    await job.moveToWait(token);
    this.logger.info({ jobId: job.id, kind: job.name }, "job released to the queue: the worker is shutting down");
    throw new WaitingError();
  }
}
