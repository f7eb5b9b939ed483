/**
 * What callers see of the background jobs, whichever queue runs them (BullMqJobQueue with
 * REDIS_URL, InProcessJobQueue without): enqueue a job of a kind with its payload, read its status,
 * follow its progress. Job ids are per school: the same id in two schools names two jobs, and a
 * school never reads, waits on or hears another's.
 */
import type { JobProgressEvent, JobState } from "../services/learning-events.js";
import type { JobDefinition } from "./job-definition.js";

export interface JobRequest<I> {
  /** As the definition's schema takes it (its defaults are filled in when queued). */
  payload: I;
  /** The school that owns the job: only its staff may read it. */
  schoolId: string;
  /** Who asked (the token's subject): a teacher may read the jobs they started. */
  requestedBy: string;
  /** Chosen by the caller (unique in the school) to follow the job before it starts; default `job-<uuid>`. */
  jobId?: string;
}

export interface JobProgress {
  /** Units of work done so far. */
  processed: number;
  /** Units of work in all, as far as known. */
  total: number;
  message?: string;
}

export interface JobStatus {
  jobId: string;
  schoolId: string;
  /** The job's kind: the name of its definition, e.g. `attempt-import`. */
  kind: string;
  requestedBy: string;
  state: JobState;
  progress: JobProgress;
  /** Attempts that have ended, failed or completed (BullMQ's count): 0 while the first runs, 1 for a job that succeeded at once. */
  attemptsMade: number;
  maxAttempts: number;
  /** A completed job's result; a failed job's too when its handler gave one with the failure (e.g. line errors). */
  result?: unknown;
  /** Why a failed job failed: its last attempt's error. */
  error?: string;
  createdAt: Date;
  /** When its last attempt started. */
  startedAt?: Date;
  finishedAt?: Date;
}

export interface JobQueue {
  readonly kind: "in-process" | "bullmq";
  /**
   * Queues a job; it starts as soon as a worker is free. Throws JobIdTakenError when the school
   * already has a job of that id, InvalidJobError when the id or payload is wrong.
   */
  enqueue<P, R, I>(definition: JobDefinition<P, R, I>, request: JobRequest<I>): Promise<JobStatus>;
  /** School `schoolId`'s job `jobId`; undefined when it has none (or it was removed). */
  status(schoolId: string, jobId: string): Promise<JobStatus | undefined>;
  /** The job's status once it has COMPLETED or FAILED; JobWaitTimeoutError after `timeoutMs` (default PATHWISE_JOBS_WAIT_MS). */
  waitUntilFinished(schoolId: string, jobId: string, timeoutMs?: number): Promise<JobStatus>;
  /** The job's progress events (its last state first), ending after COMPLETED or FAILED. */
  subscribe(schoolId: string, jobId: string): AsyncIterableIterator<JobProgressEvent>;
  /** Stops: in-process jobs still running are aborted; a BullMQ queue closes its connections. */
  close(): Promise<void>;
}
