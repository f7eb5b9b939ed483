import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../../src/graph/sqlite/sqlite-store.js";
import { type RunningServer, startServer } from "../support/server-process.js";

describe("the HTTP server", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it("is live and ready, with the seeded curriculum indexed", async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${server.url}/readyz`);
    expect(await ready.json()).toEqual({ status: "ready", store: "sqlite", knowledgePoints: 5 });
  });

  it("answers curriculum queries: subjects, points, prerequisites, closures and items", async () => {
    const { status, body } = await server.graphql<{
      subjects: { id: string; stages: { id: string }[]; units: { id: string; knowledgePoints: { id: string }[] }[] }[];
      knowledgePoint: {
        name: { zh: string; en: string };
        prerequisites: { strength: number; knowledgePoint: { id: string } }[];
        prerequisiteClosure: { id: string }[];
        dependents: { knowledgePoint: { id: string } }[];
        items: { totalCount?: number; edges: { node: { id: string; type: string; options: { id: string }[] } }[] };
        misconceptions: { id: string }[];
      };
    }>(`query {
      subjects { id stages { id } units(grade: 5) { id knowledgePoints { id } } }
      knowledgePoint(id: "mini.kp.add-unlike") {
        name { zh en }
        prerequisites { strength knowledgePoint { id } }
        prerequisiteClosure { id }
        dependents { knowledgePoint { id } }
        items(first: 2) { edges { node { id type options { id } } } }
        misconceptions { id }
      }
    }`);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const [subject] = body.data?.subjects ?? [];
    expect(subject?.stages.map((s) => s.id)).toEqual(["mini.s2", "mini.s3"]);
    expect(subject?.units[0]?.knowledgePoints.map((k) => k.id)).toEqual([
      "mini.kp.common-denominator",
      "mini.kp.add-like",
      "mini.kp.add-unlike",
    ]);
    const point = body.data?.knowledgePoint;
    expect(point?.name).toEqual({ zh: "异分母分数加法", en: "Adding unlike fractions" });
    expect(point?.prerequisites).toEqual(
      expect.arrayContaining([
        { strength: 1, knowledgePoint: { id: "mini.kp.common-denominator" } },
        { strength: 0.8, knowledgePoint: { id: "mini.kp.add-like" } },
      ]),
    );
    expect(point?.prerequisiteClosure.map((k) => k.id)).toEqual([
      "mini.kp.unit-fraction",
      "mini.kp.fraction-compare",
      "mini.kp.common-denominator",
      "mini.kp.add-like",
    ]);
    expect(point?.dependents).toEqual([]);
    expect(point?.items.edges.map((e) => e.node.type)).toEqual(["NUMERIC", "NUMERIC"]);
    expect(point?.misconceptions.map((m) => m.id)).toEqual(["mini.mis.add-across"]);
  });

  it("pages knowledge-point search with cursors and a total", async () => {
    type Page = {
      knowledgePoints: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: { id: string } }[] };
    };
    const query = `query($after: String) { knowledgePoints(filter: { text: "fraction" }, first: 3, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`;
    const first = await server.graphql<Page>(query);
    expect(first.body.data?.knowledgePoints.totalCount).toBe(4);
    expect(first.body.data?.knowledgePoints.edges).toHaveLength(3);
    expect(first.body.data?.knowledgePoints.pageInfo.hasNextPage).toBe(true);
    const second = await server.graphql<Page>(query, { after: first.body.data?.knowledgePoints.pageInfo.endCursor });
    expect(second.body.data?.knowledgePoints.edges.map((e) => e.node.id)).toEqual(["mini.kp.add-unlike"]);
    expect(second.body.data?.knowledgePoints.pageInfo.hasNextPage).toBe(false);
  });

  it("returns null for unknown ids and never shows answer keys without a staff token", async () => {
    const { body } = await server.graphql<{ knowledgePoint: null; item: null }>(
      '{ knowledgePoint(id: "nope") { id } item(id: "nope") { id } }',
    );
    expect(body.data).toEqual({ knowledgePoint: null, item: null });
    const answer = await server.graphql('{ item(id: "mini.item.compare-1") { answer } }');
    expect(answer.body.errors?.[0]?.message).toMatch(/Cannot query field "answer"/);
    const key = await server.graphql<{ item: { answerKey: null } }>(
      '{ item(id: "mini.item.compare-1") { answerKey { correctOptionIds } } }',
    );
    expect(key.body.data?.item.answerKey).toBeNull();
    expect(key.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("rejects malformed requests with an error, not a crash", async () => {
    const syntax = await server.graphql("{ subjects { id ");
    expect(syntax.body.errors?.[0]?.message).toMatch(/Syntax Error/);
    const notJson = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(notJson.status).toBe(400);
    const ok = await fetch(`${server.url}/healthz`);
    expect(ok.status).toBe(200);
  });

  it("serves GraphiQL with example operations and no external assets", async () => {
    const response = await fetch(`${server.url}/graphql`, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Pathwise GraphQL");
    expect(html).toContain("query Prerequisites");
    const external = [...html.matchAll(/<(?:script|link)\b[^>]*(?:src|href)=["'](https?:)?\/\//gi)];
    expect(external).toEqual([]);
  });

  it("writes one structured log line per request", () => {
    const requests = server.logs
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { msg: string; status?: number; path?: string })
      .filter((e) => e.msg === "request");
    expect(requests.length).toBeGreaterThan(3);
    expect(requests[0]).toMatchObject({ path: "/graphql", status: expect.any(Number) });
  });
});

describe("server lifecycle", () => {
  it("shuts down gracefully on SIGTERM and closes the store", async () => {
    const server = await startServer();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await server.stop("SIGTERM")).toBe(0);
    expect(server.logs.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
    // The store file is closed and consistent: it reopens with the seed and no second seeding.
    const store = new SqliteStore({ file: `${server.dataDir}/pathwise.sqlite` });
    await store.migrate();
    expect(await store.curriculum.curriculumRevision()).toBe(1);
    await store.close();
    const again = await startServer({ dataDir: server.dataDir });
    expect(again.logs.some((line) => line.includes("importing the seed curriculum"))).toBe(false);
    await again.stop();
  });

  it("picks up an import made by another process", async () => {
    const server = await startServer();
    const { execFileSync } = await import("node:child_process");
    execFileSync(process.execPath, [
      "bin/pathwise.js",
      "curriculum",
      "import",
      "tests/fixtures/curriculum/extra/extra.yaml",
      "--data-dir",
      server.dataDir,
    ]);
    let points = 0;
    for (let attempt = 0; attempt < 40 && points !== 6; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      points = ((await (await fetch(`${server.url}/readyz`)).json()) as { knowledgePoints: number }).knowledgePoints;
    }
    expect(points).toBe(6);
    await server.stop();
  });
});
