/**
 * Configuration of the LLM layer from `PATHWISE_LLM_*` variables. Every variable, its default
 * and its meaning is listed in docs/llm.md. Invalid values fail at start-up with a message
 * naming the variable and the value it got, like src/config.ts.
 */
import { join, resolve } from "node:path";

/** tiktoken encodings bundled with the package (listed here so reading configuration does not load the WASM). */
export const TOKEN_ENCODINGS = ["o200k_base", "cl100k_base", "p50k_base", "r50k_base"] as const;
export type TokenEncodingName = (typeof TOKEN_ENCODINGS)[number];

export const LLM_PROVIDERS = ["offline", "openai-compatible"] as const;
export type LlmProvider = (typeof LLM_PROVIDERS)[number];

/**
 * How the model is made to return the narrative's JSON:
 * - `json_schema`: `response_format: {type: "json_schema", strict: true}`: decoding follows the
 *   schema (OpenAI; recent vLLM, SGLang and Ollama);
 * - `function_calling`: one forced tool call whose parameters are the schema;
 * - `json_mode`: `response_format: {type: "json_object"}` with the schema in the prompt: the
 *   server guarantees JSON, zod checks the shape. Supported almost everywhere (DeepSeek and
 *   Qwen's hosted API offer this and not json_schema).
 */
export const STRUCTURED_OUTPUT_METHODS = ["json_schema", "function_calling", "json_mode"] as const;
export type StructuredOutputMethod = (typeof STRUCTURED_OUTPUT_METHODS)[number];

export interface OpenAiCompatibleEndpoint {
  /** e.g. http://localhost:11434/v1 (Ollama), http://localhost:8000/v1 (vLLM), https://api.deepseek.com/v1. */
  baseUrl: string;
  /** Unset for local servers that take none. */
  apiKey?: string;
  model: string;
  structuredOutput: StructuredOutputMethod;
  /** Unset: the server's default (some reasoning models accept no other). */
  temperature?: number;
}

interface LlmCommonConfig {
  /** Per request to the model, ms. */
  timeoutMs: number;
  /** Further attempts after the first fails (malformed output, network error, timeout, 429/5xx). */
  maxRetries: number;
  /** Backoff before retry n is base × 2^(n−1), with jitter, at most 30 s. */
  backoffBaseMs: number;
  /** The model's context window, tokens. */
  contextTokens: number;
  /** Reserved for the answer, and sent as the output limit. */
  maxOutputTokens: number;
  /** tiktoken encoding used to count prompt tokens. */
  encoding: TokenEncodingName;
  allowModels: string[];
  denyModels: string[];
  auditLogPath: string;
}

export type LlmConfig =
  | (LlmCommonConfig & { provider: "offline" })
  | (LlmCommonConfig & { provider: "openai-compatible"; endpoint: OpenAiCompatibleEndpoint });

/** Why the default is json_mode: see STRUCTURED_OUTPUT_METHODS and docs/llm.md. */
export const DEFAULT_STRUCTURED_OUTPUT: StructuredOutputMethod = "json_mode";

function present(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const value = present(env[name]);
  if (value === undefined) return fallback;
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${env[name]}"`);
  }
  return parsed;
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const value = present(env[name]);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`${name} must be one of ${allowed.join(", ")}, got "${env[name]}"`);
  }
  return value as T;
}

/** Model patterns: comma-separated, `*` as wildcard, no spaces inside a pattern. */
function patterns(env: NodeJS.ProcessEnv, name: string): string[] {
  const value = present(env[name]);
  if (value === undefined) return [];
  const entries = value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  const bad = entries.find((entry) => /\s/.test(entry));
  if (bad !== undefined) throw new Error(`${name} must be comma-separated model patterns without spaces, got "${bad}"`);
  return entries;
}

function baseUrl(env: NodeJS.ProcessEnv): string {
  const name = "PATHWISE_LLM_BASE_URL";
  const value = present(env[name]);
  if (value === undefined) throw new Error(`${name} is required when PATHWISE_LLM_PROVIDER is openai-compatible`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} must be an http(s) URL such as http://localhost:11434/v1, got "${env[name]}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`${name} must be an http(s) URL such as http://localhost:11434/v1, got "${env[name]}"`);
  }
  if (url.username || url.password) throw new Error(`${name} must not carry credentials; use PATHWISE_LLM_API_KEY`);
  return value.replace(/\/+$/, "");
}

function temperature(env: NodeJS.ProcessEnv): number | undefined {
  const name = "PATHWISE_LLM_TEMPERATURE";
  const value = present(env[name]);
  if (value === undefined) return undefined;
  const parsed = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!(parsed >= 0 && parsed <= 2)) throw new Error(`${name} must be a number from 0 to 2, got "${env[name]}"`);
  return parsed;
}

/**
 * LangChain's own switches that would copy every prompt elsewhere: tracing sends runs to
 * LangSmith (outside the allow list and the audit log), verbose mode prints them to stdout.
 */
function refuseLangChainTracing(env: NodeJS.ProcessEnv): void {
  for (const name of ["LANGSMITH_TRACING", "LANGSMITH_TRACING_V2", "LANGCHAIN_TRACING_V2"]) {
    if (env[name] === "true") {
      throw new Error(
        `${name}=true would send every LLM prompt to LangSmith, outside PATHWISE_LLM_ALLOW_MODELS and the audit log; unset it`,
      );
    }
  }
  if (env.LANGCHAIN_TRACING) {
    throw new Error(
      "LANGCHAIN_TRACING would send every LLM prompt to LangSmith, outside PATHWISE_LLM_ALLOW_MODELS and the audit log; unset it",
    );
  }
  if (env.LANGCHAIN_VERBOSE === "true") throw new Error("LANGCHAIN_VERBOSE=true would print every LLM prompt to stdout; unset it");
}

/** Reads and validates the `PATHWISE_LLM_*` variables; `dataDir` places the default audit log. */
export function llmConfigFromEnv(env: NodeJS.ProcessEnv, options: { dataDir: string }): LlmConfig {
  const provider = oneOf(env, "PATHWISE_LLM_PROVIDER", LLM_PROVIDERS, "offline");
  const contextTokens = wholeNumber(env, "PATHWISE_LLM_CONTEXT_TOKENS", 16_384, 1024, 10_000_000);
  const maxOutputTokens = wholeNumber(env, "PATHWISE_LLM_MAX_OUTPUT_TOKENS", 4096, 256, 1_000_000);
  if (maxOutputTokens >= contextTokens) {
    throw new Error(
      `PATHWISE_LLM_MAX_OUTPUT_TOKENS (${maxOutputTokens}) must be less than PATHWISE_LLM_CONTEXT_TOKENS (${contextTokens}): the prompt needs room too`,
    );
  }
  const common: LlmCommonConfig = {
    timeoutMs: wholeNumber(env, "PATHWISE_LLM_TIMEOUT_MS", 120_000, 1, 3_600_000),
    maxRetries: wholeNumber(env, "PATHWISE_LLM_MAX_RETRIES", 2, 0, 10),
    backoffBaseMs: wholeNumber(env, "PATHWISE_LLM_BACKOFF_MS", 500, 0, 60_000),
    contextTokens,
    maxOutputTokens,
    encoding: oneOf(env, "PATHWISE_LLM_ENCODING", TOKEN_ENCODINGS, "o200k_base"),
    allowModels: patterns(env, "PATHWISE_LLM_ALLOW_MODELS"),
    denyModels: patterns(env, "PATHWISE_LLM_DENY_MODELS"),
    auditLogPath: resolve(present(env.PATHWISE_LLM_AUDIT_LOG) ?? join(options.dataDir, "llm-audit.jsonl")),
  };
  if (provider === "offline") return { provider, ...common };
  refuseLangChainTracing(env);
  const model = present(env.PATHWISE_LLM_MODEL);
  if (model === undefined) throw new Error("PATHWISE_LLM_MODEL is required when PATHWISE_LLM_PROVIDER is openai-compatible");
  const apiKey = present(env.PATHWISE_LLM_API_KEY);
  const chosenTemperature = temperature(env);
  return {
    provider,
    ...common,
    endpoint: {
      baseUrl: baseUrl(env),
      ...(apiKey !== undefined ? { apiKey } : {}),
      model,
      structuredOutput: oneOf(env, "PATHWISE_LLM_STRUCTURED_OUTPUT", STRUCTURED_OUTPUT_METHODS, DEFAULT_STRUCTURED_OUTPUT),
      ...(chosenTemperature !== undefined ? { temperature: chosenTemperature } : {}),
    },
  };
}
