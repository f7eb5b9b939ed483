/**
 * Subscriptions over real HTTP with Server-Sent Events, against the real server and the embedded
 * store: masteryChanged after submitAnswer (and nothing for a replay), who may subscribe, and the
 * admins' importAttempts mutation with its jobProgress events.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../support/server-process.js";
import { dataDirWithLearners, SCHOOL_A, SCHOOL_B, tokenFor } from "./support/learners.js";
import { type SseSubscription, subscribe } from "./support/sse.js";
import { bearer } from "./support/tokens.js";

const COMPARE = "mini.item.compare-1"; // single choice, answer B, point mini.kp.fraction-compare

const MASTERY_CHANGED = `subscription Watch($studentId: ID!) {
  masteryChanged(studentId: $studentId) { studentId attemptId itemId correct changes { knowledgePoint { id } before after state } }
}`;
const JOB_PROGRESS = `subscription Job($jobId: ID!) { jobProgress(jobId: $jobId) { jobId state processed total message } }`;
const SUBMIT = `mutation Submit($input: SubmitAnswerInput!) {
  submitAnswer(input: $input) { attemptId correct replayed mastery { knowledgePoint { id } before after state } }
}`;
const IMPORT = `mutation Import($input: ImportAttemptsInput!) {
  importAttempts(input: $input) { jobId dryRun rows imported skipped errors { line message } }
}`;
const ATTEMPTS = `query Attempts($id: ID!) { student(id: $id) { attempts(first: 50) { totalCount } } }`;

interface Change {
  knowledgePoint: { id: string };
  before: number;
  after: number;
  state: string;
}
interface MasteryEvent {
  masteryChanged: { studentId: string; attemptId: string; itemId: string; correct: boolean; changes: Change[] };
}
interface JobEvent {
  jobProgress: { jobId: string; state: string; processed: number; total: number; message: string | null };
}
interface ImportPayload {
  jobId: string;
  dryRun: boolean;
  rows: number;
  imported: number;
  skipped: number;
  errors: { line: number | null; message: string }[];
}

let server: RunningServer;
let student: Record<string, string>;
let otherStudent: Record<string, string>;
let teacher: Record<string, string>;
let analyst: Record<string, string>;
let admin: Record<string, string>;
let adminB: Record<string, string>;
let teacherB: Record<string, string>;
const open: SseSubscription<unknown>[] = [];

async function watch<T>(query: string, variables: Record<string, unknown>, headers: Record<string, string>) {
  const subscription = await subscribe<T>(server, query, variables, headers);
  open.push(subscription as SseSubscription<unknown>);
  return subscription;
}

function submit(headers: Record<string, string>, input: Record<string, unknown>) {
  return server.graphql<{ submitAnswer: { attemptId: string; correct: boolean; replayed: boolean; mastery: Change[] } }>(
    SUBMIT,
    { input: { studentId: "s-a1", itemId: COMPARE, ...input } },
    headers,
  );
}

async function attemptCount(studentId: string): Promise<number> {
  const { body } = await server.graphql<{ student: { attempts: { totalCount: number } } }>(ATTEMPTS, { id: studentId }, admin);
  expect(body.errors).toBeUndefined();
  return body.data?.student.attempts.totalCount ?? -1;
}

/** Every event until the stream completes (or 5 s without one). */
async function allEvents<T>(subscription: SseSubscription<T>) {
  const events = [];
  for (let event = await subscription.next(); event; event = await subscription.next()) events.push(event);
  return events;
}

beforeAll(async () => {
  server = await startServer({ dataDir: await dataDirWithLearners() });
  student = bearer(await tokenFor("student", "s-a1", SCHOOL_A));
  otherStudent = bearer(await tokenFor("student", "s-a2", SCHOOL_A));
  teacher = bearer(await tokenFor("teacher", "t-a1", SCHOOL_A));
  analyst = bearer(await tokenFor("analyst", "analyst-a", SCHOOL_A));
  admin = bearer(await tokenFor("admin", "admin-a", SCHOOL_A));
  adminB = bearer(await tokenFor("admin", "admin-b", SCHOOL_B));
  teacherB = bearer(await tokenFor("teacher", "t-b1", SCHOOL_B));
});

afterAll(async () => {
  for (const subscription of open) subscription.close();
  await server.stop();
});

describe("masteryChanged", () => {
  it("delivers a student's own answer to their subscription, after it committed, with the same numbers", async () => {
    const subscription = await watch<MasteryEvent>(MASTERY_CHANGED, { studentId: "s-a1" }, student);
    expect(subscription.status).toBe(200);
    expect(subscription.contentType).toMatch(/text\/event-stream/);

    const { body } = await submit(student, { response: { optionIds: ["B"] }, idempotencyKey: "sub-1" });
    expect(body.errors).toBeUndefined();
    const answer = body.data?.submitAnswer;
    const event = await subscription.next();
    expect(event?.errors).toBeUndefined();
    expect(event?.data?.masteryChanged).toEqual({
      studentId: "s-a1",
      attemptId: answer?.attemptId,
      itemId: COMPARE,
      correct: true,
      changes: answer?.mastery,
    });
    const [change] = event?.data?.masteryChanged.changes ?? [];
    expect(change?.knowledgePoint.id).toBe("mini.kp.fraction-compare");
    expect(change?.after).toBeGreaterThan(change?.before ?? 1);
    expect(change?.state).toBe("LEARNING");
    // The answer is committed by the time the event arrives.
    expect(await attemptCount("s-a1")).toBeGreaterThanOrEqual(1);
    subscription.close();
  });

  it("sends nothing for a replayed answer", async () => {
    const subscription = await watch<MasteryEvent>(MASTERY_CHANGED, { studentId: "s-a1" }, teacher);
    const first = await submit(teacher, { response: { optionIds: ["A"] }, idempotencyKey: "sub-replay" });
    expect(first.body.data?.submitAnswer.replayed).toBe(false);
    expect((await subscription.next())?.data?.masteryChanged.attemptId).toBe(first.body.data?.submitAnswer.attemptId);

    const replay = await submit(teacher, { response: { optionIds: ["A"] }, idempotencyKey: "sub-replay" });
    expect(replay.body.data?.submitAnswer).toMatchObject({ replayed: true, attemptId: first.body.data?.submitAnswer.attemptId });
    expect(await subscription.next(300)).toBeUndefined();
    // The next event is the next new answer's: nothing came for the replay in between.
    const next = await submit(teacher, { response: { optionIds: ["B"] }, idempotencyKey: "sub-after-replay" });
    expect((await subscription.next())?.data?.masteryChanged.attemptId).toBe(next.body.data?.submitAnswer.attemptId);
    subscription.close();
  });

  it.each([
    ["another student", () => otherStudent, "FORBIDDEN"],
    ["an analyst", () => analyst, "FORBIDDEN"],
    ["a teacher of another school", () => teacherB, "FORBIDDEN"],
    ["an admin of another school", () => adminB, "FORBIDDEN"],
    ["anonymous", () => ({}), "UNAUTHENTICATED"],
  ])("refuses %s", async (_who, headers, code) => {
    const subscription = await watch<MasteryEvent>(MASTERY_CHANGED, { studentId: "s-a1" }, headers());
    expect(subscription.status).toBe(200);
    const refusal = await subscription.next();
    expect(refusal?.data ?? null).toBeNull();
    expect(refusal?.errors?.map((e) => e.extensions?.code)).toEqual([code]);
    // No stream: the next answer of s-a1 is not delivered.
    await submit(admin, { response: { optionIds: ["B"] }, idempotencyKey: `refused-${code}-${Math.random()}` });
    expect(await subscription.next(300)).toBeUndefined();
  });
});

describe("importAttempts and jobProgress", () => {
  const csv = (rows: string[]) => `attempt_id,student_id,item_id,response,answered_at\n${rows.join("\n")}\n`;

  it("imports an admin's school's attempts and reports RUNNING … COMPLETED on jobProgress", async () => {
    const before = await attemptCount("s-a3");
    const jobId = "import-ok";
    const progress = await watch<JobEvent>(JOB_PROGRESS, { jobId }, admin);
    const mastery = await watch<MasteryEvent>(MASTERY_CHANGED, { studentId: "s-a3" }, admin);
    const { body } = await server.graphql<{ importAttempts: ImportPayload }>(
      IMPORT,
      {
        input: {
          jobId,
          csv: csv([`h-1,s-a3,${COMPARE},B,2026-01-05T09:00:00Z`, `h-2,s-a3,${COMPARE},A,2026-01-05T09:01:00Z`]),
        },
      },
      admin,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.importAttempts).toEqual({ jobId, dryRun: false, rows: 2, imported: 2, skipped: 0, errors: [] });
    expect(await attemptCount("s-a3")).toBe(before + 2);

    const events = (await allEvents(progress)).map((e) => e.data?.jobProgress);
    const states = events.map((e) => e?.state);
    expect(states[0]).toBe("QUEUED");
    expect(states).toContain("RUNNING");
    expect(states.indexOf("RUNNING")).toBeLessThan(states.length - 1);
    expect(states.at(-1)).toBe("COMPLETED");
    expect(events.at(-1)).toMatchObject({ jobId, processed: 2, total: 2 });
    expect(events.at(-1)?.message).toMatch(/imported 2/);
    expect(events.some((e) => e?.state === "RUNNING" && e.processed === 2)).toBe(true);

    // The imported answers went through the answer path: one masteryChanged each, in answered_at order.
    const first = await mastery.next();
    const second = await mastery.next();
    expect([first?.data?.masteryChanged.correct, second?.data?.masteryChanged.correct]).toEqual([true, false]);

    // Again: idempotent by attempt id, and the job id is taken.
    const again = await server.graphql<{ importAttempts: ImportPayload }>(
      IMPORT,
      { input: { csv: csv([`h-1,s-a3,${COMPARE},B,2026-01-05T09:00:00Z`]) } },
      admin,
    );
    expect(again.body.data?.importAttempts).toMatchObject({ imported: 0, skipped: 1, errors: [] });
    expect(again.body.data?.importAttempts.jobId).toMatch(/^job-/);
    const taken = await server.graphql(IMPORT, { input: { jobId, csv: csv([]) } }, admin);
    expect(taken.body.errors?.map((e) => e.extensions?.code)).toEqual(["CONFLICT"]);

    // A late subscriber gets the finished job's last state and the stream ends; another school's admin, nothing.
    const late = await allEvents(await watch<JobEvent>(JOB_PROGRESS, { jobId }, admin));
    expect(late.map((e) => e.data?.jobProgress.state)).toEqual(["COMPLETED"]);
    const foreign = await watch<JobEvent>(JOB_PROGRESS, { jobId }, adminB);
    expect(foreign.status).toBe(200);
    expect(await foreign.next(300)).toBeUndefined();
  });

  it("returns line errors for a bad CSV, writes nothing and reports FAILED", async () => {
    const before = await attemptCount("s-a4");
    const jobId = "import-bad";
    const progress = await watch<JobEvent>(JOB_PROGRESS, { jobId }, admin);
    const { body } = await server.graphql<{ importAttempts: ImportPayload }>(
      IMPORT,
      {
        input: {
          jobId,
          csv: csv([
            `b-1,s-a4,${COMPARE},B,2026-01-06T09:00:00Z`,
            `b-2,s-a4,${COMPARE},B,not a date`,
            `b-3,s-a4,mini.item.nope,B,2026-01-06T09:02:00Z`,
            `b-4,s-nobody,${COMPARE},B,2026-01-06T09:03:00Z`,
          ]),
        },
      },
      admin,
    );
    expect(body.errors).toBeUndefined();
    const result = body.data?.importAttempts;
    expect(result).toMatchObject({ jobId, imported: 0, skipped: 0, rows: 4 });
    expect(result?.errors.map((e) => e.line)).toEqual([3, 4, 5]);
    expect(result?.errors[0]?.message).toMatch(/answered_at/);
    expect(result?.errors[1]?.message).toMatch(/mini\.item\.nope/);
    expect(result?.errors[2]?.message).toBe('student "s-nobody" does not exist (import the roster first)');
    expect(await attemptCount("s-a4")).toBe(before);
    const states = (await allEvents(progress)).map((e) => e.data?.jobProgress.state);
    expect(states.at(-1)).toBe("FAILED");

    const header = await server.graphql<{ importAttempts: ImportPayload }>(IMPORT, { input: { csv: "attempt_id,student\n" } }, admin);
    expect(header.body.data?.importAttempts.errors).toEqual([{ line: 1, message: expect.stringMatching(/lacks column/) }]);
  });

  it("checks without writing on a dry run", async () => {
    const before = await attemptCount("s-a5");
    const { body } = await server.graphql<{ importAttempts: ImportPayload }>(
      IMPORT,
      { input: { dryRun: true, csv: csv([`d-1,s-a5,${COMPARE},B,2026-01-07T09:00:00Z`]) } },
      admin,
    );
    expect(body.data?.importAttempts).toMatchObject({ dryRun: true, imported: 1, errors: [] });
    expect(await attemptCount("s-a5")).toBe(before);
  });

  it("treats another school's student exactly as an unknown one, and writes nothing", async () => {
    const before = await attemptCount("s-a6");
    const { body } = await server.graphql<{ importAttempts: ImportPayload }>(
      IMPORT,
      { input: { csv: csv([`x-1,s-a6,${COMPARE},B,2026-01-08T09:00:00Z`, `x-2,s-b1,${COMPARE},B,2026-01-08T09:00:00Z`]) } },
      adminB,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.importAttempts).toMatchObject({
      imported: 0,
      skipped: 0,
      errors: [{ line: 2, message: 'student "s-a6" does not exist (import the roster first)' }],
    });
    expect(await attemptCount("s-a6")).toBe(before);
  });

  it.each([
    ["an analyst", () => analyst, "FORBIDDEN"],
    ["a teacher", () => teacher, "FORBIDDEN"],
    ["a student", () => student, "FORBIDDEN"],
    ["anonymous", () => ({}), "UNAUTHENTICATED"],
  ])("refuses the import and job progress to %s", async (_who, headers, code) => {
    const { body } = await server.graphql(IMPORT, { input: { csv: csv([]) } }, headers());
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual([code]);
    const progress = await watch<JobEvent>(JOB_PROGRESS, { jobId: "import-ok" }, headers());
    expect((await progress.next())?.errors?.map((e) => e.extensions?.code)).toEqual([code]);
  });
});
