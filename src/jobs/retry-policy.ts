/**
 * Retries with exponential backoff, the same in-process as on BullMQ (whose "exponential" backoff
 * this is): after the n-th failed attempt the job waits backoffMs × 2^(n−1), while attempts remain.
 */
import type { JobsConfig } from "./config.js";

export function retryDelayMs(config: Pick<JobsConfig, "backoffMs">, failedAttempts: number): number {
  return Math.round(2 ** (failedAttempts - 1) * config.backoffMs);
}

/** The QUEUED message of a job waiting to be retried. */
export function retryMessage(failedAttempts: number, maxAttempts: number, reason: string, delayMs: number): string {
  return `attempt ${failedAttempts} of ${maxAttempts} failed: ${reason}; retrying in ${delayMs} ms`;
}

/** The RUNNING message when an attempt starts. */
export function attemptMessage(attempt: number, maxAttempts: number): string {
  return attempt === 1 ? "started" : `attempt ${attempt} of ${maxAttempts} started`;
}
