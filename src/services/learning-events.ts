/**
 * The in-process event bus behind the GraphQL subscriptions (docs/learning.md, "Events"):
 *
 * - `masteryChanged`, one event per newly recorded answer, published by LearningService.record
 *   AFTER the write transaction has committed (never for a replayed answer, never for a rolled
 *   back one);
 * - `jobProgress`, published by background jobs (src/jobs/; from BullMQ workers through QueueEvents).
 *
 * The bus is per process. Job progress from `pathwise worker` processes reaches every server's
 * bus through BullMQ's QueueEvents (src/jobs/bullmq-job-queue.ts); `masteryChanged` is not
 * forwarded, so with several server processes a subscriber hears only the answers recorded by
 * the process it is connected to (and not answers imported by a worker).
 *
 * Subscribing registers the listener at once (not on the first read of the iterator), so an
 * event published right after `subscribe` returns is never missed. Listeners are synchronous and
 * each subscriber has its own queue; a slow subscriber cannot hold up the answer path.
 */
import { EventEmitter } from "node:events";
import type { MasteryState } from "./learning-service.js";

export interface MasteryChangedEvent {
  studentId: string;
  /** The student's school (for tenancy filters; not part of the API payload). */
  schoolId: string;
  attemptId: string;
  itemId: string;
  correct: boolean;
  changes: { knowledgePointId: string; before: number; after: number; state: MasteryState }[];
}

export const JOB_STATES = ["QUEUED", "RUNNING", "COMPLETED", "FAILED"] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobProgressEvent {
  jobId: string;
  /** The school that owns the job: job ids are per school, a school never hears another's job. */
  schoolId: string;
  state: JobState;
  processed: number;
  total: number;
  message?: string;
}

export function isTerminal(state: JobState): boolean {
  return state === "COMPLETED" || state === "FAILED";
}

/** Most events a slow subscriber may have queued before the oldest are dropped. */
const MAX_QUEUED = 10_000;
/** Jobs whose last state is kept (so that a subscriber arriving late still learns the outcome). */
const MAX_JOBS_KEPT = 1000;

/**
 * An async iterator fed by `push`; `return()` (a client that disconnects) runs `cleanup`.
 * `endAfter` ends the stream after the event it is true for.
 */
class EventQueue<T> implements AsyncIterableIterator<T> {
  private readonly queued: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private done = false;

  constructor(
    private readonly cleanup: () => void,
    private readonly endAfter: (event: T) => boolean = () => false,
  ) {}

  push(event: T): void {
    if (this.done) return;
    if (this.endAfter(event)) this.finishAfter(event);
    else if (this.waiting) this.resolve({ value: event, done: false });
    else {
      this.queued.push(event);
      if (this.queued.length > MAX_QUEUED) this.queued.shift();
    }
  }

  private finishAfter(event: T): void {
    this.done = true;
    this.cleanup();
    if (this.waiting) this.resolve({ value: event, done: false });
    else this.queued.push(event);
  }

  private resolve(result: IteratorResult<T>): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(result);
  }

  next(): Promise<IteratorResult<T>> {
    const event = this.queued.shift();
    if (event !== undefined) return Promise.resolve({ value: event, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.done) {
      this.done = true;
      this.cleanup();
    }
    this.queued.length = 0;
    this.resolve({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}

function jobKey(schoolId: string, jobId: string): string {
  return JSON.stringify([schoolId, jobId]);
}

export class LearningEvents {
  private readonly emitter = new EventEmitter();
  /** The last event of recent jobs, by school and job id (oldest first). */
  private readonly jobs = new Map<string, JobProgressEvent>();

  constructor() {
    // One listener per open subscription.
    this.emitter.setMaxListeners(0);
  }

  /** Whether anyone listens to student `studentId`'s mastery changes (publishers skip building events nobody reads). */
  hasMasteryListeners(studentId: string): boolean {
    return this.emitter.listenerCount(`mastery:${studentId}`) > 0;
  }

  publishMasteryChanged(event: MasteryChangedEvent): void {
    this.emitter.emit(`mastery:${event.studentId}`, event);
  }

  /** Every mastery change of student `studentId` from now on, until the iterator is returned. */
  subscribeMasteryChanged(studentId: string): AsyncIterableIterator<MasteryChangedEvent> {
    const channel = `mastery:${studentId}`;
    const listener = (event: MasteryChangedEvent) => queue.push(event);
    const queue = new EventQueue<MasteryChangedEvent>(() => this.emitter.off(channel, listener));
    this.emitter.on(channel, listener);
    return queue;
  }

  /** Whether school `schoolId` has (recently) had a job `jobId`. */
  hasJob(schoolId: string, jobId: string): boolean {
    return this.jobs.has(jobKey(schoolId, jobId));
  }

  publishJobProgress(event: JobProgressEvent): void {
    const key = jobKey(event.schoolId, event.jobId);
    this.jobs.delete(key);
    this.jobs.set(key, event);
    if (this.jobs.size > MAX_JOBS_KEPT) {
      const oldest = this.jobs.keys().next();
      if (!oldest.done) this.jobs.delete(oldest.value);
    }
    this.emitter.emit(`job:${key}`, event);
  }

  /**
   * The progress of school `schoolId`'s job `jobId`: its last state first when the job is known
   * (a finished job's stream ends right after it), then every event until COMPLETED or FAILED.
   * A job that has not started yet may be subscribed to; its events come when it runs.
   */
  subscribeJobProgress(schoolId: string, jobId: string): AsyncIterableIterator<JobProgressEvent> {
    const key = jobKey(schoolId, jobId);
    const channel = `job:${key}`;
    const listener = (event: JobProgressEvent) => queue.push(event);
    const queue = new EventQueue<JobProgressEvent>(
      () => this.emitter.off(channel, listener),
      (event) => isTerminal(event.state),
    );
    const last = this.jobs.get(key);
    if (last) queue.push(last);
    this.emitter.on(channel, listener);
    if (last && isTerminal(last.state)) this.emitter.off(channel, listener);
    return queue;
  }
}
