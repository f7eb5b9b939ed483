/**
 * The Learning API over HTTP against the real server and the embedded store, with learners
 * created by the roster import: submitAnswer (grading, misconceptions, idempotent replay,
 * CONFLICT, INVALID_INPUT with the field, NOT_FOUND), concurrent answers of one student, the
 * reads that follow (me, mastery, attempt history, the class matrix, the analysts' summary) and
 * who sees a display name.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../support/server-process.js";
import { CLASS_A, dataDirWithLearners, SCHOOL_A, tokenFor } from "./support/learners.js";
import { bearer } from "./support/tokens.js";

const COMPARE = "mini.item.compare-1"; // single choice, answer B, point mini.kp.fraction-compare
const UNIT = "mini.item.unit-fraction-1"; // numeric, answer 4, point mini.kp.unit-fraction
const ADD_LIKE = "mini.tpl.add-like.3"; // single choice, answer B; option A reveals mini.mis.add-across

const SUBMIT = `mutation Submit($input: SubmitAnswerInput!) {
  submitAnswer(input: $input) {
    attemptId correct predictedCorrect sequence replayed
    misconceptions { id name { en } remedy { en } }
    mastery { knowledgePoint { id } before after state }
  }
}`;

interface Payload {
  attemptId: string;
  correct: boolean;
  predictedCorrect: number;
  sequence: number;
  replayed: boolean;
  misconceptions: { id: string; name: { en: string }; remedy: { en: string } | null }[];
  mastery: { knowledgePoint: { id: string }; before: number; after: number; state: string }[];
}

let server: RunningServer;
let student: Record<string, string>;
let teacher: Record<string, string>;
let admin: Record<string, string>;
let analyst: Record<string, string>;
let keys = 0;

function submit(headers: Record<string, string>, input: Record<string, unknown>) {
  return server.graphql<{ submitAnswer: Payload | null }>(
    SUBMIT,
    { input: { studentId: "s-a1", idempotencyKey: `k-${++keys}`, ...input } },
    headers,
  );
}

function codes(body: { errors?: { extensions?: Record<string, unknown> }[] }) {
  return (body.errors ?? []).map((e) => ({ code: e.extensions?.code, field: e.extensions?.field }));
}

beforeAll(async () => {
  server = await startServer({ dataDir: await dataDirWithLearners() });
  student = bearer(await tokenFor("student", "s-a1", SCHOOL_A));
  teacher = bearer(await tokenFor("teacher", "t-a1", SCHOOL_A));
  admin = bearer(await tokenFor("admin", "admin-a", SCHOOL_A));
  analyst = bearer(await tokenFor("analyst", "analyst-a", SCHOOL_A));
});

afterAll(async () => {
  await server.stop();
});

describe("submitAnswer", () => {
  it("grades a correct answer on the server and raises mastery", async () => {
    const { status, body } = await submit(student, { itemId: COMPARE, response: { optionIds: ["B"] }, responseTimeMs: 3100 });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const result = body.data?.submitAnswer as Payload;
    expect(result).toMatchObject({ correct: true, replayed: false, sequence: 1, misconceptions: [] });
    expect(result.attemptId).toMatch(/^att-/);
    expect(result.mastery).toHaveLength(1);
    const [change] = result.mastery;
    expect(change?.knowledgePoint.id).toBe("mini.kp.fraction-compare");
    expect(change?.after).toBeGreaterThan(change?.before ?? 1);
    expect(change?.state).toBe("LEARNING");
    expect(result.predictedCorrect).toBeGreaterThan(0);
    expect(result.predictedCorrect).toBeLessThan(1);
  });

  it("reports the misconception a wrong option indicates, with its remedy", async () => {
    const { body } = await submit(student, { itemId: ADD_LIKE, response: { optionIds: ["A"] } });
    expect(body.errors).toBeUndefined();
    expect(body.data?.submitAnswer).toMatchObject({ correct: false, misconceptions: [{ id: "mini.mis.add-across" }] });
    expect(body.data?.submitAnswer?.misconceptions[0]?.name.en).toBe("Adds numerators and denominators");
    const [change] = body.data?.submitAnswer?.mastery ?? [];
    expect(change?.after).toBeLessThan(change?.before ?? 0);
  });

  it("grades numeric values as typed, and lets a teacher or admin of the school answer for a student", async () => {
    const byTeacher = await submit(teacher, { itemId: UNIT, response: { value: "4" } });
    expect(byTeacher.body.errors).toBeUndefined();
    expect(byTeacher.body.data?.submitAnswer?.correct).toBe(true);
    const byAdmin = await submit(admin, { itemId: UNIT, response: { value: "3/4" } });
    expect(byAdmin.body.data?.submitAnswer?.correct).toBe(false);
  });

  it("replays the first result for a retry with the same key and payload, and CONFLICTs on another payload", async () => {
    const input = { itemId: COMPARE, idempotencyKey: "retry-1", response: { optionIds: ["A"] }, answeredAt: "2026-03-02T08:15:00Z" };
    const first = await submit(student, input);
    const again = await submit(student, input);
    expect(first.body.data?.submitAnswer?.replayed).toBe(false);
    expect(again.body.data?.submitAnswer).toEqual({ ...first.body.data?.submitAnswer, replayed: true });

    const other = await submit(student, { ...input, response: { optionIds: ["B"] } });
    expect(other.body.data).toBeNull();
    expect(codes(other.body)).toEqual([{ code: "CONFLICT", field: undefined }]);
    expect(other.body.errors?.[0]?.message).toMatch(/retry-1/);
  });

  it.each([
    ["an option the item does not have", { itemId: COMPARE, response: { optionIds: ["Z"] } }, "input.response.optionIds"],
    ["two options for a single-choice item", { itemId: COMPARE, response: { optionIds: ["A", "B"] } }, "input.response.optionIds"],
    ["a value for a choice item", { itemId: COMPARE, response: { value: "1" } }, "input.response.value"],
    ["a value that is not a number", { itemId: UNIT, response: { value: "four" } }, "input.response.value"],
    ["no response form", { itemId: COMPARE, response: {} }, "input.response"],
    ["two response forms", { itemId: COMPARE, response: { optionIds: ["B"], text: "B" } }, "input.response"],
    ["a negative response time", { itemId: COMPARE, response: { optionIds: ["B"] }, responseTimeMs: -1 }, "input.responseTimeMs"],
    ["a date that is not a date", { itemId: COMPARE, response: { optionIds: ["B"] }, answeredAt: "yesterday" }, "input.answeredAt"],
    ["an empty idempotency key", { itemId: COMPARE, response: { optionIds: ["B"] }, idempotencyKey: "" }, "input.idempotencyKey"],
  ])("answers %s with INVALID_INPUT naming the field", async (_name, input, field) => {
    const { status, body } = await submit(student, input);
    expect(status).toBe(200);
    expect(body.data).toBeNull();
    expect(codes(body)).toEqual([{ code: "INVALID_INPUT", field }]);
  });

  it.each([
    ["a string for an Int", { itemId: COMPARE, response: { optionIds: ["B"] }, responseTimeMs: "fast" }, "input.responseTimeMs"],
    ["a missing required field", { response: { optionIds: ["B"] } }, "input"],
    ["an unknown input field", { itemId: COMPARE, response: { optionIds: ["B"] }, correct: true }, "input"],
  ])("answers malformed variables (%s) with INVALID_INPUT naming the field", async (_name, input, field) => {
    const { body } = await submit(student, input);
    expect(body.data).toBeUndefined();
    expect(codes(body)).toEqual([{ code: "INVALID_INPUT", field }]);
  });

  it("answers an unknown item, and a student's own unknown id, with NOT_FOUND", async () => {
    const item = await submit(student, { itemId: "mini.item.nope", response: { optionIds: ["A"] } });
    expect(codes(item.body)).toEqual([{ code: "NOT_FOUND", field: undefined }]);
    const ghost = bearer(await tokenFor("student", "s-ghost", SCHOOL_A));
    const self = await submit(ghost, { studentId: "s-ghost", itemId: COMPARE, response: { optionIds: ["B"] } });
    expect(codes(self.body)).toEqual([{ code: "NOT_FOUND", field: undefined }]);
  });

  it("refuses staff an unknown student id with FORBIDDEN, exactly as one of another school", async () => {
    for (const studentId of ["s-ghost", "s-b1"]) {
      const { body } = await submit(teacher, { studentId, itemId: COMPARE, response: { optionIds: ["B"] } });
      expect(codes(body), studentId).toEqual([{ code: "FORBIDDEN", field: undefined }]);
    }
  });

  it("records every one of 20 concurrent answers of one student, in one sequence with no lost update", async () => {
    const studentToken = bearer(await tokenFor("student", "s-a2", SCHOOL_A));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        submit(studentToken, { studentId: "s-a2", itemId: COMPARE, response: { optionIds: [i % 3 === 0 ? "A" : "B"] } }),
      ),
    );
    for (const { body } of results) expect(body.errors).toBeUndefined();
    const payloads = results.map((r) => r.body.data?.submitAnswer as Payload);
    expect(payloads.map((p) => p.sequence).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(payloads.map((p) => p.attemptId)).size).toBe(20);
    // Each answer starts from the one before it: no update was lost.
    const ordered = [...payloads].sort((a, b) => a.sequence - b.sequence);
    for (let i = 1; i < ordered.length; i++) expect(ordered[i]?.mastery[0]?.before).toBe(ordered[i - 1]?.mastery[0]?.after);

    const { body } = await server.graphql<{
      student: { mastery: { attempts: number; probability: number }[]; attempts: { totalCount: number } };
    }>(
      `{ student(id: "s-a2") { mastery(knowledgePointIds: ["mini.kp.fraction-compare"]) { attempts probability } attempts { totalCount } } }`,
      undefined,
      studentToken,
    );
    expect(body.data?.student.attempts.totalCount).toBe(20);
    expect(body.data?.student.mastery[0]?.attempts).toBe(20);
    expect(body.data?.student.mastery[0]?.probability).toBe(ordered[19]?.mastery[0]?.after);
  });

  it("counts recorded answers and BKT update time in /metrics", async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const recorded = /pathwise_answers_recorded_total\{correct="true",service="pathwise"\} (\d+)/.exec(text);
    expect(Number(recorded?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(/pathwise_bkt_update_seconds_count\{service="pathwise"\} [1-9]/);
  });
});

describe("reads", () => {
  it("me: the token's subject, role and school, with the student's own record", async () => {
    const { body } = await server.graphql<{ me: unknown }>(
      "{ me { id role schoolId school { id } student { id } teacher { id } } }",
      undefined,
      student,
    );
    expect(body).toEqual({
      data: { me: { id: "s-a1", role: "STUDENT", schoolId: SCHOOL_A, school: { id: SCHOOL_A }, student: { id: "s-a1" }, teacher: null } },
    });
    const asTeacher = await server.graphql<{ me: { teacher: { id: string; displayName: string | null } } }>(
      "{ me { teacher { id displayName } } }",
      undefined,
      teacher,
    );
    expect(asTeacher.body.data?.me.teacher.id).toBe("t-a1");
  });

  it("a student's mastery: all practised points, or the points asked for with NOT_STARTED at the prior", async () => {
    const { body } = await server.graphql<{
      student: {
        mastery: { knowledgePoint: { id: string }; state: string; attempts: number; lastPractisedAt: string | null; probability: number }[];
      };
    }>(
      `{ student(id: "s-a1") { mastery(knowledgePointIds: ["mini.kp.fraction-compare", "mini.kp.add-unlike"]) {
          knowledgePoint { id } probability state attempts correct lastPractisedAt } } }`,
      undefined,
      student,
    );
    expect(body.errors).toBeUndefined();
    const [compare, unlike] = body.data?.student.mastery ?? [];
    expect(compare).toMatchObject({ knowledgePoint: { id: "mini.kp.fraction-compare" }, state: "LEARNING" });
    expect(compare?.attempts).toBeGreaterThanOrEqual(2);
    expect(compare?.lastPractisedAt).toMatch(/^\d{4}-/);
    expect(unlike).toMatchObject({
      knowledgePoint: { id: "mini.kp.add-unlike" },
      state: "NOT_STARTED",
      attempts: 0,
      lastPractisedAt: null,
    });

    const all = await server.graphql<{ student: { mastery: { knowledgePoint: { id: string } }[] } }>(
      '{ student(id: "s-a1") { mastery { knowledgePoint { id } } } }',
      undefined,
      student,
    );
    expect(all.body.data?.student.mastery.map((m) => m.knowledgePoint.id)).toEqual([
      "mini.kp.add-like",
      "mini.kp.fraction-compare",
      "mini.kp.unit-fraction",
    ]);

    const unknown = await server.graphql('{ student(id: "s-a1") { mastery(knowledgePointIds: ["nope"]) { state } } }', undefined, student);
    expect(codes(unknown.body)).toEqual([{ code: "INVALID_INPUT", field: "knowledgePointIds" }]);
  });

  it("attempt history: newest first, paged with cursors", async () => {
    type Page = {
      student: {
        attempts: {
          totalCount: number;
          pageInfo: { hasNextPage: boolean; endCursor: string };
          edges: {
            cursor: string;
            node: { sequence: number; item: { id: string } | null; response: { optionIds: string[] | null; value: string | null } };
          }[];
        };
      };
    };
    const query = `query($after: String) { student(id: "s-a1") { attempts(first: 2, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { sequence item { id } response { optionIds value } } } } } }`;
    const first = await server.graphql<Page>(query, undefined, teacher);
    expect(first.body.errors).toBeUndefined();
    const page = first.body.data?.student.attempts;
    const total = page?.totalCount ?? 0;
    expect(total).toBeGreaterThanOrEqual(5);
    expect(page?.edges.map((e) => e.node.sequence)).toEqual([total, total - 1]);
    expect(page?.pageInfo.hasNextPage).toBe(true);
    const second = await server.graphql<Page>(query, { after: page?.pageInfo.endCursor }, teacher);
    expect(second.body.data?.student.attempts.edges.map((e) => e.node.sequence)).toEqual([total - 2, total - 3]);
    const oldest = await server.graphql<Page>(query, { after: "2" }, teacher);
    expect(oldest.body.data?.student.attempts.edges[0]?.node).toEqual({
      sequence: 1,
      item: { id: COMPARE },
      response: { optionIds: ["B"], value: null },
    });
  });

  it("shows a student's display name to the school's staff only", async () => {
    const query = '{ student(id: "s-a1") { id displayName } }';
    for (const headers of [teacher, admin]) {
      const { body } = await server.graphql<{ student: { displayName: string } }>(query, undefined, headers);
      expect(body.data?.student.displayName).toBe("Wang Fang");
    }
    const own = await server.graphql<{ student: { id: string; displayName: string | null } }>(query, undefined, student);
    expect(own.body.data?.student).toEqual({ id: "s-a1", displayName: null });
    expect(codes(own.body)).toEqual([{ code: "FORBIDDEN", field: undefined }]);
  });

  it("keeps a student to themself and a teacher to their classes (checked against the store)", async () => {
    const classmate = bearer(await tokenFor("student", "s-a2", SCHOOL_A));
    const peer = await server.graphql('{ student(id: "s-a1") { id } }', undefined, classmate);
    expect(codes(peer.body)).toEqual([{ code: "FORBIDDEN", field: undefined }]);
    const otherTeacher = bearer(await tokenFor("teacher", "t-a2", SCHOOL_A));
    for (const query of ['{ student(id: "s-a1") { id } }', `{ class(id: "${CLASS_A}") { id } }`]) {
      const { body } = await server.graphql(query, undefined, otherTeacher);
      expect(codes(body), query).toEqual([{ code: "FORBIDDEN", field: undefined }]);
    }
    const classes = await server.graphql<{ classes: { edges: { node: { id: string } }[] } }>(
      "{ classes { edges { node { id } } } }",
      undefined,
      otherTeacher,
    );
    expect(classes.body.data?.classes.edges.map((e) => e.node.id)).toEqual(["school-a:7B"]);
  });

  it("a class's mastery matrix: every enrolled student × the points asked for", async () => {
    const { body } = await server.graphql<{
      class: {
        name: string;
        students: { totalCount: number };
        masteryMatrix: {
          knowledgePoints: { id: string }[];
          rows: { student: { id: string }; mastery: { state: string; attempts: number }[] }[];
        };
      };
    }>(
      `query Matrix($id: ID!, $points: [ID!]) { class(id: $id) { name students { totalCount }
        masteryMatrix(knowledgePointIds: $points) { knowledgePoints { id } rows { student { id } mastery { state attempts } } } } }`,
      { id: CLASS_A, points: ["mini.kp.fraction-compare", "mini.kp.add-unlike"] },
      teacher,
    );
    expect(body.errors).toBeUndefined();
    const matrix = body.data?.class.masteryMatrix;
    expect(body.data?.class.students.totalCount).toBe(6);
    expect(matrix?.knowledgePoints.map((k) => k.id)).toEqual(["mini.kp.fraction-compare", "mini.kp.add-unlike"]);
    expect(matrix?.rows.map((r) => r.student.id)).toEqual(["s-a1", "s-a2", "s-a3", "s-a4", "s-a5", "s-a6"]);
    expect(matrix?.rows[1]?.mastery[0]?.attempts).toBe(20);
    expect(["LEARNING", "MASTERED"]).toContain(matrix?.rows[1]?.mastery[0]?.state);
    expect(matrix?.rows[2]?.mastery).toEqual([
      { state: "NOT_STARTED", attempts: 0 },
      { state: "NOT_STARTED", attempts: 0 },
    ]);
  });

  it("analysts get de-identified summaries and no per-student field", async () => {
    type Summary = {
      classMasterySummary: {
        studentCount: number;
        suppressed: boolean;
        knowledgePoints: {
          knowledgePoint: { id: string };
          notStarted: number;
          learning: number;
          mastered: number;
          meanProbability: number;
        }[];
      };
    };
    const { body } = await server.graphql<Summary>(
      `{ classMasterySummary(classId: "${CLASS_A}", knowledgePointIds: ["mini.kp.fraction-compare"]) {
          studentCount suppressed knowledgePoints { knowledgePoint { id } notStarted learning mastered meanProbability totalAttempts } } }`,
      undefined,
      analyst,
    );
    expect(body.errors).toBeUndefined();
    const summary = body.data?.classMasterySummary;
    expect(summary).toMatchObject({ studentCount: 6, suppressed: false });
    expect(summary?.knowledgePoints[0]).toMatchObject({ knowledgePoint: { id: "mini.kp.fraction-compare" }, notStarted: 4 });
    expect((summary?.knowledgePoints[0]?.learning ?? 0) + (summary?.knowledgePoints[0]?.mastered ?? 0)).toBe(2);
    expect(JSON.stringify(body)).not.toMatch(/s-a\d/);

    const small = await server.graphql<Summary>(
      '{ classMasterySummary(classId: "school-a:7B") { studentCount suppressed knowledgePoints { notStarted } } }',
      undefined,
      analyst,
    );
    expect(small.body.data?.classMasterySummary).toEqual({ studentCount: 1, suppressed: true, knowledgePoints: [] });

    for (const query of [
      '{ student(id: "s-a1") { id } }',
      `{ class(id: "${CLASS_A}") { id students { totalCount } } }`,
      `{ class(id: "${CLASS_A}") { masteryMatrix { rows { mastery { state } } } } }`,
    ]) {
      const { body: refused } = await server.graphql(query, undefined, analyst);
      expect(codes(refused), query).toContainEqual({ code: "FORBIDDEN", field: undefined });
      expect(JSON.stringify(refused.data ?? null), query).not.toMatch(/s-a\d/);
    }
    const name = await server.graphql<{ class: { name: string } }>(`{ class(id: "${CLASS_A}") { name } }`, undefined, analyst);
    expect(name.body.data?.class.name).toBe("7A");
  });
});
