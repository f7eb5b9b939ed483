/**
 * The api suite's workload: tokens, the demo school's students and the real items of their
 * classes' knowledge points (with answer keys, read as a teacher), and the three request
 * streams (trivial query, submitAnswer, mastery read) with a check of every response.
 */

import { SeededRandom } from "../src/bkt/random.js";
import { loadConfig } from "../src/config.js";
import { signToken } from "../src/schema/auth/tokens.js";

export interface GraphQLResponse<T> {
  status: number;
  body: { data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] };
}

export async function graphql<T>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<GraphQLResponse<T>> {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse<T>["body"] };
}

/** Like `graphql`, but throws on anything other than 200 with data and no errors. */
export async function graphqlOk<T>(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const { status, body } = await graphql<T>(url, query, variables, token);
  if (status !== 200 || body.errors?.length || !body.data) {
    throw new Error(`GraphQL request failed (HTTP ${status}): ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
  }
  return body.data;
}

export const DEMO_SCHOOL = "demo";
/** Co-teaches every demo class, so it can read every student and the answer keys. */
export const DEMO_TEACHER = "demo-teacher";

/** Signs with exactly what the server verifies with (the same environment → the same secret and audience). */
export function tokenSigner(env: NodeJS.ProcessEnv) {
  const auth = loadConfig(env).auth;
  return (role: "student" | "teacher" | "admin", subject: string) =>
    signToken({ role, subject, schoolId: DEMO_SCHOOL, expiresIn: "2h" }, auth);
}

type AnswerResponse = { optionIds: string[] } | { value: string } | { text: string };

export interface BenchItem {
  id: string;
  type: string;
  right: AnswerResponse;
  wrong: AnswerResponse;
}

export interface BenchStudent {
  id: string;
  classId: string;
  token: string;
}

export interface Workload {
  students: BenchStudent[];
  /** Items of each class's knowledge points (those its students have practised), by class id. */
  itemsByClass: Map<string, BenchItem[]>;
  pointsByClass: Map<string, number>;
}

const ROSTER = `query BenchRoster {
  classes { edges { node { id students(first: 100) { edges { node { id } } } masteryMatrix { knowledgePoints { id } } } } }
}`;
const POINT_ITEMS = `query BenchPointItems($id: ID!) { knowledgePoint(id: $id) { items(first: 100) { edges { node { id type options { id } } } } } }`;
const ANSWER_KEY = `query BenchAnswerKey($id: ID!) { item(id: $id) { answerKey { correctOptionIds value accept } } }`;

interface RosterData {
  classes: {
    edges: {
      node: { id: string; students: { edges: { node: { id: string } }[] }; masteryMatrix: { knowledgePoints: { id: string }[] } | null };
    }[];
  };
}
interface PointItemsData {
  knowledgePoint: { items: { edges: { node: { id: string; type: string; options: { id: string }[] } }[] } } | null;
}
interface AnswerKeyData {
  item: { answerKey: { correctOptionIds: string[]; value: number | null; accept: string[] } | null } | null;
}

/** Runs `task` over `inputs` with at most `limit` in flight. */
async function pool<I, O>(inputs: I[], limit: number, task: (input: I) => Promise<O>): Promise<O[]> {
  const out: O[] = new Array(inputs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, inputs.length) }, async () => {
      while (next < inputs.length) {
        const i = next++;
        out[i] = await task(inputs[i] as I);
      }
    }),
  );
  return out;
}

function answersFor(
  type: string,
  options: { id: string }[],
  key: NonNullable<NonNullable<AnswerKeyData["item"]>["answerKey"]>,
): Pick<BenchItem, "right" | "wrong"> | undefined {
  if (type === "SINGLE_CHOICE" || type === "MULTIPLE_CHOICE") {
    const wrongOption = options.find((o) => !key.correctOptionIds.includes(o.id));
    if (key.correctOptionIds.length === 0 || !wrongOption) return undefined;
    const wrong = type === "SINGLE_CHOICE" ? [wrongOption.id] : [...key.correctOptionIds.slice(1), wrongOption.id];
    return { right: { optionIds: key.correctOptionIds }, wrong: { optionIds: wrong } };
  }
  if (type === "NUMERIC" && key.value !== null) return { right: { value: String(key.value) }, wrong: { value: String(key.value + 1000) } };
  if (type === "SHORT_ANSWER" && key.accept[0] !== undefined)
    return { right: { text: key.accept[0] }, wrong: { text: "benchmark-wrong-answer" } };
  return undefined;
}

/** The demo school's students (each with their own token) and their classes' items with right and wrong responses. */
export async function discoverWorkload(url: string, sign: ReturnType<typeof tokenSigner>): Promise<Workload> {
  const teacher = await sign("teacher", DEMO_TEACHER);
  const roster = await graphqlOk<RosterData>(url, ROSTER, {}, teacher);
  const students: BenchStudent[] = [];
  const itemsByClass = new Map<string, BenchItem[]>();
  const pointsByClass = new Map<string, number>();
  for (const { node: klass } of roster.classes.edges) {
    const points = (klass.masteryMatrix?.knowledgePoints ?? []).map((p) => p.id);
    pointsByClass.set(klass.id, points.length);
    const listed = (
      await pool(points, 8, async (id) => (await graphqlOk<PointItemsData>(url, POINT_ITEMS, { id }, teacher)).knowledgePoint)
    )
      .flatMap((point) => point?.items.edges.map((e) => e.node) ?? [])
      .filter((item, i, all) => all.findIndex((other) => other.id === item.id) === i);
    const items = await pool(listed, 8, async (item): Promise<BenchItem | undefined> => {
      const key = (await graphqlOk<AnswerKeyData>(url, ANSWER_KEY, { id: item.id }, teacher)).item?.answerKey;
      const answers = key ? answersFor(item.type, item.options, key) : undefined;
      return answers ? { id: item.id, type: item.type, ...answers } : undefined;
    });
    itemsByClass.set(
      klass.id,
      items.filter((item): item is BenchItem => item !== undefined),
    );
    for (const { node: student } of klass.students.edges) {
      students.push({ id: student.id, classId: klass.id, token: await sign("student", student.id) });
    }
  }
  if (students.length === 0) throw new Error("the demo school has no students (is PATHWISE_DEMO on and the store fresh?)");
  for (const [classId, items] of itemsByClass) if (items.length === 0) throw new Error(`no gradable items found for class ${classId}`);
  return { students, itemsByClass, pointsByClass };
}

/** Sum of every demo student's attempts, read over the API as the co-teacher of all classes. */
export async function countAttemptsViaApi(url: string, sign: ReturnType<typeof tokenSigner>, students: BenchStudent[]): Promise<number> {
  const teacher = await sign("teacher", DEMO_TEACHER);
  const counts = await pool(students, 8, async (student) => {
    const data = await graphqlOk<{ student: { attempts: { totalCount: number } } | null }>(
      url,
      "query BenchAttemptCount($id: ID!) { student(id: $id) { attempts(first: 1) { totalCount } } }",
      { id: student.id },
      teacher,
    );
    if (!data.student) throw new Error(`student ${student.id} not readable`);
    return data.student.attempts.totalCount;
  });
  return counts.reduce((a, b) => a + b, 0);
}

/** What one scenario's responses were: valid, HTTP errors, GraphQL errors by code. */
export interface Tally {
  responses: number;
  ok: number;
  non200: number;
  graphqlErrors: number;
  errorCodes: Record<string, number>;
  sampleErrors: string[];
}

export function newTally(): Tally {
  return { responses: 0, ok: 0, non200: 0, graphqlErrors: 0, errorCodes: {}, sampleErrors: [] };
}

export interface Scenario {
  name: string;
  /** The next request body and its bearer token. */
  next(): { body: string; token: string };
  /** Checks one response body (already known to be HTTP 200); returns an error text or undefined. */
  check(body: Record<string, unknown>): string | undefined;
  tally: Tally;
}

export function record(tally: Tally, status: number, text: string, check: Scenario["check"]): void {
  tally.responses++;
  if (status !== 200) {
    tally.non200++;
    if (tally.sampleErrors.length < 5) tally.sampleErrors.push(`HTTP ${status}: ${text.slice(0, 200)}`);
    return;
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    tally.graphqlErrors++;
    if (tally.sampleErrors.length < 5) tally.sampleErrors.push(`not JSON: ${text.slice(0, 200)}`);
    return;
  }
  const errors = body.errors as { message?: string; extensions?: { code?: string } }[] | undefined;
  const problem = errors?.length ? undefined : check(body);
  if (errors?.length || problem) {
    tally.graphqlErrors++;
    const code = errors?.[0]?.extensions?.code ?? (problem ? "BAD_PAYLOAD" : "NO_CODE");
    tally.errorCodes[code] = (tally.errorCodes[code] ?? 0) + 1;
    if (tally.sampleErrors.length < 5) tally.sampleErrors.push(problem ?? JSON.stringify(errors).slice(0, 300));
    return;
  }
  tally.ok++;
}

export const TRIVIAL_QUERY = "query BenchTrivial { __typename }";
export const SUBMIT_ANSWER = `mutation BenchSubmitAnswer($input: SubmitAnswerInput!) {
  submitAnswer(input: $input) { attemptId correct replayed sequence predictedCorrect misconceptions { id } mastery { knowledgePoint { id } before after state } }
}`;
export const MASTERY_READ = `query BenchMastery($id: ID!) {
  student(id: $id) { id mastery { knowledgePoint { id } probability state attempts correct lastPractisedAt } }
}`;

/** `{ __typename }`, sent with a student's token so that the ratio compares like with like (JWT check included). */
export function trivialScenario(workload: Workload): Scenario {
  const body = JSON.stringify({ query: TRIVIAL_QUERY, operationName: "BenchTrivial" });
  let n = 0;
  return {
    name: "trivial",
    next: () => ({ body, token: (workload.students[n++ % workload.students.length] as BenchStudent).token }),
    check: (json) => ((json.data as { __typename?: string } | undefined)?.__typename === "Query" ? undefined : "no __typename"),
    tally: newTally(),
  };
}

/**
 * submitAnswer with a distinct idempotency key per request, round-robin over every demo student
 * (each with their own token, as a learning app would send), items drawn from the student's
 * class points, right or wrong at random (`correctShare` right). Acknowledged attempt ids are
 * collected in `acknowledged` to check durability afterwards.
 */
export function submitScenario(workload: Workload, runId: string, acknowledged: Set<string>, correctShare = 0.6, seed = 7): Scenario {
  const random = new SeededRandom(seed);
  let n = 0;
  return {
    name: "submitAnswer",
    next() {
      const student = workload.students[n % workload.students.length] as BenchStudent;
      const items = workload.itemsByClass.get(student.classId) as BenchItem[];
      const item = items[Math.floor(random.next() * items.length)] as BenchItem;
      const input = {
        studentId: student.id,
        itemId: item.id,
        response: random.next() < correctShare ? item.right : item.wrong,
        idempotencyKey: `bench-${runId}-${n++}`,
        responseTimeMs: 2000 + Math.floor(random.next() * 30_000),
      };
      return {
        body: JSON.stringify({ query: SUBMIT_ANSWER, operationName: "BenchSubmitAnswer", variables: { input } }),
        token: student.token,
      };
    },
    check(json) {
      const payload = (json.data as { submitAnswer?: { attemptId?: string; replayed?: boolean; mastery?: unknown[] } | null } | undefined)
        ?.submitAnswer;
      if (!payload?.attemptId) return "no submitAnswer payload";
      if (payload.replayed) return `replayed ${payload.attemptId} (idempotency keys must be distinct)`;
      if (!payload.mastery?.length) return `no mastery change for ${payload.attemptId}`;
      acknowledged.add(payload.attemptId);
      return undefined;
    },
    tally: newTally(),
  };
}

/** A student's mastery of every point (the app's "what next" read), round-robin over the students with their own tokens. */
export function masteryScenario(workload: Workload): Scenario {
  let n = 0;
  return {
    name: "mastery",
    next() {
      const student = workload.students[n++ % workload.students.length] as BenchStudent;
      return {
        body: JSON.stringify({ query: MASTERY_READ, operationName: "BenchMastery", variables: { id: student.id } }),
        token: student.token,
      };
    },
    check(json) {
      const student = (json.data as { student?: { mastery?: unknown[] } | null } | undefined)?.student;
      if (!student?.mastery) return "no student mastery";
      return student.mastery.length > 0 ? undefined : "empty mastery";
    },
    tally: newTally(),
  };
}
