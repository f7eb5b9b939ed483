/** The jobs' settings from the environment: defaults (docs/jobs.md, "Settings") and refusals naming the variable. */
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { JOBS_DEFAULTS, jobsConfigFromEnv } from "../../src/jobs/config.js";

describe("jobsConfigFromEnv", () => {
  it("runs jobs in-process with the documented defaults when nothing is set", () => {
    const config = jobsConfigFromEnv({});
    expect(config).toEqual({ ...JOBS_DEFAULTS });
    expect(JOBS_DEFAULTS).toMatchObject({
      attempts: 3,
      backoffMs: 1000,
      concurrency: 2,
      lockDurationMs: 30_000,
      stalledIntervalMs: 30_000,
    });
    expect(config.redisUrl).toBeUndefined();
  });

  it("reads every setting", () => {
    const config = jobsConfigFromEnv({
      REDIS_URL: "rediss://user:secret@redis.example:6380/2",
      PATHWISE_JOBS_QUEUE: "school-jobs",
      PATHWISE_JOBS_PREFIX: "staging",
      PATHWISE_JOBS_CONCURRENCY: "4",
      PATHWISE_JOBS_ATTEMPTS: "5",
      PATHWISE_JOBS_BACKOFF_MS: "0",
      PATHWISE_JOBS_KEEP_COMPLETED: "10",
      PATHWISE_JOBS_KEEP_FAILED: "20",
      PATHWISE_JOBS_LOCK_MS: "1000",
      PATHWISE_JOBS_STALLED_INTERVAL_MS: "500",
      PATHWISE_JOBS_MAX_STALLED: "0",
      PATHWISE_JOBS_SHUTDOWN_GRACE_MS: "0",
      PATHWISE_JOBS_WAIT_MS: "3000",
      PATHWISE_JOBS_FILES_DIR: "job-files",
    });
    expect(config).toEqual({
      redisUrl: "rediss://user:secret@redis.example:6380/2",
      queueName: "school-jobs",
      prefix: "staging",
      concurrency: 4,
      attempts: 5,
      backoffMs: 0,
      keepCompleted: 10,
      keepFailed: 20,
      lockDurationMs: 1000,
      stalledIntervalMs: 500,
      maxStalledCount: 0,
      shutdownGraceMs: 0,
      waitMs: 3000,
      filesDir: resolve("job-files"),
    });
  });

  it.each([
    [{ REDIS_URL: "localhost:6379" }, /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
    [{ PATHWISE_JOBS_QUEUE: "a:b" }, /PATHWISE_JOBS_QUEUE must not contain ":"/],
    [{ PATHWISE_JOBS_ATTEMPTS: "0" }, /PATHWISE_JOBS_ATTEMPTS must be a whole number ≥ 1, got "0"/],
    [{ PATHWISE_JOBS_BACKOFF_MS: "1.5" }, /PATHWISE_JOBS_BACKOFF_MS must be a whole number ≥ 0/],
    [{ PATHWISE_JOBS_KEEP_COMPLETED: "0" }, /PATHWISE_JOBS_KEEP_COMPLETED must be a whole number ≥ 1/],
    [{ PATHWISE_JOBS_LOCK_MS: "50" }, /PATHWISE_JOBS_LOCK_MS must be a whole number ≥ 100/],
  ])("refuses %o", (env, message) => {
    expect(() => jobsConfigFromEnv(env)).toThrow(message);
  });
});
