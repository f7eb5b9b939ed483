/**
 * The GraphiQL example operations are valid against the schema and harmless when the ids they
 * name are not in the store: the server seeded with the mini fixture (which has no
 * math.g5.fraction-add-unlike) starts, serves them and answers each without errors.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GRAPHIQL_EXAMPLES } from "../../src/server/graphiql-examples.js";
import { type RunningServer, startServer } from "../support/server-process.js";

describe("the GraphiQL example operations", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
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

  it("each run without errors, returning null for an absent knowledge point", async () => {
    expect(GRAPHIQL_EXAMPLES.length).toBeGreaterThan(0);
    for (const example of GRAPHIQL_EXAMPLES) {
      const variables = example.variables ? (JSON.parse(example.variables) as Record<string, unknown>) : undefined;
      const { status, body } = await server.graphql<Record<string, unknown>>(example.query, variables);
      expect(body.errors, example.query.split("\n")[0]).toBeUndefined();
      expect(status).toBe(200);
      if (variables && "id" in variables) expect(body.data).toEqual({ knowledgePoint: null });
    }
  });

  it("are served on the GraphiQL page", async () => {
    const html = await (await fetch(`${server.url}/graphql`, { headers: { accept: "text/html" } })).text();
    for (const example of GRAPHIQL_EXAMPLES) {
      const name = /query (\w+)/.exec(example.query)?.[1];
      expect(html).toContain(`query ${name}`);
    }
  });
});
