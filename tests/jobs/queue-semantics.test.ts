/**
 * The two queues run the same job code with the same semantics: each scenario runs against the
 * in-process queue and against BullMQ (a real redis-server, a JobWorker in this process), and
 * reads progress where subscribers do, on the process's event bus.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { BullMqJobQueue } from "../../src/jobs/bullmq-job-queue.js";
import { type JobsConfig, jobsConfigFromEnv } from "../../src/jobs/config.js";
import { InvalidJobError } from "../../src/jobs/errors/invalid-job-error.js";
import { JobIdTakenError } from "../../src/jobs/errors/job-id-taken-error.js";
import { InProcessJobQueue } from "../../src/jobs/in-process-job-queue.js";
import type { JobQueue } from "../../src/jobs/job-queue.js";
import { JobWorker } from "../../src/jobs/job-worker.js";
import { createLogger } from "../../src/logger.js";
import { openRuntime, type Runtime } from "../../src/services/runtime.js";
import { type RunningRedis, startRedis } from "../support/redis-server.js";
import { eventsUntilFinished, stateSequence } from "./support/job-events.js";
import { flakyJob, progressJob, rejectJob, testJobHandlers } from "./support/test-jobs.js";

const quiet = createLogger("silent");
const SCHOOL = "school-a";
const OTHER_SCHOOL = "school-b";

function jobsConfig(overrides: Partial<JobsConfig> = {}): JobsConfig {
  return { ...jobsConfigFromEnv({}), attempts: 3, backoffMs: 20, keepCompleted: 100, keepFailed: 100, shutdownGraceMs: 100, ...overrides };
}

async function openTestRuntime(): Promise<Runtime> {
  const dataDir = mkdtempSync(join(tmpdir(), "pathwise-jobs-"));
  return openRuntime(loadConfig({ PATHWISE_DATA_DIR: dataDir }), quiet, { jobs: jobsConfig() });
}

interface Setup {
  queue: JobQueue;
  close(): Promise<void>;
}

let redis: RunningRedis;

const setups: [string, () => Promise<Setup>][] = [
  [
    "in-process",
    async () => {
      const runtime = await openTestRuntime();
      const queue = new InProcessJobQueue(runtime, testJobHandlers(), jobsConfig());
      return {
        queue,
        close: async () => {
          await queue.close();
          await runtime.close();
        },
      };
    },
  ],
  [
    "BullMQ",
    async () => {
      const runtime = await openTestRuntime();
      const config = jobsConfig({ redisUrl: redis.url, queueName: `semantics-${randomUUID()}` });
      const queue = await BullMqJobQueue.open(runtime, testJobHandlers(), config);
      const worker = new JobWorker(runtime, testJobHandlers(), config, quiet);
      await worker.start();
      return {
        queue,
        close: async () => {
          await worker.stop();
          await queue.close();
          await runtime.close();
        },
      };
    },
  ],
];

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis?.stop();
});

describe.each(setups)("the %s queue", (_name, open) => {
  let queue: JobQueue;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ queue, close } = await open());
  });

  afterAll(async () => {
    await close();
  });

  /** Subscribes, then queues: every event of the job is heard, from QUEUED on. */
  async function run<P>(definition: Parameters<JobQueue["enqueue"]>[0], payload: P, schoolId = SCHOOL) {
    const jobId = `job-${randomUUID()}`;
    const stream = queue.subscribe(schoolId, jobId);
    const queued = await queue.enqueue(definition, { schoolId, requestedBy: "admin-a", jobId, payload });
    const events = await eventsUntilFinished(stream);
    const status = await queue.status(schoolId, jobId);
    return { jobId, queued, events, status };
  }

  it("publishes QUEUED, RUNNING with each reported step, then COMPLETED with the job's summary; the result is kept", async () => {
    const { queued, events, status } = await run(progressJob, { steps: 3 });
    expect(queued).toMatchObject({ state: "QUEUED", kind: "test.progress", requestedBy: "admin-a", attemptsMade: 0, maxAttempts: 3 });
    expect(stateSequence(events)).toEqual(["QUEUED", "RUNNING", "COMPLETED"]);
    const steps = events.filter((e) => e.state === "RUNNING" && e.message?.startsWith("step"));
    expect(steps.map((e) => [e.processed, e.total, e.message])).toEqual([
      [1, 3, "step 1"],
      [2, 3, "step 2"],
      [3, 3, "step 3"],
    ]);
    expect(events.at(-1)).toMatchObject({ state: "COMPLETED", processed: 3, total: 3, message: "did 3 step(s)" });
    expect(status).toMatchObject({ state: "COMPLETED", result: { steps: 3 }, attemptsMade: 1, progress: { processed: 3, total: 3 } });
    expect(status?.finishedAt?.getTime()).toBeGreaterThanOrEqual(status?.startedAt?.getTime() ?? Number.NaN);
  });

  it("retries a failed attempt after an exponential backoff, then completes", async () => {
    const { events, status } = await run(flakyJob, { failures: 2 });
    expect(stateSequence(events)).toEqual(["QUEUED", "RUNNING", "QUEUED", "RUNNING", "QUEUED", "RUNNING", "COMPLETED"]);
    const retries = events.filter((e) => e.message?.includes("retrying")).map((e) => e.message);
    expect(retries).toEqual([
      "attempt 1 of 3 failed: planned failure 1; retrying in 20 ms",
      "attempt 2 of 3 failed: planned failure 2; retrying in 40 ms",
    ]);
    expect(events.some((e) => e.state === "RUNNING" && e.message === "attempt 3 of 3 started")).toBe(true);
    expect(status).toMatchObject({ state: "COMPLETED", attemptsMade: 3, result: { attempt: 3 } });
  });

  it("fails a job whose every attempt failed, and keeps it with its last error", async () => {
    const { events, status } = await run(flakyJob, { failures: 5 });
    expect(events.at(-1)).toMatchObject({ state: "FAILED", message: "planned failure 3" });
    expect(status).toMatchObject({ state: "FAILED", error: "planned failure 3", attemptsMade: 3, maxAttempts: 3 });
    expect(status?.result).toBeUndefined();
  });

  it("fails a job at once on a PermanentJobError, keeping the result it gave with its error", async () => {
    const { events, status } = await run(rejectJob, {});
    expect(stateSequence(events)).toEqual(["QUEUED", "RUNNING", "FAILED"]);
    expect(events.at(-1)?.message).toBe("the input is wrong");
    expect(status).toMatchObject({ state: "FAILED", error: "the input is wrong", attemptsMade: 1, result: { line: 3 } });
  });

  it("keeps job ids per school: taken in one school, free and unseen in another", async () => {
    const { jobId } = await run(progressJob, { steps: 1 });
    await expect(queue.enqueue(progressJob, { schoolId: SCHOOL, requestedBy: "admin-a", jobId, payload: { steps: 1 } })).rejects.toThrow(
      JobIdTakenError,
    );
    expect(await queue.status(OTHER_SCHOOL, jobId)).toBeUndefined();
    const other = await run(progressJob, { steps: 2 }, OTHER_SCHOOL);
    expect(other.status).toMatchObject({ schoolId: OTHER_SCHOOL, state: "COMPLETED", result: { steps: 2 } });
    expect((await queue.status(SCHOOL, jobId))?.result).toEqual({ steps: 1 });
  });

  it("refuses a payload or a job id that cannot be queued, naming the field", async () => {
    const badPayload = queue.enqueue(progressJob, { schoolId: SCHOOL, requestedBy: "admin-a", payload: { steps: 0 } });
    await expect(badPayload).rejects.toThrow(InvalidJobError);
    await expect(badPayload).rejects.toMatchObject({ field: "steps" });
    await expect(
      queue.enqueue(progressJob, { schoolId: SCHOOL, requestedBy: "a", jobId: "", payload: { steps: 1 } }),
    ).rejects.toMatchObject({
      field: "jobId",
    });
  });

  it("waits for a job to finish and answers with its status", async () => {
    const queued = await queue.enqueue(flakyJob, { schoolId: SCHOOL, requestedBy: "admin-a", payload: { failures: 1 } });
    const finished = await queue.waitUntilFinished(SCHOOL, queued.jobId, 30_000);
    expect(finished).toMatchObject({ jobId: queued.jobId, state: "COMPLETED", attemptsMade: 2, result: { attempt: 2 } });
    // Already finished: at once.
    expect((await queue.waitUntilFinished(SCHOOL, queued.jobId, 0)).state).toBe("COMPLETED");
  });
});

describe("the in-process queue's memory", () => {
  it("keeps only the most recent finished jobs", async () => {
    const runtime = await openTestRuntime();
    const queue = new InProcessJobQueue(runtime, testJobHandlers(), jobsConfig({ keepCompleted: 2 }));
    try {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const { jobId } = await queue.enqueue(progressJob, { schoolId: SCHOOL, requestedBy: "admin-a", payload: { steps: 1 } });
        await queue.waitUntilFinished(SCHOOL, jobId, 30_000);
        ids.push(jobId);
      }
      const statuses = await Promise.all(ids.map((id) => queue.status(SCHOOL, id)));
      expect(statuses.map((s) => s?.state)).toEqual([undefined, "COMPLETED", "COMPLETED"]);
    } finally {
      await queue.close();
      await runtime.close();
    }
  });
});
