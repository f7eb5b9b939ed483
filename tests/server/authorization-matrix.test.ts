/**
 * The authorization matrix: every root operation of the served schema × every role × own / other
 * school, against the real server. The operations are read from the server's own schema
 * (introspection), so a new Query, Mutation or Subscription field without an entry here fails
 * the test, and so does an entry for an operation that no longer exists.
 *
 * The data belongs to school-a (student s-a1 in class school-a:7A, taught by t-a1). "own" personas
 * are of school-a (the student persona is s-a1 themself), "other" personas of school-b. Outcomes:
 *
 * - `ok`: answered without errors, the field not null;
 * - `denied`: FORBIDDEN (UNAUTHENTICATED for anonymous), nothing of the field's data;
 * - `hidden`: null without an error, as for an unknown id: a school learns nothing about another's ids.
 *   For a subscription: no event and no error (another school's job of the same id is never seen).
 *
 * Subscriptions are read over Server-Sent Events: the first event decides (after `trigger`, which
 * makes something happen that an allowed subscriber hears).
 *
 * Whatever the outcome, a school-b persona's response data never contains a school-a id.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GraphQLBody, type RunningServer, startServer } from "../support/server-process.js";
import { CLASS_A, CLASS_B, dataDirWithLearners, SCHOOL_A, SCHOOL_B, tokenFor } from "./support/learners.js";
import { subscribe } from "./support/sse.js";
import { bearer, ROLES, type Role } from "./support/tokens.js";

type Outcome = "ok" | "denied" | "hidden";
type Persona = "anonymous" | `${Role}:own` | `${Role}:other`;
const PERSONAS: Persona[] = ["anonymous", ...ROLES.flatMap((role) => [`${role}:own`, `${role}:other`] as Persona[])];

/** Who each persona is: the own-school student is the student the data belongs to. */
const SUBJECTS: Record<Role, { own: string; other: string }> = {
  student: { own: "s-a1", other: "s-b1" },
  teacher: { own: "t-a1", other: "t-b1" },
  analyst: { own: "analyst-a", other: "analyst-b" },
  admin: { own: "admin-a", other: "admin-b" },
};

interface Entry {
  query: string;
  variables?: (persona: Persona) => Record<string, unknown>;
  /** A subscription: run over SSE; `trigger` runs once the subscription is set up. */
  subscription?: { trigger?: () => Promise<void> };
  /** Per role: [own school, other school]. */
  roles: Record<Role, [Outcome, Outcome]>;
  anonymous: Outcome;
}

const PUBLIC: Pick<Entry, "roles" | "anonymous"> = {
  anonymous: "ok",
  roles: { student: ["ok", "ok"], teacher: ["ok", "ok"], analyst: ["ok", "ok"], admin: ["ok", "ok"] },
};

let key = 0;
const MATRIX_JOB = "matrix-job";

/** One entry per root field of the schema. Keep it in step: the test fails on a missing or stale entry. */
const MATRIX: Record<string, Entry> = {
  subjects: { query: "{ subjects { id } }", ...PUBLIC },
  subject: { query: '{ subject(id: "mini") { id } }', ...PUBLIC },
  unit: { query: '{ unit(id: "mini.u.fractions-add") { id } }', ...PUBLIC },
  knowledgePoint: { query: '{ knowledgePoint(id: "mini.kp.add-like") { id } }', ...PUBLIC },
  knowledgePoints: { query: "{ knowledgePoints(first: 2) { totalCount edges { node { id } } } }", ...PUBLIC },
  item: { query: '{ item(id: "mini.item.compare-1") { id options { id } } }', ...PUBLIC },
  misconception: { query: '{ misconception(id: "mini.mis.add-across") { id } }', ...PUBLIC },
  me: {
    query: "{ me { id role schoolId } }",
    anonymous: "denied",
    roles: { student: ["ok", "ok"], teacher: ["ok", "ok"], analyst: ["ok", "ok"], admin: ["ok", "ok"] },
  },
  student: {
    query: `{ student(id: "s-a1") { id mastery { probability state } attempts(first: 3) { totalCount edges { node { id correct } } } } }`,
    anonymous: "denied",
    roles: { student: ["ok", "hidden"], teacher: ["ok", "hidden"], analyst: ["denied", "denied"], admin: ["ok", "hidden"] },
  },
  class: {
    query: `{ class(id: "${CLASS_A}") { id name students { totalCount edges { node { id } } } masteryMatrix { rows { student { id } mastery { state } } } } }`,
    anonymous: "denied",
    roles: { student: ["denied", "denied"], teacher: ["ok", "hidden"], analyst: ["denied", "hidden"], admin: ["ok", "hidden"] },
  },
  classes: {
    query: "{ classes { totalCount edges { node { id name } } } }",
    anonymous: "denied",
    roles: { student: ["denied", "denied"], teacher: ["ok", "ok"], analyst: ["ok", "ok"], admin: ["ok", "ok"] },
  },
  classMasterySummary: {
    query: `{ classMasterySummary(classId: "${CLASS_A}") { studentCount suppressed knowledgePoints { notStarted learning mastered meanProbability } } }`,
    anonymous: "denied",
    roles: { student: ["denied", "denied"], teacher: ["ok", "hidden"], analyst: ["ok", "hidden"], admin: ["ok", "hidden"] },
  },
  submitAnswer: {
    query: `mutation($input: SubmitAnswerInput!) { submitAnswer(input: $input) { attemptId correct mastery { before after } } }`,
    variables: () => ({
      input: { studentId: "s-a1", itemId: "mini.item.compare-1", response: { optionIds: ["B"] }, idempotencyKey: `matrix-${++key}` },
    }),
    anonymous: "denied",
    roles: { student: ["ok", "denied"], teacher: ["ok", "denied"], analyst: ["denied", "denied"], admin: ["ok", "denied"] },
  },
  importAttempts: {
    query: `mutation($input: ImportAttemptsInput!) { importAttempts(input: $input) { jobId imported skipped errors { line message } } }`,
    // A dry run for a student of the persona's own school (another school's students: tests/server/subscriptions.test.ts).
    variables: (persona) => ({
      input: {
        dryRun: true,
        csv: `attempt_id,student_id,item_id,response,answered_at\nm-1,${persona.endsWith(":other") ? "s-b1" : "s-a1"},mini.item.compare-1,B,2026-01-01T00:00:00Z\n`,
      },
    }),
    anonymous: "denied",
    roles: { student: ["denied", "denied"], teacher: ["denied", "denied"], analyst: ["denied", "denied"], admin: ["ok", "ok"] },
  },
  masteryChanged: {
    query: 'subscription { masteryChanged(studentId: "s-a1") { studentId attemptId correct changes { before after state } } }',
    subscription: {
      trigger: async () => {
        const { body } = await submitAs("admin:own", `matrix-sub-${++key}`);
        expect(body.errors).toBeUndefined();
      },
    },
    anonymous: "denied",
    roles: { student: ["ok", "denied"], teacher: ["ok", "denied"], analyst: ["denied", "denied"], admin: ["ok", "denied"] },
  },
  jobProgress: {
    // Job MATRIX_JOB of school-a has finished (beforeAll): its last state comes at once.
    query: `subscription { jobProgress(jobId: "${MATRIX_JOB}") { jobId state processed total } }`,
    subscription: {},
    anonymous: "denied",
    roles: { student: ["denied", "denied"], teacher: ["denied", "denied"], analyst: ["denied", "denied"], admin: ["ok", "hidden"] },
  },
};

function submitAs(persona: Persona, idempotencyKey: string) {
  return server.graphql(
    MATRIX.submitAnswer?.query ?? "",
    { input: { studentId: "s-a1", itemId: "mini.item.compare-1", response: { optionIds: ["B"] }, idempotencyKey } },
    headers.get(persona),
  );
}

/** A subscription's first event (or, after `hidden`'s wait, none: `{}`), as a response body. */
async function firstEvent(entry: Entry, persona: Persona): Promise<{ status: number; body: GraphQLBody<Record<string, unknown>> }> {
  const stream = await subscribe<Record<string, unknown>>(server, entry.query, entry.variables?.(persona) ?? {}, headers.get(persona));
  try {
    await entry.subscription?.trigger?.();
    const event = await stream.next(expected(entry, persona) === "hidden" ? 300 : 5000);
    return { status: stream.status, body: event ?? {} };
  } finally {
    stream.close();
  }
}

function expected(entry: Entry, persona: Persona): Outcome {
  if (persona === "anonymous") return entry.anonymous;
  const [role, school] = persona.split(":") as [Role, "own" | "other"];
  return entry.roles[role][school === "own" ? 0 : 1];
}

let server: RunningServer;
const headers = new Map<Persona, Record<string, string>>();

beforeAll(async () => {
  server = await startServer({ dataDir: await dataDirWithLearners() });
  headers.set("anonymous", {});
  for (const role of ROLES) {
    headers.set(`${role}:own`, bearer(await tokenFor(role, SUBJECTS[role].own, SCHOOL_A)));
    headers.set(`${role}:other`, bearer(await tokenFor(role, SUBJECTS[role].other, SCHOOL_B)));
  }
  // Some history, so that what a persona must not see exists.
  const admin = headers.get("admin:own") ?? {};
  const seeded = await server.graphql(
    MATRIX.submitAnswer?.query ?? "",
    { input: { studentId: "s-a1", itemId: "mini.tpl.add-like.3", response: { optionIds: ["A"] }, idempotencyKey: "seed-1" } },
    admin,
  );
  expect(seeded.body.errors).toBeUndefined();
  // A finished job of school-a, for jobProgress.
  const job = await server.graphql(
    "mutation($input: ImportAttemptsInput!) { importAttempts(input: $input) { jobId } }",
    { input: { jobId: MATRIX_JOB, dryRun: true, csv: "attempt_id,student_id,item_id,response,answered_at\n" } },
    admin,
  );
  expect(job.body.errors).toBeUndefined();
});

afterAll(async () => {
  await server.stop();
});

describe("the authorization matrix", () => {
  it("has exactly one entry per root operation of the served schema", async () => {
    const { body } = await server.graphql<{
      __schema: Record<"queryType" | "mutationType" | "subscriptionType", { fields: { name: string }[] } | null>;
    }>("{ __schema { queryType { fields { name } } mutationType { fields { name } } subscriptionType { fields { name } } } }");
    const schema = body.data?.__schema;
    const operations = [schema?.queryType, schema?.mutationType, schema?.subscriptionType].flatMap(
      (t) => t?.fields.map((f) => f.name) ?? [],
    );
    expect(operations.length).toBeGreaterThan(10);
    const missing = operations.filter((name) => !(name in MATRIX));
    const stale = Object.keys(MATRIX).filter((name) => !operations.includes(name));
    expect(missing, "operations without an authorization matrix entry").toEqual([]);
    expect(stale, "matrix entries for operations that do not exist").toEqual([]);
  });

  const cases = Object.entries(MATRIX).flatMap(([operation, entry]) =>
    PERSONAS.map((persona) => [operation, persona, expected(entry, persona)] as const),
  );

  it.each(cases)("%s as %s: %s", async (operation, persona, outcome) => {
    const entry = MATRIX[operation] as Entry;
    const { status, body } = entry.subscription
      ? await firstEvent(entry, persona)
      : await server.graphql<Record<string, unknown>>(entry.query, entry.variables?.(persona), headers.get(persona));
    expect(status).toBe(200);
    const errors = body.errors ?? [];
    const value = body.data?.[operation];
    const context = JSON.stringify(body).slice(0, 600);
    if (outcome === "ok") {
      expect(errors, context).toEqual([]);
      expect(value, context).not.toBeNull();
      expect(value, context).toBeDefined();
    } else if (outcome === "hidden") {
      expect(errors, context).toEqual([]);
      expect(value ?? null, context).toBeNull();
    } else {
      const code = persona === "anonymous" ? "UNAUTHENTICATED" : "FORBIDDEN";
      expect(errors.length, context).toBeGreaterThan(0);
      expect(
        errors.every((e) => e.extensions?.code === code),
        context,
      ).toBe(true);
    }
    if (persona.endsWith(":other") || persona === "anonymous") {
      const data = JSON.stringify(body.data ?? null);
      expect(data, context).not.toMatch(/school-a|s-a\d|t-a\d/);
    }
    if (persona === "analyst:own" && outcome !== "ok") {
      expect(JSON.stringify(body.data ?? null), context).not.toMatch(/s-a\d/);
    }
  });

  it("gives class school-b:7A's teacher their own class, and never school-a's", async () => {
    const { body } = await server.graphql<{ classes: { edges: { node: { id: string } }[] } }>(
      "{ classes { edges { node { id } } } }",
      undefined,
      headers.get("teacher:other"),
    );
    expect(body.data?.classes.edges.map((e) => e.node.id)).toEqual([CLASS_B]);
  });
});
