/**
 * Jobs without Redis: the same definitions run in this process, with BullMQ's semantics — at most
 * `concurrency` at a time in queue order, failed attempts retried with exponential backoff up to
 * `attempts`, PermanentJobError failing at once, progress on the process's event bus. Recent jobs
 * are kept in memory (`keepCompleted` completed and `keepFailed` failed ones, without their
 * payloads); jobs do not outlive the process.
 */
import type { JobProgressEvent, JobState } from "../services/learning-events.js";
import type { JobsConfig } from "./config.js";
import { JobIdTakenError } from "./errors/job-id-taken-error.js";
import { JobQueueClosedError } from "./errors/job-queue-closed-error.js";
import { PermanentJobError } from "./errors/permanent-job-error.js";
import type { AnyJobDefinition, JobContext, JobDefinition, JobRuntime } from "./job-definition.js";
import type { JobHandlerRegistry } from "./job-handler-registry.js";
import { checkedJobId, queueJobId } from "./job-ids.js";
import { payloadToQueue } from "./job-payload.js";
import type { JobQueue, JobRequest, JobStatus } from "./job-queue.js";
import { attemptMessage, retryDelayMs, retryMessage } from "./retry-policy.js";
import { completionProgress, runAttempt } from "./run-attempt.js";
import { waitUntilFinished } from "./wait-for-job.js";

interface Entry {
  status: JobStatus;
  /** Dropped once the job has finished: a kept job keeps its result, not its input. */
  payload?: unknown;
  /** The running attempt's. */
  controller?: AbortController;
  /** A retry waiting for its backoff. */
  retryTimer?: NodeJS.Timeout;
}

const snapshot = (status: JobStatus): JobStatus => ({ ...status, progress: { ...status.progress } });

export class InProcessJobQueue implements JobQueue {
  readonly kind = "in-process";
  /** By queue id (school and job id), oldest first. */
  private readonly jobs = new Map<string, Entry>();
  private readonly ready: Entry[] = [];
  /** Finished jobs, oldest first, for eviction. */
  private readonly finished: Record<"COMPLETED" | "FAILED", string[]> = { COMPLETED: [], FAILED: [] };
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly runtime: JobRuntime,
    private readonly handlers: JobHandlerRegistry,
    private readonly config: JobsConfig,
  ) {}

  async enqueue<P, R, I>(definition: JobDefinition<P, R, I>, request: JobRequest<I>): Promise<JobStatus> {
    if (this.closed) throw new JobQueueClosedError();
    const jobId = checkedJobId(request.jobId);
    const key = queueJobId(request.schoolId, jobId);
    if (this.jobs.has(key)) throw new JobIdTakenError(jobId);
    const payload = payloadToQueue(definition.payload, request.payload);
    const entry: Entry = {
      status: {
        jobId,
        schoolId: request.schoolId,
        kind: definition.name,
        requestedBy: request.requestedBy,
        state: "QUEUED",
        progress: { processed: 0, total: 0, message: "queued" },
        attemptsMade: 0,
        maxAttempts: this.config.attempts,
        createdAt: new Date(),
      },
      payload,
    };
    this.jobs.set(key, entry);
    this.publish(entry);
    this.ready.push(entry);
    // Started on the next turn, so that the caller has the QUEUED status before any progress.
    setImmediate(() => this.startReady());
    return snapshot(entry.status);
  }

  async status(schoolId: string, jobId: string): Promise<JobStatus | undefined> {
    const entry = this.jobs.get(queueJobId(schoolId, jobId));
    return entry ? snapshot(entry.status) : undefined;
  }

  waitUntilFinished(schoolId: string, jobId: string, timeoutMs = this.config.waitMs): Promise<JobStatus> {
    return waitUntilFinished(this, schoolId, jobId, timeoutMs);
  }

  subscribe(schoolId: string, jobId: string): AsyncIterableIterator<JobProgressEvent> {
    return this.runtime.events.subscribeJobProgress(schoolId, jobId);
  }

  /**
   * Queued and backing-off jobs fail ("the process stopped"); running ones get `shutdownGraceMs`
   * to finish, then their signal is aborted.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const entry of this.jobs.values()) {
      if (entry.status.state !== "QUEUED") continue;
      clearTimeout(entry.retryTimer);
      this.finish(entry, "FAILED", { error: "the process stopped before the job ran" });
    }
    this.ready.length = 0;
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), this.config.shutdownGraceMs);
    });
    const settled = Promise.allSettled(this.running).then(() => false);
    const timedOut = await Promise.race([settled, graceOver]);
    clearTimeout(timer);
    if (timedOut) {
      for (const entry of this.jobs.values()) entry.controller?.abort(new Error("the process is shutting down"));
    }
  }

  private startReady(): void {
    while (!this.closed && this.running.size < this.config.concurrency) {
      const entry = this.ready.shift();
      if (!entry) return;
      const attempt = this.runAttempt(entry).finally(() => {
        this.running.delete(attempt);
        this.startReady();
      });
      this.running.add(attempt);
    }
  }

  private async runAttempt(entry: Entry): Promise<void> {
    const { status } = entry;
    const controller = new AbortController();
    entry.controller = controller;
    status.state = "RUNNING";
    status.startedAt = new Date();
    const attempt = status.attemptsMade + 1;
    status.progress = { processed: 0, total: 0, message: attemptMessage(attempt, status.maxAttempts) };
    this.publish(entry);
    const definition: AnyJobDefinition | undefined = this.handlers.get(status.kind);
    const context: JobContext = {
      jobId: status.jobId,
      schoolId: status.schoolId,
      requestedBy: status.requestedBy,
      attempt,
      runtime: this.runtime,
      config: this.config,
      signal: controller.signal,
      reportProgress: (processed, total, message) => {
        if (entry.controller !== controller || status.state !== "RUNNING") return;
        status.progress = { processed, total, ...(message !== undefined ? { message } : {}) };
        this.publish(entry);
      },
    };
    try {
      const result = await runAttempt(definition, status.kind, entry.payload, context);
      status.attemptsMade++;
      this.finish(entry, "COMPLETED", { result, progress: completionProgress(definition, result, status.progress) });
    } catch (error) {
      this.failAttempt(entry, error);
    } finally {
      entry.controller = undefined;
    }
  }

  private failAttempt(entry: Entry, error: unknown): void {
    const { status } = entry;
    status.attemptsMade++;
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof PermanentJobError) {
      this.finish(entry, "FAILED", { error: reason, ...(error.result !== undefined ? { result: error.result } : {}) });
      return;
    }
    if (status.attemptsMade >= status.maxAttempts || this.closed) {
      this.finish(entry, "FAILED", { error: reason });
      return;
    }
    const delay = retryDelayMs(this.config, status.attemptsMade);
    status.state = "QUEUED";
    status.progress = { ...status.progress, message: retryMessage(status.attemptsMade, status.maxAttempts, reason, delay) };
    this.publish(entry);
    entry.retryTimer = setTimeout(() => {
      entry.retryTimer = undefined;
      this.ready.push(entry);
      this.startReady();
    }, delay);
  }

  private finish(
    entry: Entry,
    state: Extract<JobState, "COMPLETED" | "FAILED">,
    outcome: { result?: unknown; error?: string; progress?: JobStatus["progress"] },
  ): void {
    const { status } = entry;
    status.state = state;
    status.finishedAt = new Date();
    if (outcome.result !== undefined) status.result = outcome.result;
    if (outcome.error !== undefined) status.error = outcome.error;
    status.progress = outcome.progress ?? { ...status.progress, message: outcome.error ?? status.progress.message };
    entry.payload = undefined;
    this.publish(entry);
    this.retain(queueJobId(status.schoolId, status.jobId), state);
  }

  /** Keeps the most recent finished jobs of each outcome; older ones are forgotten. */
  private retain(key: string, state: "COMPLETED" | "FAILED"): void {
    const order = this.finished[state];
    order.push(key);
    const keep = state === "COMPLETED" ? this.config.keepCompleted : this.config.keepFailed;
    while (order.length > keep) {
      const oldest = order.shift();
      if (oldest !== undefined) this.jobs.delete(oldest);
    }
  }

  private publish(entry: Entry): void {
    const { status } = entry;
    this.runtime.events.publishJobProgress({
      jobId: status.jobId,
      schoolId: status.schoolId,
      state: status.state,
      processed: status.progress.processed,
      total: status.progress.total,
      ...(status.progress.message !== undefined ? { message: status.progress.message } : {}),
    });
  }
}
