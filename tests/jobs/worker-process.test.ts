/**
 * Worker processes against a real redis-server: a worker killed mid-job (SIGKILL) loses the job
 * to another worker once its lock expires (short lock and stalled-check settings here); SIGTERM
 * lets the current job finish, or releases it to the queue when the grace period is over; and
 * `pathwise worker` refuses to start without REDIS_URL.
 */
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { BullMqJobQueue } from "../../src/jobs/bullmq-job-queue.js";
import { type JobsConfig, jobsConfigFromEnv } from "../../src/jobs/config.js";
import { createLogger } from "../../src/logger.js";
import { openRuntime, type Runtime } from "../../src/services/runtime.js";
import { type RunningRedis, startRedis } from "../support/redis-server.js";
import { eventsUntilFinished, firstEvent } from "./support/job-events.js";
import { type RunningWorker, startWorker, TEST_WORKER } from "./support/processes.js";
import { HOLD_ENV, holdJob, progressJob, testJobHandlers } from "./support/test-jobs.js";

const SCHOOL = "school-a";

let redis: RunningRedis;
let runtime: Runtime;
let queue: BullMqJobQueue;
let dataDir: string;
let config: JobsConfig;
const workers: RunningWorker[] = [];

/** A worker of this test's queue and store; a lost job's lock expires within 1 s, and is found within 0.3 s more. */
async function worker(env: Record<string, string> = {}): Promise<RunningWorker> {
  const started = await startWorker(TEST_WORKER, {
    REDIS_URL: redis.url,
    PATHWISE_JOBS_QUEUE: config.queueName,
    PATHWISE_DATA_DIR: dataDir,
    PATHWISE_JOBS_LOCK_MS: "1000",
    PATHWISE_JOBS_STALLED_INTERVAL_MS: "300",
    ...env,
  });
  workers.push(started);
  return started;
}

/** Queues a `test.hold` job and resolves once a worker holds it. */
async function heldJob() {
  const jobId = `held-${randomUUID()}`;
  const events = queue.subscribe(SCHOOL, jobId);
  await queue.enqueue(holdJob, { schoolId: SCHOOL, requestedBy: "admin-a", jobId, payload: {} });
  await firstEvent(events, (event) => event.message === "holding");
  return { jobId, events };
}

const releaseFile = () => join(mkdtempSync(join(tmpdir(), "pathwise-hold-")), "release");

beforeAll(async () => {
  redis = await startRedis();
  dataDir = mkdtempSync(join(tmpdir(), "pathwise-worker-"));
  config = { ...jobsConfigFromEnv({}), redisUrl: redis.url, queueName: `workers-${randomUUID()}` };
  runtime = await openRuntime(loadConfig({ PATHWISE_DATA_DIR: dataDir }), createLogger("silent"), { jobs: jobsConfigFromEnv({}) });
  queue = await BullMqJobQueue.open(runtime, testJobHandlers(), config);
});

afterEach(async () => {
  for (const running of workers.splice(0)) {
    running.process.kill("SIGKILL");
    await running.exited;
  }
});

afterAll(async () => {
  await queue?.close();
  await runtime?.close();
  await redis?.stop();
});

describe("a worker killed mid-job", () => {
  it("loses the job to another worker once its lock expires; the job completes there, its attempt not counted as failed", async () => {
    const first = await worker({ [HOLD_ENV]: releaseFile() });
    const { jobId, events } = await heldJob();
    first.process.kill("SIGKILL");
    await first.exited;

    await worker();
    const rest = await eventsUntilFinished(events);
    expect(rest.some((e) => e.state === "QUEUED" && e.message === "back in the queue for attempt 1 of 3")).toBe(true);
    expect(rest.at(-1)).toMatchObject({ state: "COMPLETED" });
    expect(await queue.status(SCHOOL, jobId)).toMatchObject({ state: "COMPLETED", attemptsMade: 1, result: { attempt: 1 } });
  });
});

describe("SIGTERM", () => {
  it("lets the current job finish, takes no new one, and exits 0", async () => {
    const release = releaseFile();
    const stopping = await worker({ [HOLD_ENV]: release });
    const { jobId, events } = await heldJob();
    stopping.process.kill("SIGTERM");
    await stopping.logged('"msg":"worker stopping');
    const later = await queue.enqueue(progressJob, { schoolId: SCHOOL, requestedBy: "admin-a", payload: { steps: 1 } });
    writeFileSync(release, "");

    expect((await eventsUntilFinished(events)).at(-1)).toMatchObject({ state: "COMPLETED" });
    expect(await stopping.exited).toBe(0);
    expect(await queue.status(SCHOOL, jobId)).toMatchObject({ state: "COMPLETED", attemptsMade: 1 });
    expect((await queue.status(SCHOOL, later.jobId))?.state).toBe("QUEUED");

    // The next worker runs what was left.
    await worker();
    expect((await queue.waitUntilFinished(SCHOOL, later.jobId, 30_000)).state).toBe("COMPLETED");
  });

  it("releases a job still running after the grace period back to the queue, attempt not counted, for another worker", async () => {
    const stopping = await worker({ [HOLD_ENV]: releaseFile(), PATHWISE_JOBS_SHUTDOWN_GRACE_MS: "0" });
    const { jobId, events } = await heldJob();
    stopping.process.kill("SIGTERM");
    expect(await stopping.exited).toBe(0);
    expect(stopping.logs.some((line) => line.includes("job released to the queue"))).toBe(true);
    expect(await queue.status(SCHOOL, jobId)).toMatchObject({ state: "QUEUED", attemptsMade: 0 });

    await worker();
    expect((await eventsUntilFinished(events)).at(-1)).toMatchObject({ state: "COMPLETED" });
    expect(await queue.status(SCHOOL, jobId)).toMatchObject({ state: "COMPLETED", attemptsMade: 1, result: { attempt: 1 } });
  });
});

describe("pathwise worker", () => {
  it("refuses to start without REDIS_URL, saying what to set", () => {
    const { REDIS_URL: _unset, ...env } = process.env;
    const result = spawnSync(process.execPath, ["bin/pathwise.js", "worker"], {
      encoding: "utf8",
      env: { ...env, PATHWISE_DATA_DIR: dataDir },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/REDIS_URL is not set: a worker takes its jobs from Redis/);
  });
});
