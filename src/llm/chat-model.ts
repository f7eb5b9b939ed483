/**
 * The LangChain chat model for an OpenAI-compatible endpoint (vLLM, Ollama, SGLang, DeepSeek,
 * Qwen's DashScope, OpenAI).
 *
 * `ChatOpenAICompletions` is ChatOpenAI pinned to POST /chat/completions: ChatOpenAI switches
 * to OpenAI's Responses API for some model names, which compatible servers do not implement.
 * LangChain's and the OpenAI client's own retries are off (`maxRetries: 0`): the narrative
 * generator retries with its own backoff and counts every attempt in the audit log.
 */
import { ChatOpenAICompletions } from "@langchain/openai";
import type { OpenAiCompatibleEndpoint } from "./config.js";
import type { IdentifierGuard } from "./governance.js";

export interface ChatModelOptions {
  timeoutMs: number;
  maxOutputTokens: number;
  /** Scans every request body just before it leaves, after LangChain has built it. */
  outgoingGuard?: IdentifierGuard;
}

/** Sent as the key when none is configured: the OpenAI client requires one, and local servers ignore it. */
const NO_API_KEY = "no-key";

export function createChatModel(endpoint: OpenAiCompatibleEndpoint, options: ChatModelOptions): ChatOpenAICompletions {
  const guard = options.outgoingGuard;
  const guardedFetch: typeof fetch | undefined = guard
    ? async (input, init) => {
        const body = init?.body;
        // Fails closed: a body the guard cannot read as text is not sent.
        if (body !== undefined && body !== null && typeof body !== "string") {
          throw new Error("refusing to send an LLM request whose body cannot be scanned for student identifiers");
        }
        if (typeof body === "string") guard.assertBodyAbsent(body);
        return fetch(input, init);
      }
    : undefined;
  return new ChatOpenAICompletions({
    model: endpoint.model,
    // Always explicit: otherwise LangChain would fall back to OPENAI_API_KEY from the environment
    // and send an OpenAI key to whatever server the base URL names.
    apiKey: endpoint.apiKey ?? NO_API_KEY,
    configuration: {
      baseURL: endpoint.baseUrl,
      ...(guardedFetch ? { fetch: guardedFetch } : {}),
    },
    timeout: options.timeoutMs,
    maxRetries: 0,
    maxTokens: options.maxOutputTokens,
    ...(endpoint.temperature !== undefined ? { temperature: endpoint.temperature } : {}),
    streaming: false,
  });
}
