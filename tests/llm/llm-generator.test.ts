/**
 * The LLM narrative generator against a local OpenAI-compatible server (tests/support/openai-stub.ts):
 * request shape per structured-output method, parsing, retries and the offline fallback,
 * timeouts, refused models, the identifier guard, and the audit log.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createChatModel } from "../../src/llm/chat-model.js";
import { type LlmConfig, llmConfigFromEnv, type StructuredOutputMethod } from "../../src/llm/config.js";
import {
  type AuditRecord,
  IdentifierGuard,
  ModelNotAllowedError,
  ProtectedIdentifierError,
  readGeneratedText,
} from "../../src/llm/governance.js";
import { createNarrativeGenerator, type NarrativeCall } from "../../src/llm/lesson-narrative-generator.js";
import type { NarrativeRequest } from "../../src/llm/narrative.js";
import { offlineNarrative } from "../../src/llm/offline-generator.js";
import { type ChatCompletionBody, type OpenAiStub, startOpenAiStub } from "../support/openai-stub.js";
import { fractionLessonRequest, modelNarrative } from "./lesson-request.js";

/** The class's roster as the lesson-plan service would pass it: ids and names that must never leave. */
const STUDENT_IDS = Array.from({ length: 45 }, (_, i) => `g5-2-s${String(i + 1).padStart(2, "0")}`);
const STUDENT_NAMES = ["欧阳子涵", "司马若溪", "诸葛一鸣", "上官思远", "Ouyang Zihan", "Sima Ruoxi"];
const ROSTER = [...STUDENT_IDS, ...STUDENT_NAMES];

const CALL: NarrativeCall = {
  caller: { userId: "t-1", role: "teacher", schoolId: "demo" },
  protectedIdentifiers: ROSTER,
};

let stub: OpenAiStub;
let dir: string;
let auditPath: string;

beforeEach(async () => {
  stub = await startOpenAiStub();
  dir = mkdtempSync(join(tmpdir(), "pathwise-llm-"));
  auditPath = join(dir, "llm-audit.jsonl");
});

afterEach(async () => {
  await stub.close();
  rmSync(dir, { recursive: true, force: true });
});

function config(env: NodeJS.ProcessEnv = {}): LlmConfig {
  return llmConfigFromEnv(
    {
      PATHWISE_LLM_PROVIDER: "openai-compatible",
      PATHWISE_LLM_BASE_URL: stub.baseUrl,
      PATHWISE_LLM_MODEL: "qwen2.5-7b-instruct",
      PATHWISE_LLM_API_KEY: "sk-test",
      PATHWISE_LLM_BACKOFF_MS: "1",
      PATHWISE_LLM_AUDIT_LOG: auditPath,
      ...env,
    },
    { dataDir: dir },
  );
}

function auditLines(): AuditRecord[] {
  return readFileSync(auditPath, "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as AuditRecord);
}

const body = (index: number): ChatCompletionBody => {
  const request = stub.requests[index];
  if (!request?.body) throw new Error(`no request ${index}`);
  return request.body;
};

describe("request shape and parsing per structured-output method", () => {
  const request = fractionLessonRequest("en");

  it("json_mode (the default): response_format json_object and the schema in the system prompt", async () => {
    stub.script({ kind: "structured", value: modelNarrative(request) });
    const result = await createNarrativeGenerator(config()).generate(request, CALL);

    expect(stub.requests).toHaveLength(1);
    const sent = body(0);
    expect(stub.requests[0]).toMatchObject({ method: "POST", path: "/v1/chat/completions" });
    expect(stub.requests[0]?.headers.authorization).toBe("Bearer sk-test");
    expect(sent).toMatchObject({ model: "qwen2.5-7b-instruct", stream: false, max_tokens: 4096, response_format: { type: "json_object" } });
    expect(sent.tools).toBeUndefined();
    expect(sent.messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(sent.messages[0]?.content).toContain("Write in English");
    expect(sent.messages[0]?.content).toContain("JSON Schema:");
    expect(sent.messages[0]?.content).toContain('"additionalProperties":false');
    expect(sent.messages[1]?.content).toContain(`"topic":${JSON.stringify(request.topic)}`);
    expect(sent.messages[1]?.content).toContain("[Target] Meaning of fractions and fractional units");

    expect(result).toMatchObject({
      source: "llm",
      provider: "openai-compatible",
      model: "qwen2.5-7b-instruct",
      method: "json_mode",
      attempts: 1,
      warnings: [],
    });
    expect(readGeneratedText(result.narrative.overview)).toBe("A differentiated lesson on the meaning of fractions.");
    expect(result.narrative.tiers.map((t) => t.tierId)).toEqual(["t1", "t2", "t3"]);
    expect(result.tokens).toMatchObject({ reportedPrompt: 1234, completion: 567 });
    expect(result.tokens.prompt).toBeGreaterThan(1000);
    expect(result.packing?.kept.length).toBeGreaterThan(0);
  });

  it("json_schema: a strict response_format carrying the schema", async () => {
    stub.script({ kind: "structured", value: modelNarrative(request) });
    const result = await createNarrativeGenerator(config({ PATHWISE_LLM_STRUCTURED_OUTPUT: "json_schema" })).generate(request, CALL);
    const format = body(0).response_format;
    expect(format?.type).toBe("json_schema");
    expect(format?.json_schema).toMatchObject({
      name: "lesson_narrative",
      strict: true,
      schema: { type: "object", additionalProperties: false },
    });
    expect(format?.json_schema?.schema.required).toEqual(["overview", "opening", "tiers", "closing"]);
    expect(body(0).messages[0]?.content).not.toContain("JSON Schema:");
    expect(result).toMatchObject({ source: "llm", method: "json_schema", attempts: 1 });
  });

  it("function_calling: one tool with the schema, forced by tool_choice, answered as a tool call", async () => {
    stub.script({ kind: "structured", value: modelNarrative(request) });
    const result = await createNarrativeGenerator(config({ PATHWISE_LLM_STRUCTURED_OUTPUT: "function_calling" })).generate(request, CALL);
    const sent = body(0);
    expect(sent.response_format).toBeUndefined();
    expect(sent.tools).toHaveLength(1);
    expect(sent.tools?.[0]?.function).toMatchObject({ name: "lesson_narrative", parameters: { type: "object" } });
    expect(sent.tool_choice).toEqual({ type: "function", function: { name: "lesson_narrative" } });
    expect(result).toMatchObject({ source: "llm", method: "function_calling", attempts: 1, warnings: [] });
    expect(result.narrative.tiers[0]?.misconceptions.map((m) => m.misconceptionId)).toEqual(
      request.tiers[0]?.misconceptions.map((m) => m.id),
    );
  });

  it("writes the prompt in Chinese for a Chinese plan, and sends the configured temperature", async () => {
    const zh = fractionLessonRequest("zh");
    stub.script({ kind: "structured", value: modelNarrative(zh) });
    await createNarrativeGenerator(config({ PATHWISE_LLM_TEMPERATURE: "0.2" })).generate(zh, CALL);
    expect(body(0).messages[0]?.content).toContain("用简体中文写给教师看");
    expect(body(0).messages[1]?.content).toContain("【目标知识点】分数的意义和分数单位");
    expect(body(0).temperature).toBe(0.2);
  });

  it("accepts JSON wrapped in a Markdown code fence", async () => {
    stub.script({ kind: "content", text: `\`\`\`json\n${JSON.stringify(modelNarrative(request))}\n\`\`\`` });
    const result = await createNarrativeGenerator(config()).generate(request, CALL);
    expect(result).toMatchObject({ source: "llm", attempts: 1 });
  });

  it("records a warning when the tiers' minutes do not add up, but keeps the model's text", async () => {
    const narrative = modelNarrative(request) as { tiers: { activities: { minutes: number }[] }[] };
    (narrative.tiers[1]?.activities[0] as { minutes: number }).minutes = 3;
    stub.script({ kind: "structured", value: narrative });
    const result = await createNarrativeGenerator(config()).generate(request, CALL);
    expect(result.source).toBe("llm");
    expect(result.warnings).toEqual([{ code: "timing-mismatch", message: 'tier "t2": activities take 21 minutes, the skeleton gives 28' }]);
  });
});

describe("retries, timeouts and the offline fallback", () => {
  const request = fractionLessonRequest("en");

  it("retries malformed output, feeding the problems back, then falls back to the offline generator with a warning", async () => {
    const wrongTiers = modelNarrative(request) as { tiers: { tierId: string }[] };
    (wrongTiers.tiers[2] as { tierId: string }).tierId = "t9";
    stub.script(
      { kind: "content", text: "Here is your lesson plan: first, ..." },
      { kind: "structured", value: { overview: "only this" } },
      { kind: "structured", value: wrongTiers },
    );
    const result = await createNarrativeGenerator(config()).generate(request, CALL);

    expect(stub.requests).toHaveLength(3);
    expect(result.source).toBe("offline");
    expect(result.attempts).toBe(3);
    expect(result.warnings).toEqual([
      {
        code: "offline-fallback",
        reason: "malformed-output",
        message:
          "The model qwen2.5-7b-instruct did not return a usable narrative in 3 attempt(s); this text was written by the built-in offline generator.",
      },
    ]);
    expect(JSON.stringify(result.narrative)).toBe(JSON.stringify(offlineNarrative(request)));
    // The first request is the prompt alone; retries add the reasons for the rejection.
    expect(body(0).messages).toHaveLength(2);
    expect(body(1).messages.at(-1)?.content).toMatch(/^Your previous reply was rejected: the reply was not valid JSON\./);
    expect(body(2).messages.at(-1)?.content).toContain("opening: Invalid input");
    expect(auditLines().map((line) => [line.attempt, line.outcome])).toEqual([
      [1, "malformed-output"],
      [2, "malformed-output"],
      [3, "malformed-output"],
    ]);
  });

  it("succeeds on a retry after a malformed answer", async () => {
    stub.script({ kind: "content", text: "{ truncated" }, { kind: "structured", value: modelNarrative(request) });
    const result = await createNarrativeGenerator(config()).generate(request, CALL);
    expect(result).toMatchObject({ source: "llm", attempts: 2, warnings: [] });
    expect(auditLines().map((line) => line.outcome)).toEqual(["malformed-output", "ok"]);
  });

  it("times out a slow server, retries, and falls back", async () => {
    stub.setDefault({ kind: "structured", value: modelNarrative(request), delayMs: 10_000 });
    const result = await createNarrativeGenerator(config({ PATHWISE_LLM_TIMEOUT_MS: "300", PATHWISE_LLM_MAX_RETRIES: "1" })).generate(
      request,
      CALL,
    );
    expect(stub.requests).toHaveLength(2);
    expect(result).toMatchObject({ source: "offline", attempts: 2, warnings: [{ code: "offline-fallback", reason: "timeout" }] });
    expect(auditLines().map((line) => line.outcome)).toEqual(["timeout", "timeout"]);
  });

  it("retries HTTP 5xx and 429", async () => {
    stub.script({ kind: "status", status: 500 }, { kind: "status", status: 429 }, { kind: "structured", value: modelNarrative(request) });
    const result = await createNarrativeGenerator(config()).generate(request, CALL);
    expect(result).toMatchObject({ source: "llm", attempts: 3 });
    expect(auditLines().map((line) => [line.outcome, line.detail])).toEqual([
      ["http-error", "HTTP 500"],
      ["http-error", "HTTP 429"],
      ["ok", undefined],
    ]);
  });

  it("does not retry a client error such as a bad key, and falls back at once", async () => {
    stub.setDefault({ kind: "status", status: 401, message: "invalid api key" });
    const result = await createNarrativeGenerator(config()).generate(request, CALL);
    expect(stub.requests).toHaveLength(1);
    expect(result).toMatchObject({ source: "offline", attempts: 1, warnings: [{ reason: "http-error" }] });
  });

  it("falls back without calling when the skeleton does not fit the context window", async () => {
    const result = await createNarrativeGenerator(
      config({ PATHWISE_LLM_CONTEXT_TOKENS: "3000", PATHWISE_LLM_MAX_OUTPUT_TOKENS: "2000" }),
    ).generate(request, CALL);
    expect(stub.requests).toHaveLength(0);
    expect(result).toMatchObject({ source: "offline", attempts: 0, warnings: [{ reason: "prompt-too-large" }] });
  });

  it("stops when the caller cancels, and says so in the audit log", async () => {
    stub.setDefault({ kind: "structured", value: modelNarrative(request), delayMs: 10_000 });
    const controller = new AbortController();
    const generation = createNarrativeGenerator(config()).generate(request, { ...CALL, signal: controller.signal });
    while (stub.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    await expect(generation).rejects.toThrow();
    expect(stub.requests).toHaveLength(1);
    expect(auditLines().map((line) => line.outcome)).toEqual(["cancelled"]);
  });
});

describe("governance", () => {
  it("refuses a denied model before any request is sent", () => {
    expect(() => createNarrativeGenerator(config({ PATHWISE_LLM_DENY_MODELS: "gpt-*,qwen2.5-*" }))).toThrow(ModelNotAllowedError);
    expect(() => createNarrativeGenerator(config({ PATHWISE_LLM_DENY_MODELS: "qwen2.5-*" }))).toThrow(
      'LLM model "qwen2.5-7b-instruct" is denied by PATHWISE_LLM_DENY_MODELS (pattern "qwen2.5-*"); no request was sent',
    );
    expect(() => createNarrativeGenerator(config({ PATHWISE_LLM_ALLOW_MODELS: "deepseek-*" }))).toThrow(
      /matches no pattern of PATHWISE_LLM_ALLOW_MODELS/,
    );
    expect(stub.requests).toHaveLength(0);
  });

  it("sends no student identifier in any request, across methods, languages and retries", async () => {
    for (const method of ["json_mode", "json_schema", "function_calling"] as StructuredOutputMethod[]) {
      for (const language of ["zh", "en"] as const) {
        const request = fractionLessonRequest(language);
        stub.script({ kind: "content", text: "no" }, { kind: "structured", value: modelNarrative(request) });
        const result = await createNarrativeGenerator(config({ PATHWISE_LLM_STRUCTURED_OUTPUT: method })).generate(request, CALL);
        expect(result.source).toBe("llm");
      }
    }
    expect(stub.requests).toHaveLength(12);
    const guard = new IdentifierGuard(ROSTER);
    for (const sent of stub.requests) {
      expect(guard.occurrencesIn(sent.text)).toBe(0);
      expect(guard.occurrencesIn(JSON.stringify(sent.headers))).toBe(0);
      expect(() => guard.assertBodyAbsent(sent.text)).not.toThrow();
    }
  });

  it("refuses a prompt that contains a student's name: nothing is sent, the plan comes from the offline generator", async () => {
    const request: NarrativeRequest = fractionLessonRequest("zh");
    const tier = request.tiers[0];
    // An item stem that happens to name a real student of the class.
    tier?.practiceItems.push({ stem: "欧阳子涵把一根2米长的绳子平均分成5段，每段长多少米？", pointName: "分数的意义和分数单位" });
    const result = await createNarrativeGenerator(config()).generate(request, CALL);

    expect(stub.requests).toHaveLength(0);
    expect(result).toMatchObject({
      source: "offline",
      attempts: 0,
      warnings: [{ code: "offline-fallback", reason: "protected-identifier" }],
    });
    expect(result.warnings[0]?.message).toBe(
      "提示词中出现了学生的姓名或编号，因此未向模型发送任何内容；以下文字由系统内置的离线生成器生成。",
    );
    expect(auditLines()).toMatchObject([{ attempt: 1, outcome: "refused-identifier", detail: "ProtectedIdentifierError" }]);
    expect(readFileSync(auditPath, "utf8")).not.toContain("欧阳子涵");
  });

  it("also checks the request body as it leaves, after LangChain has built it", async () => {
    const model = createChatModel(
      { baseUrl: stub.baseUrl, model: "m", structuredOutput: "json_mode" },
      { timeoutMs: 5000, maxOutputTokens: 256, outgoingGuard: new IdentifierGuard(ROSTER) },
    );
    const failure = await model.invoke([["user", "How is g5-2-s07 doing?"]]).catch((error: unknown) => error);
    const chain: unknown[] = [];
    for (let e = failure; e; e = (e as { cause?: unknown }).cause) chain.push(e);
    expect(chain.some((e) => e instanceof ProtectedIdentifierError)).toBe(true);
    expect(stub.requests).toHaveLength(0);
  });

  it("never sends an OpenAI key from the environment to the configured server", async () => {
    const previous = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = "sk-from-environment";
    try {
      const request = fractionLessonRequest("en");
      stub.script({ kind: "structured", value: modelNarrative(request) });
      await createNarrativeGenerator(config({ PATHWISE_LLM_API_KEY: "" })).generate(request, CALL);
      expect(stub.requests[0]?.headers.authorization).toBe("Bearer no-key");
    } finally {
      if (previous === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = previous;
    }
  });

  it("audits every call with caller, purpose, model, hashes and token counts, and never the prompt", async () => {
    const request = fractionLessonRequest("en");
    stub.script({ kind: "status", status: 503 }, { kind: "structured", value: modelNarrative(request) });
    const result = await createNarrativeGenerator(config()).generate(request, { ...CALL, purpose: "lesson-plan:7a-math:v3" });

    const lines = auditLines();
    expect(lines).toHaveLength(2);
    for (const [index, line] of lines.entries()) {
      expect(line).toMatchObject({
        requestId: result.requestId,
        caller: { userId: "t-1", role: "teacher", schoolId: "demo" },
        purpose: "lesson-plan:7a-math:v3",
        provider: "openai-compatible",
        model: "qwen2.5-7b-instruct",
        method: "json_mode",
        attempt: index + 1,
        maxAttempts: 3,
      });
      expect(line.promptHash).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(line.promptTokens).toBeGreaterThan(1000);
      expect(Date.parse(line.time)).not.toBeNaN();
      expect(line.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(lines[1]).toMatchObject({
      outcome: "ok",
      promptHash: result.promptHash,
      promptTokens: result.tokens.prompt,
      reportedPromptTokens: 1234,
      completionTokens: 567,
    });
    const log = readFileSync(auditPath, "utf8");
    for (const secret of [request.objectives[0]?.text, request.tiers[0]?.practiceItems[0]?.stem, request.topic, "sk-test"]) {
      expect(log).not.toContain(secret);
    }
  });
});
