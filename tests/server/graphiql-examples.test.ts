/**
 * The GraphiQL example operations are valid against the schema and harmless when the ids they
 * name are not in the store: the server seeded with the mini fixture (which has no
 * math.g5.fraction-add-unlike) starts, serves them and answers each without errors. The
 * learner-side examples (one or more per persona) run with their persona's token against the
 * test school, with the demo ids they name swapped for the test school's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_IDS, GRAPHIQL_EXAMPLES, PERSONA_ROLES } from "../../src/server/graphiql-examples.js";
import { type RunningServer, startServer } from "../support/server-process.js";
import { CLASS_A, dataDirWithLearners, SCHOOL_A, tokenFor } from "./support/learners.js";
import { bearer, type Role } from "./support/tokens.js";

const TEST_IDS: Record<keyof typeof DEMO_IDS, string> = {
  studentId: "s-a1",
  classId: CLASS_A,
  itemId: "mini.item.compare-1",
  unitId: "mini.u.fractions-add",
};
const TEST_SUBJECTS: Record<Role, string> = { student: "s-a1", teacher: "t-a1", analyst: "analyst-a", admin: "admin-a" };

describe("the GraphiQL example operations", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ dataDir: await dataDirWithLearners() });
  });
  afterAll(async () => {
    await server.stop();
  });

  it("do not stop the server from starting when the ids they name are absent", async () => {
    const ready = await fetch(`${server.url}/readyz`);
    expect(await ready.json()).toMatchObject({ status: "ready", knowledgePoints: 5 });
    const { body } = await server.graphql<{ knowledgePoint: null }>('{ knowledgePoint(id: "math.g5.fraction-add-unlike") { id } }');
    expect(body).toEqual({ data: { knowledgePoint: null } });
  });

  it("each curriculum example runs without errors, returning null for an absent knowledge point", async () => {
    const curriculum = GRAPHIQL_EXAMPLES.filter((example) => !example.persona);
    expect(curriculum.length).toBeGreaterThan(0);
    for (const example of curriculum) {
      const variables = example.variables ? (JSON.parse(example.variables) as Record<string, unknown>) : undefined;
      const { status, body } = await server.graphql<Record<string, unknown>>(example.query, variables);
      expect(body.errors, example.query.split("\n")[0]).toBeUndefined();
      expect(status).toBe(200);
      if (variables && "id" in variables) expect(body.data).toEqual({ knowledgePoint: null });
    }
  });

  it("has learner-side examples for every persona, each running without errors with that persona's token", async () => {
    const personas = new Set(GRAPHIQL_EXAMPLES.flatMap((example) => example.persona ?? []));
    expect([...personas].sort()).toEqual(["analyst", "app", "teacher"]);
    for (const example of GRAPHIQL_EXAMPLES) {
      if (!example.persona) continue;
      let variables = example.variables ?? "{}";
      for (const [name, id] of Object.entries(DEMO_IDS)) variables = variables.replaceAll(id, TEST_IDS[name as keyof typeof DEMO_IDS]);
      const role = PERSONA_ROLES[example.persona];
      const token = await tokenFor(role, TEST_SUBJECTS[role], SCHOOL_A);
      const { status, body } = await server.graphql<Record<string, unknown>>(
        example.query,
        JSON.parse(variables) as Record<string, unknown>,
        bearer(token),
      );
      expect(body.errors, example.query.split("\n")[0]).toBeUndefined();
      expect(status).toBe(200);
      for (const [field, value] of Object.entries(body.data ?? {})) expect(value, field).not.toBeNull();
    }
  });

  it("are served on the GraphiQL page, the learner-side tabs with their persona's demo token", async () => {
    const html = await (await fetch(`${server.url}/graphql`, { headers: { accept: "text/html" } })).text();
    for (const example of GRAPHIQL_EXAMPLES) {
      const name = /(?:query|mutation) (\w+)/.exec(example.query)?.[1];
      expect(html).toContain(`${example.query.includes("mutation ") ? "mutation" : "query"} ${name}`);
    }
    expect(html).toMatch(/Authorization[^<]{0,40}Bearer ey/);
    expect(html).not.toContain("paste a student token");
  });
});
