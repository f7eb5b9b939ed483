import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { llmConfigFromEnv } from "../../src/llm/config.js";

const dataDir = resolve("/tmp/pathwise-data");
const read = (env: NodeJS.ProcessEnv) => llmConfigFromEnv(env, { dataDir });
const endpoint = {
  PATHWISE_LLM_PROVIDER: "openai-compatible",
  PATHWISE_LLM_BASE_URL: "http://localhost:11434/v1",
  PATHWISE_LLM_MODEL: "qwen2.5:7b",
};

describe("llmConfigFromEnv", () => {
  it("defaults to the offline generator", () => {
    expect(read({})).toEqual({
      provider: "offline",
      timeoutMs: 120_000,
      maxRetries: 2,
      backoffBaseMs: 500,
      contextTokens: 16_384,
      maxOutputTokens: 4096,
      encoding: "o200k_base",
      allowModels: [],
      denyModels: [],
      auditLogPath: join(dataDir, "llm-audit.jsonl"),
    });
    // Endpoint settings are ignored unless the provider asks for them.
    expect(read({ PATHWISE_LLM_MODEL: "x", PATHWISE_LLM_BASE_URL: "not a url" }).provider).toBe("offline");
  });

  it("reads an OpenAI-compatible endpoint with json_mode by default", () => {
    const config = read({ ...endpoint, PATHWISE_LLM_BASE_URL: "http://localhost:11434/v1/" });
    expect(config).toMatchObject({
      provider: "openai-compatible",
      endpoint: { baseUrl: "http://localhost:11434/v1", model: "qwen2.5:7b", structuredOutput: "json_mode" },
    });
    expect(config.provider === "openai-compatible" && "apiKey" in config.endpoint).toBe(false);
  });

  it("reads every setting", () => {
    const config = read({
      ...endpoint,
      PATHWISE_LLM_API_KEY: " sk-test ",
      PATHWISE_LLM_STRUCTURED_OUTPUT: "function_calling",
      PATHWISE_LLM_TEMPERATURE: "0.3",
      PATHWISE_LLM_TIMEOUT_MS: "30000",
      PATHWISE_LLM_MAX_RETRIES: "0",
      PATHWISE_LLM_BACKOFF_MS: "100",
      PATHWISE_LLM_CONTEXT_TOKENS: "32768",
      PATHWISE_LLM_MAX_OUTPUT_TOKENS: "8192",
      PATHWISE_LLM_ENCODING: "cl100k_base",
      PATHWISE_LLM_ALLOW_MODELS: "qwen*, deepseek-*,",
      PATHWISE_LLM_DENY_MODELS: "*-preview",
      PATHWISE_LLM_AUDIT_LOG: "logs/audit.jsonl",
    });
    expect(config).toEqual({
      provider: "openai-compatible",
      endpoint: {
        baseUrl: "http://localhost:11434/v1",
        apiKey: "sk-test",
        model: "qwen2.5:7b",
        structuredOutput: "function_calling",
        temperature: 0.3,
      },
      timeoutMs: 30_000,
      maxRetries: 0,
      backoffBaseMs: 100,
      contextTokens: 32_768,
      maxOutputTokens: 8192,
      encoding: "cl100k_base",
      allowModels: ["qwen*", "deepseek-*"],
      denyModels: ["*-preview"],
      auditLogPath: resolve("logs/audit.jsonl"),
    });
  });

  it.each([
    [{ PATHWISE_LLM_PROVIDER: "anthropic" }, 'PATHWISE_LLM_PROVIDER must be one of offline, openai-compatible, got "anthropic"'],
    [{ PATHWISE_LLM_PROVIDER: "openai-compatible" }, "PATHWISE_LLM_MODEL is required when PATHWISE_LLM_PROVIDER is openai-compatible"],
    [{ ...endpoint, PATHWISE_LLM_BASE_URL: "" }, "PATHWISE_LLM_BASE_URL is required when PATHWISE_LLM_PROVIDER is openai-compatible"],
    [
      { ...endpoint, PATHWISE_LLM_BASE_URL: "localhost:8000" },
      'PATHWISE_LLM_BASE_URL must be an http(s) URL such as http://localhost:11434/v1, got "localhost:8000"',
    ],
    [{ ...endpoint, PATHWISE_LLM_BASE_URL: "ftp://host/v1" }, "PATHWISE_LLM_BASE_URL must be an http(s) URL"],
    [{ ...endpoint, PATHWISE_LLM_BASE_URL: "https://user:secret@host/v1" }, "PATHWISE_LLM_BASE_URL must not carry credentials"],
    [
      { ...endpoint, PATHWISE_LLM_STRUCTURED_OUTPUT: "strict" },
      'PATHWISE_LLM_STRUCTURED_OUTPUT must be one of json_schema, function_calling, json_mode, got "strict"',
    ],
    [{ ...endpoint, PATHWISE_LLM_TEMPERATURE: "3" }, 'PATHWISE_LLM_TEMPERATURE must be a number from 0 to 2, got "3"'],
    [{ PATHWISE_LLM_TIMEOUT_MS: "0" }, 'PATHWISE_LLM_TIMEOUT_MS must be a whole number from 1 to 3600000, got "0"'],
    [{ PATHWISE_LLM_TIMEOUT_MS: "1.5" }, "PATHWISE_LLM_TIMEOUT_MS must be a whole number"],
    [{ PATHWISE_LLM_MAX_RETRIES: "11" }, 'PATHWISE_LLM_MAX_RETRIES must be a whole number from 0 to 10, got "11"'],
    [{ PATHWISE_LLM_BACKOFF_MS: "-1" }, "PATHWISE_LLM_BACKOFF_MS must be a whole number"],
    [{ PATHWISE_LLM_CONTEXT_TOKENS: "512" }, "PATHWISE_LLM_CONTEXT_TOKENS must be a whole number from 1024"],
    [
      { PATHWISE_LLM_CONTEXT_TOKENS: "4096", PATHWISE_LLM_MAX_OUTPUT_TOKENS: "4096" },
      "PATHWISE_LLM_MAX_OUTPUT_TOKENS (4096) must be less than PATHWISE_LLM_CONTEXT_TOKENS (4096)",
    ],
    [{ PATHWISE_LLM_ENCODING: "gpt2" }, 'PATHWISE_LLM_ENCODING must be one of o200k_base, cl100k_base, p50k_base, r50k_base, got "gpt2"'],
    [
      { PATHWISE_LLM_DENY_MODELS: "gpt-4o, qwen 2" },
      'PATHWISE_LLM_DENY_MODELS must be comma-separated model patterns without spaces, got "qwen 2"',
    ],
    [{ ...endpoint, LANGSMITH_TRACING: "true" }, "LANGSMITH_TRACING=true would send every LLM prompt to LangSmith"],
    [{ ...endpoint, LANGCHAIN_TRACING_V2: "true" }, "LANGCHAIN_TRACING_V2=true would send every LLM prompt to LangSmith"],
    [{ ...endpoint, LANGCHAIN_VERBOSE: "true" }, "LANGCHAIN_VERBOSE=true would print every LLM prompt to stdout"],
  ])("rejects %o", (env, message) => {
    expect(() => read(env)).toThrow(message);
  });
});
