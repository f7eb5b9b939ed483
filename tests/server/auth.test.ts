/**
 * Authentication and authorization over HTTP against the real server: development mode (demo
 * tokens, anonymous curriculum reads), production mode (401 without a valid token, no
 * introspection, the development secret refused at start), and the answer key by role.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_JWT_SECRET } from "../../src/config.js";
import { type RunningServer, startServer } from "../support/server-process.js";
import { bearer, demoTokensOf, ROLES, type Role, sign } from "./support/tokens.js";

const ANSWER_KEY = '{ item(id: "mini.item.compare-1") { id answerKey { correctOptionIds } options { id misconception { id } } } }';
type AnswerKeyData = { item: { id: string; answerKey: { correctOptionIds: string[] } | null; options: { id: string }[] } };

describe("development mode", () => {
  let server: RunningServer;
  let tokens: Record<Role, string>;
  beforeAll(async () => {
    server = await startServer();
    tokens = await demoTokensOf(server);
  });
  afterAll(async () => {
    await server.stop();
  });

  it("prints a demo token per role for school demo, with how to paste one into GraphiQL", () => {
    const output = server.logs.join("\n");
    expect(output).toContain('demo tokens for school "demo"');
    expect(output).toContain(`{"Authorization": "Bearer ${tokens.teacher}"}`);
    expect(output).toMatch(/Headers" tab/);
  });

  it("accepts each role's token", async () => {
    for (const role of ROLES) {
      const { status, body } = await server.graphql<{ subjects: { id: string }[] }>("{ subjects { id } }", undefined, bearer(tokens[role]));
      expect(status, role).toBe(200);
      expect(body.errors, role).toBeUndefined();
      expect(body.data?.subjects.map((s) => s.id)).toEqual(["mini"]);
    }
  });

  it("lets anonymous requests read the public curriculum", async () => {
    const { status, body } = await server.graphql<{ knowledgePoint: { id: string } }>('{ knowledgePoint(id: "mini.kp.add-like") { id } }');
    expect(status).toBe(200);
    expect(body.data?.knowledgePoint.id).toBe("mini.kp.add-like");
  });

  it("shows the answer key to teachers, analysts and admins", async () => {
    for (const role of ["teacher", "analyst", "admin"] as const) {
      const { body } = await server.graphql<AnswerKeyData>(ANSWER_KEY, undefined, bearer(tokens[role]));
      expect(body.errors, role).toBeUndefined();
      expect(body.data?.item.answerKey?.correctOptionIds, role).toEqual(["B"]);
    }
  });

  it("hides the answer key from students (FORBIDDEN) and anonymous users (UNAUTHENTICATED), keeping the rest", async () => {
    const student = await server.graphql<AnswerKeyData>(ANSWER_KEY, undefined, bearer(tokens.student));
    expect(student.status).toBe(200);
    expect(student.body.data?.item.answerKey).toBeNull();
    expect(student.body.data?.item.options.map((o) => o.id)).toEqual(["A", "B", "C"]);
    const codes = (student.body.errors ?? []).map((e) => [e.path?.join("."), e.extensions?.code]);
    expect(codes).toContainEqual(["item.answerKey", "FORBIDDEN"]);
    expect(codes).toContainEqual(["item.options.0.misconception", "FORBIDDEN"]);
    expect(JSON.stringify(student.body)).not.toContain('"correctOptionIds"');

    const anonymous = await server.graphql<AnswerKeyData>(ANSWER_KEY);
    expect(anonymous.body.data?.item.answerKey).toBeNull();
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it.each([
    [
      "an expired token",
      () => sign(DEV_JWT_SECRET, { sub: "t-1", role: "teacher", school: "demo" }, { expiresAt: Math.floor(Date.now() / 1000) - 120 }),
      /expired/,
    ],
    [
      "a token for another audience",
      () => sign(DEV_JWT_SECRET, { sub: "t-1", role: "teacher", school: "demo" }, { audience: "other-app" }),
      /audience/,
    ],
    [
      "a token signed with another secret",
      () => sign("another-secret-another-secret-another-secret", { sub: "t-1", role: "teacher", school: "demo" }),
      /invalid/,
    ],
    ["a token with an unknown role", () => sign(DEV_JWT_SECRET, { sub: "t-1", role: "principal", school: "demo" }), /role/],
    ["garbage", async () => "garbage", /invalid/],
  ])("answers %s with HTTP 401 UNAUTHENTICATED, even in development", async (_name, make, message) => {
    const { status, body } = await server.graphql("{ subjects { id } }", undefined, bearer(await make()));
    expect(status).toBe(401);
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.extensions).toEqual({ code: "UNAUTHENTICATED" });
    expect(body.errors?.[0]?.message).toMatch(message);
  });

  it("has introspection on", async () => {
    const { body } = await server.graphql<{ __schema: { queryType: { name: string } } }>("{ __schema { queryType { name } } }");
    expect(body.data?.__schema.queryType.name).toBe("Query");
  });
});

describe("production mode", () => {
  const secret = "a-production-secret-of-more-than-32-bytes-0123456789";
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ env: { PATHWISE_MODE: "production", PATHWISE_JWT_SECRET: secret } });
  });
  afterAll(async () => {
    await server.stop();
  });

  it("answers a request without a token with HTTP 401 and UNAUTHENTICATED, before parsing it", async () => {
    for (const query of ["{ subjects { id } }", "{ nosuchfield }", "{ subjects { "]) {
      const response = await fetch(`${server.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query }),
      });
      expect(response.status, query).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
      const body = (await response.json()) as { errors: { message: string; extensions: unknown }[] };
      expect(body.errors).toEqual([{ message: expect.stringMatching(/Authorization: Bearer/), extensions: { code: "UNAUTHENTICATED" } }]);
    }
  });

  it("prints no demo tokens", () => {
    expect(server.logs.join("\n")).not.toContain("demo tokens");
  });

  it("accepts a valid token, refuses a development-secret one", async () => {
    const ok = await server.graphql(
      "{ subjects { id } }",
      undefined,
      bearer(await sign(secret, { sub: "a-1", role: "admin", school: "north" })),
    );
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ data: { subjects: [{ id: "mini" }] } });
    const dev = await server.graphql(
      "{ subjects { id } }",
      undefined,
      bearer(await sign(DEV_JWT_SECRET, { sub: "a-1", role: "admin", school: "north" })),
    );
    expect(dev.status).toBe(401);
  });

  it("has introspection off, and no GraphiQL", async () => {
    const token = bearer(await sign(secret, { sub: "t-1", role: "teacher", school: "north" }));
    const { body } = await server.graphql("{ __schema { types { name } } }", undefined, token);
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.message).toMatch(/introspection has been disabled/);
    const typeProbe = await server.graphql('{ __type(name: "Item") { name } }', undefined, token);
    expect(typeProbe.body.errors?.[0]?.message).toMatch(/introspection has been disabled/);
    // Field suggestions would leak the schema too.
    const typo = await server.graphql("{ subjectz { id } }", undefined, token);
    expect(typo.body.errors?.[0]?.message).not.toMatch(/Did you mean/);
    const page = await fetch(`${server.url}/graphql`, { headers: { accept: "text/html" } });
    expect(await page.text()).not.toContain("Pathwise GraphQL");
  });
});

describe("start-up in production mode", () => {
  it("refuses the built-in development secret with a clear error", async () => {
    const failed = await startServer({ env: { PATHWISE_MODE: "production", PATHWISE_JWT_SECRET: DEV_JWT_SECRET } }).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failed?.message).toMatch(/server exited with 1 before listening/);
    expect(failed?.message).toMatch(
      /pathwise: PATHWISE_JWT_SECRET is the built-in development secret, which is public; production mode refuses it/,
    );
  });

  it("refuses to start with no way to verify tokens", async () => {
    const failed = await startServer({ env: { PATHWISE_MODE: "production", PATHWISE_JWT_SECRET: "" } }).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failed?.message).toMatch(/production mode needs a way to verify tokens/);
  });
});
