/**
 * Jobs on BullMQ (REDIS_URL set): a Queue to add and read jobs, and a QueueEvents listener that
 * forwards every job's progress, retry, completion and failure to this process's event bus, so that
 * `jobProgress` subscribers of this server hear jobs that `pathwise worker` processes run.
 *
 * Jobs carry their school, requester and payload in their data, and their retry policy (attempts,
 * exponential backoff) and retention (completed and failed jobs kept, by count) in their options.
 */
import { randomUUID } from "node:crypto";
import { type Job, Queue, QueueEvents } from "bullmq";
import type { Logger } from "../logger.js";
import type { JobProgressEvent, JobState } from "../services/learning-events.js";
import type { JobsConfig } from "./config.js";
import { JobIdTakenError } from "./errors/job-id-taken-error.js";
import { JobQueueUnavailableError } from "./errors/job-queue-unavailable-error.js";
import type { JobDefinition, JobRuntime } from "./job-definition.js";
import { decodeFailure } from "./job-failure.js";
import type { JobHandlerRegistry } from "./job-handler-registry.js";
import { checkedJobId, parseQueueJobId, queueJobId } from "./job-ids.js";
import { payloadToQueue } from "./job-payload.js";
import type { JobProgress, JobQueue, JobRequest, JobStatus } from "./job-queue.js";
import { closeRedisClient, createRedisClient, type RedisClient, readyWithin, whenReady } from "./redis-clients.js";
import { retryDelayMs, retryMessage } from "./retry-policy.js";
import { completionProgress } from "./run-attempt.js";
import { waitUntilFinished } from "./wait-for-job.js";

/** A job's data in Redis. */
export interface QueuedJobData {
  schoolId: string;
  jobId: string;
  requestedBy: string;
  payload: unknown;
  /** Tells this enqueue's job from one already stored under the same id (BullMQ's add keeps the existing one silently). */
  nonce: string;
}

export type PathwiseJob = Job<QueuedJobData, unknown, string>;

/** How long a queue operation waits for Redis to (re)connect before failing. */
const READY_WAIT_MS = 2000;

/** The retry and retention options every job gets. */
export function jobOptions(config: JobsConfig) {
  return {
    attempts: config.attempts,
    backoff: { type: "exponential", delay: config.backoffMs },
    removeOnComplete: { count: config.keepCompleted },
    removeOnFail: { count: config.keepFailed },
  };
}

/** Progress as the worker stores it (`job.updateProgress`), read defensively. */
export function progressOf(value: unknown): JobProgress {
  if (typeof value !== "object" || value === null) return { processed: 0, total: 0 };
  const { processed, total, message } = value as Record<string, unknown>;
  return {
    processed: typeof processed === "number" ? processed : 0,
    total: typeof total === "number" ? total : 0,
    ...(typeof message === "string" ? { message } : {}),
  };
}

function stateOf(state: string): JobState {
  if (state === "completed") return "COMPLETED";
  if (state === "failed") return "FAILED";
  if (state === "active") return "RUNNING";
  return "QUEUED";
}

export class BullMqJobQueue implements JobQueue {
  readonly kind = "bullmq";
  /** Forwarded events are handled one after the other, so that the bus hears them in order. */
  private forwarding: Promise<void> = Promise.resolve();

  private queueEvents: QueueEvents | undefined;
  /** Resolves once QueueEvents reads from a known point of the event stream: jobs queued after it are never missed. */
  private readonly listening: Promise<void>;
  private closed = false;

  private constructor(
    private readonly runtime: JobRuntime,
    private readonly handlers: JobHandlerRegistry,
    private readonly config: JobsConfig,
    private readonly logger: Logger,
    private readonly client: RedisClient,
    private readonly eventsClient: RedisClient,
    private readonly queue: Queue<QueuedJobData, unknown, string>,
  ) {
    this.listening = this.listen();
  }

  /** Does not wait for Redis: a server starts while Redis is down, and its job operations fail fast until it is back. */
  static async open(runtime: JobRuntime, handlers: JobHandlerRegistry, config: JobsConfig): Promise<BullMqJobQueue> {
    const { redisUrl } = config;
    if (!redisUrl) throw new Error("BullMqJobQueue needs REDIS_URL");
    const logger = runtime.logger.child({ component: "jobs" });
    const client = await createRedisClient(redisUrl, "command", logger, "pathwise-queue");
    const eventsClient = await createRedisClient(redisUrl, "blocking", logger, "pathwise-queue-events");
    const queue = new Queue<QueuedJobData, unknown, string>(config.queueName, {
      connection: client,
      prefix: config.prefix,
      defaultJobOptions: jobOptions(config),
    });
    // Connection problems are logged once by the clients; BullMQ repeats them here.
    queue.on("error", (error) => logger.debug({ err: error }, "job queue error"));
    return new BullMqJobQueue(runtime, handlers, config, logger, client, eventsClient, queue);
  }

  /**
   * Starts QueueEvents once Redis is reachable, from the stream's last event then: QueueEvents'
   * default start ("new events only", from its first blocking read) would miss a job queued
   * between now and that read.
   */
  private async listen(): Promise<void> {
    await whenReady(this.client);
    let from = "$";
    try {
      const [last] = await this.client.xrevrange(this.queue.toKey("events"), "+", "-", "COUNT", 1);
      from = last?.[0] ?? "0-0";
    } catch (error) {
      this.logger.warn({ err: error }, "could not read the job event stream's position; listening from its next event");
    }
    if (this.closed) return;
    const queueEvents = new QueueEvents(this.config.queueName, {
      connection: this.eventsClient,
      prefix: this.config.prefix,
      lastEventId: from,
    });
    queueEvents.on("error", (error) => this.logger.debug({ err: error }, "job queue events error"));
    this.queueEvents = queueEvents;
    this.forwardEvents(queueEvents);
  }

  async enqueue<P, R, I>(definition: JobDefinition<P, R, I>, request: JobRequest<I>): Promise<JobStatus> {
    const jobId = checkedJobId(request.jobId);
    const payload = payloadToQueue(definition.payload, request.payload);
    const id = queueJobId(request.schoolId, jobId);
    const nonce = randomUUID();
    const stored = await this.redis(async () => {
      await this.listening;
      await this.queue.add(
        definition.name,
        { schoolId: request.schoolId, jobId, requestedBy: request.requestedBy, payload, nonce },
        { jobId: id },
      );
      return this.queue.getJob(id);
    });
    if (!stored || stored.data.nonce !== nonce) throw new JobIdTakenError(jobId);
    // The job as queued (a worker may already have taken it: `status` tells).
    return this.statusOf(stored, "waiting");
  }

  async status(schoolId: string, jobId: string): Promise<JobStatus | undefined> {
    // The state first, then the job: a job read before it completed would pair "completed" with
    // no return value; read in this order, a job that moves on in between only looks newer.
    const id = queueJobId(schoolId, jobId);
    const state = await this.redis(() => this.queue.getJobState(id));
    if (state === "unknown") return undefined;
    const job = await this.redis(() => this.queue.getJob(id));
    if (!job || job.data.schoolId !== schoolId) return undefined;
    return this.statusOf(job, state);
  }

  waitUntilFinished(schoolId: string, jobId: string, timeoutMs = this.config.waitMs): Promise<JobStatus> {
    return waitUntilFinished(this, schoolId, jobId, timeoutMs);
  }

  subscribe(schoolId: string, jobId: string): AsyncIterableIterator<JobProgressEvent> {
    return this.runtime.events.subscribeJobProgress(schoolId, jobId);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([this.queueEvents?.close(), this.queue.close()]);
    await Promise.all([closeRedisClient(this.client), closeRedisClient(this.eventsClient)]);
  }

  /** Runs a Redis call; fails within READY_WAIT_MS while Redis is unreachable, rather than waiting for it to come back. */
  private async redis<T>(call: () => Promise<T>): Promise<T> {
    if (!(await readyWithin(this.client, READY_WAIT_MS))) throw new JobQueueUnavailableError(this.client.status);
    try {
      return await call();
    } catch (error) {
      if (this.client.status !== "ready") throw new JobQueueUnavailableError((error as Error).message);
      throw error;
    }
  }

  private statusOf(job: PathwiseJob, bullState: string): JobStatus {
    const { data } = job;
    const state = stateOf(bullState);
    const maxAttempts = job.opts.attempts ?? 1;
    const failure = state === "FAILED" ? decodeFailure(job.failedReason) : undefined;
    const last = progressOf(job.progress);
    let progress = last;
    if (state === "COMPLETED") progress = completionProgress(this.handlers.get(job.name), job.returnvalue, last);
    else if (failure) progress = { ...last, message: failure.message };
    else if (bullState === "delayed" && job.attemptsMade > 0) progress = { ...last, message: this.retryMessage(job) };
    return {
      jobId: data.jobId,
      schoolId: data.schoolId,
      kind: job.name,
      requestedBy: data.requestedBy,
      state,
      progress,
      attemptsMade: job.attemptsMade,
      maxAttempts,
      ...(state === "COMPLETED" && job.returnvalue !== undefined && job.returnvalue !== null ? { result: job.returnvalue } : {}),
      ...(failure?.result !== undefined ? { result: failure.result } : {}),
      ...(failure ? { error: failure.message } : {}),
      createdAt: new Date(job.timestamp),
      ...(job.processedOn ? { startedAt: new Date(job.processedOn) } : {}),
      ...(job.finishedOn && (state === "COMPLETED" || state === "FAILED") ? { finishedAt: new Date(job.finishedOn) } : {}),
    };
  }

  private retryMessage(job: PathwiseJob): string {
    const backoff = job.opts.backoff;
    const backoffMs = typeof backoff === "number" ? backoff : (backoff?.delay ?? this.config.backoffMs);
    const delay = retryDelayMs({ backoffMs }, job.attemptsMade);
    return retryMessage(job.attemptsMade, job.opts.attempts ?? 1, decodeFailure(job.failedReason).message, delay);
  }

  /**
   * QueueEvents → the event bus. The worker reports each attempt's start and progress as job
   * progress (RUNNING); the queue's own events give QUEUED (queued, back in the queue, waiting to
   * be retried) and the outcome, with details read from the job.
   */
  private forwardEvents(queueEvents: QueueEvents): void {
    const forward = (jobId: string, event: (job: PathwiseJob | undefined) => Omit<JobProgressEvent, "jobId" | "schoolId"> | undefined) => {
      const ids = parseQueueJobId(jobId);
      if (!ids) return;
      this.forwarding = this.forwarding
        .then(async () => {
          const job = await this.queue.getJob(jobId);
          const published = event(job);
          if (published) this.runtime.events.publishJobProgress({ ...ids, ...published });
        })
        .catch((error: unknown) => this.logger.warn({ err: error, jobId }, "could not forward a job event"));
    };
    const withProgress = (job: PathwiseJob | undefined, state: JobState, message: string | undefined) => {
      const { processed, total } = progressOf(job?.progress);
      return { state, processed, total, ...(message !== undefined ? { message } : {}) };
    };
    queueEvents.on("waiting", ({ jobId }) =>
      forward(jobId, (job) =>
        withProgress(
          job,
          "QUEUED",
          job && job.attemptsStarted > 0 ? `back in the queue for attempt ${job.attemptsMade + 1} of ${job.opts.attempts ?? 1}` : "queued",
        ),
      ),
    );
    queueEvents.on("progress", ({ jobId, data }) => {
      const ids = parseQueueJobId(jobId);
      if (!ids) return;
      const progress = progressOf(data);
      this.forwarding = this.forwarding.then(() => this.runtime.events.publishJobProgress({ ...ids, state: "RUNNING", ...progress }));
    });
    queueEvents.on("delayed", ({ jobId }) =>
      forward(jobId, (job) => (job ? withProgress(job, "QUEUED", this.retryMessage(job)) : undefined)),
    );
    queueEvents.on("completed", ({ jobId, returnvalue }) =>
      forward(jobId, (job) => {
        const final = completionProgress(job ? this.handlers.get(job.name) : undefined, returnvalue, progressOf(job?.progress));
        return {
          state: "COMPLETED",
          processed: final.processed,
          total: final.total,
          ...(final.message !== undefined ? { message: final.message } : {}),
        };
      }),
    );
    queueEvents.on("failed", ({ jobId, failedReason }) =>
      forward(jobId, (job) => withProgress(job, "FAILED", decodeFailure(failedReason).message)),
    );
    queueEvents.on("stalled", ({ jobId }) => this.logger.warn({ jobId }, "a job lost its worker; it is back in the queue"));
  }
}
