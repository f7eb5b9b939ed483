/**
 * Jobs through the API, over real HTTP against the real server: `job(id)` (who may read a job, what
 * it shows), the admins' `importCurriculum` and `refitBkt`, and — with REDIS_URL — the whole path
 * through Redis: `importAttempts` queued by the server, run by a `pathwise worker` process, its
 * progress reaching the server's `jobProgress` subscribers.
 */
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { BullMqJobQueue } from "../../src/jobs/bullmq-job-queue.js";
import { jobsConfigFromEnv } from "../../src/jobs/config.js";
import { attemptImportJob } from "../../src/jobs/handlers/attempt-import.js";
import { defaultJobHandlers } from "../../src/jobs/handlers/index.js";
import { createLogger } from "../../src/logger.js";
import { openRuntime } from "../../src/services/runtime.js";
import { dataDirWithLearners, SCHOOL_A, SCHOOL_B, tokenFor } from "../server/support/learners.js";
import { type SseSubscription, subscribe } from "../server/support/sse.js";
import { bearer } from "../server/support/tokens.js";
import { type RunningRedis, startRedis } from "../support/redis-server.js";
import { type GraphQLBody, type RunningServer, startServer } from "../support/server-process.js";
import { type RunningWorker, startWorker } from "./support/processes.js";

const COMPARE = "mini.item.compare-1"; // single choice, answer B
const JOB = `query Job($id: ID!) {
  job(id: $id) { id kind state processed total message attemptsMade maxAttempts result error requestedBy createdAt startedAt finishedAt }
}`;
const IMPORT = `mutation Import($input: ImportAttemptsInput!) {
  importAttempts(input: $input) { jobId dryRun rows imported skipped errors { line message } }
}`;
const IMPORT_CURRICULUM = `mutation Curriculum($input: ImportCurriculumInput!) { importCurriculum(input: $input) { id kind state } }`;
const REFIT = `mutation Refit($input: RefitBktInput!) { refitBkt(input: $input) { id kind state } }`;
const JOB_PROGRESS = `subscription Progress($jobId: ID!) { jobProgress(jobId: $jobId) { jobId state processed total message } }`;

interface Job {
  id: string;
  kind: string;
  state: string;
  processed: number;
  total: number;
  message: string | null;
  attemptsMade: number;
  maxAttempts: number;
  result: string | null;
  error: string | null;
  requestedBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}
interface ProgressEvent {
  jobProgress: { jobId: string; state: string; processed: number; total: number; message: string | null };
}

const csv = (rows: string[]) => `attempt_id,student_id,item_id,response,answered_at\n${rows.join("\n")}\n`;
const codes = (body: GraphQLBody<unknown>) => body.errors?.map((e) => e.extensions?.code);

/** Every progress event of a subscription until its stream completes. */
async function allEvents(subscription: SseSubscription<ProgressEvent>, timeoutMs = 30_000) {
  const events: ProgressEvent["jobProgress"][] = [];
  for (let event = await subscription.next(timeoutMs); event; event = await subscription.next(timeoutMs)) {
    if (event.data) events.push(event.data.jobProgress);
  }
  return events;
}

/** A files directory for server-side job files: the mini curriculum and a small answer log of its points. */
function jobFilesDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "pathwise-job-files-"));
  cpSync("tests/fixtures/curriculum/mini", join(dir, "mini"), { recursive: true });
  const rows = ["user_id,skill_name,correct"];
  for (let student = 1; student <= 12; student++) {
    for (const skill of ["mini.kp.unit-fraction", "mini.kp.fraction-compare"]) {
      // Each student gets better: wrong early, right later, the switch depending on the student.
      for (let step = 0; step < 8; step++) rows.push(`u${student},${skill},${step >= (student % 5) + 1 ? 1 : 0}`);
    }
  }
  writeFileSync(join(dir, "answers.csv"), `${rows.join("\n")}\n`);
  return dir;
}

describe("without Redis: jobs run in the server", () => {
  let server: RunningServer;
  const headers: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    server = await startServer({ dataDir: await dataDirWithLearners(), env: { PATHWISE_JOBS_FILES_DIR: jobFilesDir() } });
    for (const [name, role, sub, school] of [
      ["admin", "admin", "admin-a", SCHOOL_A],
      ["adminB", "admin", "admin-b", SCHOOL_B],
      ["teacher", "teacher", "t-a1", SCHOOL_A],
      ["student", "student", "s-a1", SCHOOL_A],
      ["analyst", "analyst", "analyst-a", SCHOOL_A],
    ] as const) {
      headers[name] = bearer(await tokenFor(role, sub, school));
    }
  });

  afterAll(async () => {
    await server?.stop();
  });

  const job = (id: string, who: Record<string, string> | undefined) => server.graphql<{ job: Job | null }>(JOB, { id }, who);

  /** Subscribes to job `jobId`'s progress, runs `start`, and returns every event until the job finished. */
  async function follow(jobId: string, start: () => Promise<{ body: GraphQLBody<unknown> }>) {
    const progress = await subscribe<ProgressEvent>(server, JOB_PROGRESS, { jobId }, headers.admin);
    try {
      const { body } = await start();
      expect(body.errors).toBeUndefined();
      return await allEvents(progress);
    } finally {
      progress.close();
    }
  }

  it("shows an import's job to the admin who started it: COMPLETED, its progress, attempts, result and times", async () => {
    const imported = await server.graphql(
      IMPORT,
      { input: { jobId: "api-import", csv: csv([`j-1,s-a2,${COMPARE},B,2026-02-01T09:00:00Z`]) } },
      headers.admin,
    );
    expect(imported.body.errors).toBeUndefined();
    const { body } = await job("api-import", headers.admin);
    expect(body.errors).toBeUndefined();
    const found = body.data?.job;
    expect(found).toMatchObject({
      id: "api-import",
      kind: "attempt-import",
      state: "COMPLETED",
      processed: 1,
      total: 1,
      message: "imported 1, skipped 0, 0 error(s)",
      attemptsMade: 1,
      maxAttempts: 3,
      error: null,
      requestedBy: "admin-a",
    });
    expect(JSON.parse(found?.result ?? "null")).toEqual({ dryRun: false, rows: 1, imported: 1, skipped: 0, errors: [] });
    const times = [found?.createdAt, found?.startedAt, found?.finishedAt].map((t) => Date.parse(t ?? ""));
    expect(times.every(Number.isFinite)).toBe(true);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("keeps a failed import's job with its error and its line errors", async () => {
    await server.graphql(IMPORT, { input: { jobId: "api-bad", csv: csv([`k-1,s-a2,${COMPARE},B,not a date`]) } }, headers.admin);
    const found = (await job("api-bad", headers.admin)).body.data?.job;
    expect(found).toMatchObject({
      state: "FAILED",
      error: "1 error(s); nothing was written",
      message: "1 error(s); nothing was written",
      attemptsMade: 1,
    });
    expect(JSON.parse(found?.result ?? "null").errors).toEqual([{ line: 2, message: expect.stringMatching(/answered_at/) }]);
  });

  it("hides a job from other schools (null, as an unknown id) and refuses it to teachers who did not start it, students and analysts", async () => {
    const other = await job("api-import", headers.adminB);
    expect(other.body.errors).toBeUndefined();
    expect(other.body.data?.job).toBeNull();
    expect((await job("no-such-job", headers.admin)).body.data?.job).toBeNull();
    for (const who of [headers.teacher, headers.student, headers.analyst]) {
      const { body } = await job("api-import", who);
      expect(codes(body)).toEqual(["FORBIDDEN"]);
      expect(body.data?.job ?? null).toBeNull();
    }
    expect(codes((await job("api-import", {})).body)).toEqual(["UNAUTHENTICATED"]);
  });

  it("queues a curriculum import from PATHWISE_JOBS_FILES_DIR for admins, and reports its changes", async () => {
    const events = await follow("curriculum-dry", () =>
      server.graphql(IMPORT_CURRICULUM, { input: { jobId: "curriculum-dry", path: "mini", dryRun: true } }, headers.admin),
    );
    expect(events.at(-1)).toMatchObject({ state: "COMPLETED", message: "nothing to write: mini already up to date" });
    const found = (await job("curriculum-dry", headers.admin)).body.data?.job;
    expect(JSON.parse(found?.result ?? "null")).toMatchObject({ subjects: ["mini"], dryRun: true, wrote: false, changeCount: 0 });
    expect(codes((await server.graphql(IMPORT_CURRICULUM, { input: { path: "mini" } }, headers.teacher)).body)).toEqual(["FORBIDDEN"]);
  });

  it("never reads a file outside PATHWISE_JOBS_FILES_DIR: the job fails at once, without retries", async () => {
    for (const [jobId, path, reason] of [
      ["outside", "../../etc", /is outside PATHWISE_JOBS_FILES_DIR|does not exist in PATHWISE_JOBS_FILES_DIR/],
      ["absolute", "/etc", /must be relative to PATHWISE_JOBS_FILES_DIR/],
    ] as const) {
      const events = await follow(jobId, () => server.graphql(IMPORT_CURRICULUM, { input: { jobId, path } }, headers.admin));
      expect(events.at(-1)?.state).toBe("FAILED");
      expect((await job(jobId, headers.admin)).body.data?.job).toMatchObject({
        state: "FAILED",
        attemptsMade: 1,
        error: expect.stringMatching(reason),
      });
    }
  });

  it("queues a BKT refit: fit, cross-validation and publishing of a parameter set with its metrics", async () => {
    const input = { jobId: "refit", dataPath: "answers.csv", restarts: 1, folds: 2, threads: 1 };
    const events = await follow("refit", () => server.graphql(REFIT, { input }, headers.admin));
    expect(events.some((e) => e.state === "RUNNING" && e.message?.startsWith("cross-validating"))).toBe(true);
    expect(events.at(-1)).toMatchObject({ state: "COMPLETED", processed: 7, total: 7 });
    const result = JSON.parse((await job("refit", headers.admin)).body.data?.job?.result ?? "null");
    expect(result).toMatchObject({
      variant: "standard",
      activated: true,
      knowledgePoints: 2,
      matched: 2,
      rows: 192,
      students: 12,
      folds: 2,
    });
    expect(result.setId).toEqual(expect.any(String));
    expect(result.crossValidation.auc).toBeGreaterThan(0.5);

    const bad = await server.graphql(REFIT, { input: { dataPath: "answers.csv", variant: "no-such-variant" } }, headers.admin);
    expect(codes(bad.body)).toEqual(["INVALID_INPUT"]);
    expect(bad.body.errors?.[0]?.extensions?.field).toBe("input.variant");
  });
});

describe("with Redis: the server queues, a `pathwise worker` process runs", () => {
  let redis: RunningRedis;
  let server: RunningServer;
  let worker: RunningWorker | undefined;
  let dataDir: string;
  let admin: Record<string, string>;
  let env: Record<string, string>;

  beforeAll(async () => {
    redis = await startRedis();
    dataDir = await dataDirWithLearners();
    env = { REDIS_URL: redis.url, PATHWISE_JOBS_QUEUE: "api-e2e", PATHWISE_JOBS_WAIT_MS: "3000" };
    server = await startServer({ dataDir, env });
    admin = bearer(await tokenFor("admin", "admin-a", SCHOOL_A));
  });

  afterAll(async () => {
    worker?.process.kill("SIGTERM");
    await worker?.exited;
    await server?.stop();
    await redis?.stop();
  });

  it("answers JOB_PENDING while no worker runs; a worker started later runs the job, its progress reaching the server's subscribers", async () => {
    const progress = await subscribe<ProgressEvent>(server, JOB_PROGRESS, { jobId: "queued-import" }, admin);
    const rows = [`q-1,s-a3,${COMPARE},B,2026-03-01T09:00:00Z`, `q-2,s-a3,${COMPARE},A,2026-03-01T09:01:00Z`];
    const pending = await server.graphql(IMPORT, { input: { jobId: "queued-import", csv: csv(rows) } }, admin);
    expect(codes(pending.body)).toEqual(["JOB_PENDING"]);
    expect(pending.body.errors?.[0]?.extensions).toMatchObject({ jobId: "queued-import", state: "QUEUED" });

    worker = await startWorker(["bin/pathwise.js", "worker", "--data-dir", dataDir], env);
    const events = await allEvents(progress);
    const states = events.map((e) => e.state);
    expect(states[0]).toBe("QUEUED");
    expect(states).toContain("RUNNING");
    expect(events.some((e) => e.state === "RUNNING" && e.processed === 2 && e.total === 2)).toBe(true);
    expect(events.at(-1)).toMatchObject({
      jobId: "queued-import",
      state: "COMPLETED",
      processed: 2,
      total: 2,
      message: "imported 2, skipped 0, 0 error(s)",
    });
    const found = (await server.graphql<{ job: Job | null }>(JOB, { id: "queued-import" }, admin)).body.data?.job;
    expect(found).toMatchObject({ state: "COMPLETED", attemptsMade: 1 });
    expect(JSON.parse(found?.result ?? "null")).toMatchObject({ imported: 2, skipped: 0 });
  });

  it("shows a teacher the job they started, and refuses it to another teacher", async () => {
    // Queued straight into the server's Redis queue by another process, as a teacher's job.
    const runtime = await openRuntime(
      loadConfig({ PATHWISE_DATA_DIR: mkdtempSync(join(tmpdir(), "pathwise-producer-")) }),
      createLogger("silent"),
    );
    const producer = await BullMqJobQueue.open(runtime, defaultJobHandlers(), jobsConfigFromEnv(env));
    try {
      const queued = await producer.enqueue(attemptImportJob, {
        schoolId: SCHOOL_A,
        requestedBy: "t-a1",
        payload: { csv: csv([`t-1,s-a1,${COMPARE},B,2026-03-02T09:00:00Z`]), dryRun: true },
      });
      await producer.waitUntilFinished(SCHOOL_A, queued.jobId, 30_000);
      const read = async (role: "teacher" | "admin", sub: string) =>
        (await server.graphql<{ job: Job | null }>(JOB, { id: queued.jobId }, bearer(await tokenFor(role, sub, SCHOOL_A)))).body;
      expect((await read("teacher", "t-a1")).data?.job).toMatchObject({ state: "COMPLETED", kind: "attempt-import", requestedBy: "t-a1" });
      expect((await read("admin", "admin-a")).data?.job?.state).toBe("COMPLETED");
      expect(codes(await read("teacher", "t-a2"))).toEqual(["FORBIDDEN"]);
    } finally {
      await producer.close();
      await runtime.close();
    }
  });

  it("keeps importAttempts' answer with a worker running: the import's outcome, idempotent by attempt id, CONFLICT for a taken job id", async () => {
    const rows = [`q-1,s-a3,${COMPARE},B,2026-03-01T09:00:00Z`, `q-3,s-a3,${COMPARE},B,2026-03-01T09:02:00Z`];
    const { body } = await server.graphql<{ importAttempts: unknown }>(
      IMPORT,
      { input: { jobId: "worker-import", csv: csv(rows) } },
      admin,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.importAttempts).toEqual({ jobId: "worker-import", dryRun: false, rows: 2, imported: 1, skipped: 1, errors: [] });
    const taken = await server.graphql(IMPORT, { input: { jobId: "worker-import", csv: csv([]) } }, admin);
    expect(codes(taken.body)).toEqual(["CONFLICT"]);
  });
  it("generates a teacher's lesson plan in the worker: the job is theirs, the plan is stored and readable by the class's staff only", async () => {
    const teacher = bearer(await tokenFor("teacher", "t-a1", SCHOOL_A));
    const generate = `mutation($input: GenerateLessonPlanInput!) {
      generateLessonPlan(input: $input) { job { id kind state requestedBy } lessonPlan { id version tiers { size } generation { source } markdown } }
    }`;
    const input = { classId: "school-a:7A", knowledgePointIds: ["mini.kp.add-like", "mini.kp.add-unlike"], tierCount: 2, language: "EN" };
    const { body } = await server.graphql<{
      generateLessonPlan: {
        job: Job & { kind: string; requestedBy: string };
        lessonPlan: { id: string; tiers: { size: number }[]; markdown: string };
      };
    }>(generate, { input }, teacher);
    expect(body.errors).toBeUndefined();
    const payload = body.data?.generateLessonPlan;
    expect(payload?.job).toMatchObject({ kind: "lesson-plan", state: "COMPLETED", requestedBy: "t-a1" });
    expect(payload?.lessonPlan.tiers.reduce((sum, tier) => sum + tier.size, 0)).toBe(6);
    expect(payload?.lessonPlan.markdown).not.toContain("Wang Fang");
    const read = `query($id: ID!) { lessonPlan(id: $id) { id } }`;
    const other = bearer(await tokenFor("teacher", "t-a2", SCHOOL_A));
    expect(codes((await server.graphql(read, { id: payload?.lessonPlan.id }, other)).body)).toEqual(["FORBIDDEN"]);
    expect(codes((await server.graphql(generate, { input }, other)).body)).toEqual(["FORBIDDEN"]);
  });
});
