/**
 * Request limits over HTTP: GraphQL Armor's depth, alias, cost, directive and token limits each
 * refuse with their own code, bodies over the size limit get HTTP 413 and bodies of another media
 * type HTTP 415. The server runs with
 * low limits so that small queries reach them.
 */
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../support/server-process.js";

const LIMITS = {
  PATHWISE_MAX_DEPTH: "4",
  PATHWISE_MAX_ALIASES: "3",
  PATHWISE_MAX_COST: "45",
  PATHWISE_MAX_DIRECTIVES: "3",
  PATHWISE_MAX_TOKENS: "120",
  PATHWISE_MAX_BODY_BYTES: "4096",
};

describe("request limits", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ env: LIMITS });
  });
  afterAll(async () => {
    await server.stop();
  });

  async function refusal(query: string) {
    const { body } = await server.graphql(query);
    expect(body.data).toBeUndefined();
    return { code: body.errors?.[0]?.extensions?.code, message: body.errors?.[0]?.message };
  }

  it("accepts what is within every limit", async () => {
    const { body } = await server.graphql<{ subjects: unknown[] }>("{ subjects { id units { id } } }");
    expect(body.errors).toBeUndefined();
  });

  it("refuses an operation nested too deep with DEPTH_LIMIT_EXCEEDED", async () => {
    const deep =
      '{ knowledgePoint(id: "mini.kp.add-unlike") { prerequisites { knowledgePoint { prerequisites { knowledgePoint { id } } } } } }';
    expect(await refusal(deep)).toEqual({ code: "DEPTH_LIMIT_EXCEEDED", message: expect.stringMatching(/depth limit of 4/) });
  });

  it("refuses too many aliases with ALIAS_LIMIT_EXCEEDED", async () => {
    expect(await refusal("{ a: subjects { id } b: subjects { id } c: subjects { id } d: subjects { id } }")).toMatchObject({
      code: "ALIAS_LIMIT_EXCEEDED",
    });
  });

  it("refuses an operation that costs too much with COST_LIMIT_EXCEEDED", async () => {
    const costly =
      "{ subjects { id name { zh en } standard { zh en } stages { id grades name { zh en } } domains { code name { zh en } } } }";
    expect(await refusal(costly)).toMatchObject({ code: "COST_LIMIT_EXCEEDED" });
  });

  it("refuses too many directives with DIRECTIVE_LIMIT_EXCEEDED", async () => {
    expect(await refusal("{ subjects { id @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) } }")).toMatchObject({
      code: "DIRECTIVE_LIMIT_EXCEEDED",
    });
  });

  it("refuses too many tokens with TOKEN_LIMIT_EXCEEDED", async () => {
    const fields = Array.from({ length: 130 }, () => "id").join(" ");
    expect(await refusal(`{ subjects { ${fields} } }`)).toMatchObject({ code: "TOKEN_LIMIT_EXCEEDED" });
  });

  it("answers a body over the limit with HTTP 413 and keeps serving", async () => {
    const big = JSON.stringify({ query: "{ subjects { id } }", variables: { pad: "x".repeat(5000) } });
    const response = await fetch(`${server.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: big });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: "PAYLOAD_TOO_LARGE" } }] });
    const ok = await server.graphql("{ subjects { id } }");
    expect(ok.status).toBe(200);
  });

  it("answers a body it does not parse (multipart, plain text) with HTTP 415 and a typed error", async () => {
    const form = new FormData();
    form.set("operations", JSON.stringify({ query: "{ subjects { id } }" }));
    form.set("map", "{}");
    for (const body of [form, "{ subjects { id } }"]) {
      const response = await fetch(`${server.url}/graphql`, { method: "POST", body });
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({
        errors: [{ message: expect.stringMatching(/application\/json/), extensions: { code: "UNSUPPORTED_MEDIA_TYPE" } }],
      });
    }
  });

  it("counts the bytes of a chunked body too (no Content-Length)", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        `${server.url}/graphql`,
        { method: "POST", headers: { "content-type": "application/json" } },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on("error", reject);
      request.write('{"query":"{ subjects { id } }","variables":{"pad":"');
      for (let i = 0; i < 10; i++) request.write("y".repeat(1000));
      request.end('"}}');
    });
    expect(status).toBe(413);
  });
});
