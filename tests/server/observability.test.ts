/**
 * Readiness, Prometheus metrics, request ids and error masking, over HTTP. Internal errors are
 * provoked for real: the store's table is renamed under the running server.
 */
import type { AddressInfo } from "node:net";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import type { KnowledgeGraphStore } from "../../src/graph/store.js";
import { createLogger } from "../../src/logger.js";
import { createHttpServer } from "../../src/server/http-server.js";
import type { CurriculumService } from "../../src/services/curriculum-service.js";
import { type RunningServer, startServer } from "../support/server-process.js";

/** The value of the one sample of `name` whose labels include `labels` (in any order). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const values = text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`))
    .filter((line) => Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)))
    .map((line) => Number(line.slice(line.lastIndexOf(" ") + 1)));
  if (values.length > 1) throw new Error(`${values.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return values[0];
}

describe("metrics, request ids and masked errors", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it("is ready while the store answers", async () => {
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", store: "sqlite", knowledgePoints: 5 });
  });

  it("serves Prometheus metrics: latency by operation, requests by outcome, answers and BKT update time", async () => {
    await server.graphql("query SubjectList { subjects { id } }");
    await server.graphql("query SubjectList { subjects { id } }");
    await server.graphql("query Broken { nosuchfield }");
    await server.graphql("{ subjects { id } }", undefined, { authorization: "Bearer nope" });
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(sample(text, "pathwise_graphql_request_duration_seconds_count", { operation: "SubjectList" })).toBe(2);
    expect(sample(text, "pathwise_graphql_request_duration_seconds_bucket", { operation: "SubjectList", le: "+Inf" })).toBe(2);
    expect(sample(text, "pathwise_graphql_requests_total", { operation: "SubjectList", outcome: "success" })).toBe(2);
    expect(sample(text, "pathwise_graphql_requests_total", { operation: "Broken", outcome: "error" })).toBe(1);
    expect(sample(text, "pathwise_graphql_requests_total", { outcome: "unauthenticated" })).toBe(1);
    expect(text).toContain("# TYPE pathwise_answers_recorded_total counter");
    expect(text).toContain("# TYPE pathwise_bkt_update_seconds histogram");
    expect(text).toContain("pathwise_process_resident_memory_bytes");
  });

  it("gives every GraphQL response a request id, keeping a sane one the client sent", async () => {
    const fresh = await fetch(`${server.url}/graphql?query=%7Bsubjects%7Bid%7D%7D`);
    expect(fresh.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await fetch(`${server.url}/graphql?query=%7Bsubjects%7Bid%7D%7D`, { headers: { "x-request-id": "client-42" } });
    expect(kept.headers.get("x-request-id")).toBe("client-42");
    for (const bad of ["has spaces in it", "x".repeat(65), "<script>"]) {
      const replaced = await fetch(`${server.url}/graphql?query=%7Bsubjects%7Bid%7D%7D`, { headers: { "x-request-id": bad } });
      expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
    const line = server.logs.find((l) => l.includes('"requestId":"client-42"') && l.includes('"msg":"request"'));
    expect(line).toBeDefined();
  });

  it("masks an internal error: a code and the request id for the client, the real error in the log", async () => {
    const db = new Database(`${server.dataDir}/pathwise.sqlite`);
    db.exec("ALTER TABLE stages RENAME TO stages_moved_away");
    db.close();
    try {
      const response = await fetch(`${server.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-request-id": "masked-1" },
        body: JSON.stringify({ query: "{ subjects { id stages { id } } }" }),
      });
      const text = await response.text();
      const body = JSON.parse(text) as { errors: { message: string; path: string[]; extensions: Record<string, unknown> }[] };
      expect(body.errors).toHaveLength(1);
      expect(body.errors[0]).toMatchObject({
        message: "Internal server error (request masked-1).",
        path: ["subjects", 0, "stages"],
        extensions: { code: "INTERNAL_SERVER_ERROR", requestId: "masked-1" },
      });
      expect(Object.keys(body.errors[0]?.extensions ?? {}).sort()).toEqual(["code", "requestId"]);
      expect(text).not.toMatch(/sqlite|no such table|\.js:\d+|stack/i);
      for (let attempt = 0; attempt < 40 && !server.logs.some((l) => l.includes("unexpected error")); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const logged = server.logs.find((l) => l.includes('"msg":"unexpected error"'));
      expect(logged).toContain('"requestId":"masked-1"');
      expect(logged).toMatch(/no such table: stages/);
    } finally {
      const repair = new Database(`${server.dataDir}/pathwise.sqlite`);
      repair.exec("ALTER TABLE stages_moved_away RENAME TO stages");
      repair.close();
    }
  });
});

describe("readiness when the store is unreachable", () => {
  it("answers /readyz with 503 while liveness stays 200", async () => {
    const store = {
      backend: "neo4j",
      ping: () => Promise.reject(new Error("connection refused")),
    } as unknown as KnowledgeGraphStore;
    const curriculum = { index: { pointCount: 0 } } as unknown as CurriculumService;
    const server = createHttpServer({
      config: loadConfig({ PATHWISE_MODE: "production", PATHWISE_JWT_SECRET: "x".repeat(40) }),
      store,
      curriculum,
      logger: createLogger("silent"),
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: "unavailable", reason: "connection refused" });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      server.close();
    }
  });
});
