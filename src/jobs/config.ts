/**
 * Settings of the background jobs, from the environment (every one, with its default, is listed in
 * docs/jobs.md, "Settings"). With REDIS_URL the jobs run on BullMQ in `pathwise worker` processes;
 * without it, in the process that enqueues them.
 */
import { resolve } from "node:path";

export interface JobsConfig {
  /** `redis://` or `rediss://` URL of the Redis that holds the queue; unset: jobs run in-process. */
  redisUrl?: string;
  /** BullMQ queue name (no `:`). */
  queueName: string;
  /** Prefix of every Redis key of the queue (several deployments can share one Redis). */
  prefix: string;
  /** Jobs one process runs at a time (a worker process, or the server without Redis). */
  concurrency: number;
  /** Attempts a job gets in all (1 = no retry). */
  attempts: number;
  /** Exponential backoff: retry n waits backoffMs × 2^(n−1). */
  backoffMs: number;
  /** Completed jobs kept (the oldest are removed beyond this). */
  keepCompleted: number;
  /** Failed jobs kept, with their error. */
  keepFailed: number;
  /** How long a worker's lock on its job lasts; it is renewed at half this while the worker lives. */
  lockDurationMs: number;
  /** How often workers look for jobs whose lock expired (their worker died). */
  stalledIntervalMs: number;
  /** Times a job may lose its worker and be picked up again before it fails. */
  maxStalledCount: number;
  /** On SIGTERM, how long a worker lets its current job finish before releasing it to the queue. */
  shutdownGraceMs: number;
  /** How long `importAttempts` waits for its job to finish before answering that it is still pending. */
  waitMs: number;
  /** The only directory server-side files named by a job (a curriculum, an answer log) may be read from; unset: none may. */
  filesDir?: string;
}

export const JOBS_DEFAULTS = {
  queueName: "pathwise-jobs",
  prefix: "pathwise",
  concurrency: 2,
  attempts: 3,
  backoffMs: 1000,
  keepCompleted: 500,
  keepFailed: 1000,
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  maxStalledCount: 1,
  shutdownGraceMs: 30_000,
  waitMs: 120_000,
} as const satisfies Omit<JobsConfig, "redisUrl" | "filesDir">;

/** A whole number ≥ min written in decimal digits; empty or unset means the fallback. */
function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const value = env[name];
  if (value === undefined || value.trim() === "") return fallback;
  const parsed = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min) throw new Error(`${name} must be a whole number ≥ ${min}, got "${value}"`);
  return parsed;
}

function redisUrl(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const url = value.trim();
  if (!/^rediss?:\/\//.test(url)) throw new Error(`REDIS_URL must be a redis:// or rediss:// URL, got "${value}"`);
  return url;
}

function queueName(value: string | undefined): string {
  if (value === undefined || value.trim() === "") return JOBS_DEFAULTS.queueName;
  if (value.includes(":")) throw new Error(`PATHWISE_JOBS_QUEUE must not contain ":", got "${value}"`);
  return value.trim();
}

export function jobsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): JobsConfig {
  const url = redisUrl(env.REDIS_URL);
  const filesDir = env.PATHWISE_JOBS_FILES_DIR?.trim();
  return {
    ...(url ? { redisUrl: url } : {}),
    queueName: queueName(env.PATHWISE_JOBS_QUEUE),
    prefix: env.PATHWISE_JOBS_PREFIX?.trim() || JOBS_DEFAULTS.prefix,
    concurrency: wholeNumber(env, "PATHWISE_JOBS_CONCURRENCY", JOBS_DEFAULTS.concurrency, 1),
    attempts: wholeNumber(env, "PATHWISE_JOBS_ATTEMPTS", JOBS_DEFAULTS.attempts, 1),
    backoffMs: wholeNumber(env, "PATHWISE_JOBS_BACKOFF_MS", JOBS_DEFAULTS.backoffMs, 0),
    keepCompleted: wholeNumber(env, "PATHWISE_JOBS_KEEP_COMPLETED", JOBS_DEFAULTS.keepCompleted, 1),
    keepFailed: wholeNumber(env, "PATHWISE_JOBS_KEEP_FAILED", JOBS_DEFAULTS.keepFailed, 1),
    lockDurationMs: wholeNumber(env, "PATHWISE_JOBS_LOCK_MS", JOBS_DEFAULTS.lockDurationMs, 100),
    stalledIntervalMs: wholeNumber(env, "PATHWISE_JOBS_STALLED_INTERVAL_MS", JOBS_DEFAULTS.stalledIntervalMs, 100),
    maxStalledCount: wholeNumber(env, "PATHWISE_JOBS_MAX_STALLED", JOBS_DEFAULTS.maxStalledCount, 0),
    shutdownGraceMs: wholeNumber(env, "PATHWISE_JOBS_SHUTDOWN_GRACE_MS", JOBS_DEFAULTS.shutdownGraceMs, 0),
    waitMs: wholeNumber(env, "PATHWISE_JOBS_WAIT_MS", JOBS_DEFAULTS.waitMs, 0),
    ...(filesDir ? { filesDir: resolve(filesDir) } : {}),
  };
}
