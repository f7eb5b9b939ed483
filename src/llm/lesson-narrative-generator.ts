/**
 * Writes a lesson plan's narrative: with an OpenAI-compatible model when one is configured,
 * else with the offline generator.
 *
 * One LLM generation: validate the request; build the prompt (templates, skeleton, context
 * packed to the token budget); refuse to send it if it contains a protected student identifier;
 * call the model with the configured structured-output method; validate the answer with zod and
 * against the skeleton. Malformed output, timeouts, network errors, HTTP 429 and 5xx are retried
 * with exponential backoff (a malformed answer's problems are fed back to the model); other
 * HTTP errors are not. When no attempt succeeds, the offline generator writes the narrative and
 * the result carries a warning saying so. Every call is written to the audit log.
 *
 * The model allow/deny lists are checked when the generator is created, so a denied model
 * fails at start-up and is never called.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { AIMessage, type BaseMessage, HumanMessage } from "@langchain/core/messages";
import type { Logger } from "../logger.js";
import { createChatModel } from "./chat-model.js";
import type { LlmConfig, LlmProvider, StructuredOutputMethod } from "./config.js";
import {
  type AuditOutcome,
  type AuditRecord,
  assertModelAllowed,
  IdentifierGuard,
  LlmAuditLog,
  type LlmCaller,
  ProtectedIdentifierError,
  promptHash,
} from "./governance.js";
import {
  type LessonNarrative,
  lessonNarrativeSchema,
  type NarrativeLanguage,
  type NarrativeRequest,
  narrativeMismatches,
  parseNarrativeRequest,
  timingMismatches,
} from "./narrative.js";
import {
  buildNarrativePrompt,
  NARRATIVE_SCHEMA_NAME,
  type NarrativePrompt,
  narrativeJsonSchema,
  PromptBudgetError,
} from "./narrative-prompt.js";
import { offlineNarrative } from "./offline-generator.js";
import type { PackedContext } from "./prompt-packing.js";
import { type ChatMessageText, countMessageTokens, type TokenCounter, tokenCounter } from "./tokens.js";

export const DEFAULT_PURPOSE = "lesson-plan-narrative";

export interface NarrativeCall {
  /** The teacher (or job owner) asking: recorded in the audit log. */
  caller: LlmCaller;
  /** Why the model is called, for the audit log. Default "lesson-plan-narrative". */
  purpose?: string;
  /** The class's student ids and names: none may appear in what is sent. */
  protectedIdentifiers: Iterable<string>;
  /** Cancels the generation (e.g. a cancelled job): the call is aborted and the promise rejects. */
  signal?: AbortSignal;
}

export type FallbackReason = "malformed-output" | "timeout" | "http-error" | "network-error" | "prompt-too-large" | "protected-identifier";

export type NarrativeWarning =
  | { code: "offline-fallback"; reason: FallbackReason; message: string }
  | { code: "timing-mismatch"; message: string };

export interface NarrativeResult {
  narrative: LessonNarrative;
  /** Who wrote the text: the model, or the offline generator (configured, or as fallback). */
  source: "llm" | "offline";
  provider: LlmProvider;
  model?: string;
  method?: StructuredOutputMethod;
  /** Matches the audit log lines of this generation. */
  requestId?: string;
  /** Calls made to the model (0 offline). */
  attempts: number;
  tokens: {
    /** Prompt of the last attempt, counted with tiktoken before sending. */
    prompt?: number;
    /** As the server reported, when it did. */
    reportedPrompt?: number;
    completion?: number;
  };
  /** What the context budget kept and dropped. */
  packing?: Omit<PackedContext, "text">;
  promptHash?: string;
  warnings: NarrativeWarning[];
  durationMs: number;
}

export interface NarrativeGenerator {
  readonly provider: LlmProvider;
  generate(request: NarrativeRequest, call: NarrativeCall): Promise<NarrativeResult>;
}

/** Written with templates, no network. */
export class OfflineNarrativeGenerator implements NarrativeGenerator {
  readonly provider = "offline" as const;

  async generate(request: NarrativeRequest): Promise<NarrativeResult> {
    const started = performance.now();
    const narrative = offlineNarrative(request);
    return {
      narrative,
      source: "offline",
      provider: "offline",
      attempts: 0,
      tokens: {},
      warnings: [],
      durationMs: performance.now() - started,
    };
  }
}

export interface GeneratorOptions {
  /** Default: a log at the configured PATHWISE_LLM_AUDIT_LOG path. */
  auditLog?: LlmAuditLog;
  logger?: Logger;
}

const LANGCHAIN_METHOD = {
  json_schema: "jsonSchema",
  function_calling: "functionCalling",
  json_mode: "jsonMode",
} as const satisfies Record<StructuredOutputMethod, string>;

const MAX_BACKOFF_MS = 30_000;

/** A retry after malformed output appends the problems found: at most this many, each cut to PROBLEM_CHARACTERS. */
const FEEDBACK_PROBLEMS = 8;
const PROBLEM_CHARACTERS = 160;
/** Kept free in the window for that feedback, so a retry never overflows it. */
const FEEDBACK_TOKENS = 400;

type OpenAiCompatibleConfig = Extract<LlmConfig, { provider: "openai-compatible" }>;

/** What one attempt came to. */
type AttemptResult =
  | { ok: true; narrative: LessonNarrative; raw: BaseMessage }
  | { ok: false; outcome: FailedOutcome; retryable: boolean; detail: string; problems?: string[]; raw?: BaseMessage };

type FailedOutcome = Exclude<AuditOutcome, "ok" | "cancelled">;

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && current !== null && chain.length < 10; ) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

function failedCall(error: unknown): AttemptResult {
  const chain = causes(error);
  if (chain.some((cause) => cause instanceof ProtectedIdentifierError)) {
    return { ok: false, outcome: "refused-identifier", retryable: false, detail: "ProtectedIdentifierError" };
  }
  const named = error as { name?: string; status?: unknown };
  if (named.name === "TimeoutError" || chain.some((cause) => (cause as { name?: string }).name === "APIConnectionTimeoutError")) {
    return { ok: false, outcome: "timeout", retryable: true, detail: "timeout" };
  }
  if (typeof named.status === "number") {
    const status = named.status;
    return { ok: false, outcome: "http-error", retryable: status === 408 || status === 429 || status >= 500, detail: `HTTP ${status}` };
  }
  return { ok: false, outcome: "network-error", retryable: true, detail: named.name ?? "error" };
}

/** The JSON the model returned, from a forced tool call or from the message content. */
function candidateOf(raw: BaseMessage, method: StructuredOutputMethod): { value?: unknown; problem?: string } {
  if (method === "function_calling") {
    const message = AIMessage.isInstance(raw) ? raw : undefined;
    const call = message?.tool_calls?.find((toolCall) => toolCall.name === NARRATIVE_SCHEMA_NAME);
    if (call) return { value: call.args };
    if (message?.invalid_tool_calls?.length) return { problem: "the function arguments were not valid JSON" };
    return { problem: `the model did not call ${NARRATIVE_SCHEMA_NAME}` };
  }
  const content = raw.text.trim();
  if (content === "") return { problem: "the reply was empty" };
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/.exec(content);
  try {
    return { value: JSON.parse(fenced?.[1] ?? content) };
  } catch {
    return { problem: "the reply was not valid JSON" };
  }
}

/** Checks a reply: its JSON (LangChain's parse, else ours for a diagnosis), the schema, and the skeleton. */
function checkReply(
  request: NarrativeRequest,
  reply: { raw: BaseMessage; parsed: unknown },
  method: StructuredOutputMethod,
): AttemptResult {
  const failed = (problems: string[]): AttemptResult => ({
    ok: false,
    outcome: "malformed-output",
    retryable: true,
    detail: "invalid output",
    problems,
    raw: reply.raw,
  });
  let value = reply.parsed;
  if (value === null || value === undefined) {
    const candidate = candidateOf(reply.raw, method);
    if (candidate.problem !== undefined) return failed([candidate.problem]);
    value = candidate.value;
  }
  const parsed = lessonNarrativeSchema.safeParse(value);
  if (!parsed.success) return failed(parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`));
  const mismatches = narrativeMismatches(request, parsed.data);
  return mismatches.length > 0 ? failed(mismatches) : { ok: true, narrative: parsed.data, raw: reply.raw };
}

const FEEDBACK: Record<NarrativeLanguage, (problems: string) => string> = {
  en: (problems) =>
    `Your previous reply was rejected: ${problems}. Reply again with the complete narrative, following the schema and the rules.`,
  zh: (problems) => `上一次的回复未通过校验：${problems}。请按照格式和要求重新给出完整的内容。`,
};

type FallbackCause = (model: string, attempts: number) => string;

const FALLBACK_CAUSE: Record<NarrativeLanguage, Record<FallbackReason, FallbackCause>> = {
  en: {
    "malformed-output": (model, attempts) => `The model ${model} did not return a usable narrative in ${attempts} attempt(s)`,
    timeout: (model, attempts) => `The model ${model} timed out (${attempts} attempt(s))`,
    "http-error": (model, attempts) => `The model server for ${model} returned an error (${attempts} attempt(s))`,
    "network-error": (model, attempts) => `The model server for ${model} could not be reached (${attempts} attempt(s))`,
    "prompt-too-large": (model) => `The lesson skeleton is too large for the context window of ${model}`,
    "protected-identifier": () => "The prompt contained a student's name or id, so nothing was sent to the model",
  },
  zh: {
    "malformed-output": (model, attempts) => `模型 ${model} 在 ${attempts} 次尝试中未返回可用的内容`,
    timeout: (model, attempts) => `模型 ${model} 响应超时（共尝试 ${attempts} 次）`,
    "http-error": (model, attempts) => `模型 ${model} 的服务返回错误（共尝试 ${attempts} 次）`,
    "network-error": (model, attempts) => `无法连接模型 ${model} 的服务（共尝试 ${attempts} 次）`,
    "prompt-too-large": (model) => `教学骨架超出模型 ${model} 的上下文窗口`,
    "protected-identifier": () => "提示词中出现了学生的姓名或编号，因此未向模型发送任何内容",
  },
};

const FALLBACK_CONSEQUENCE: Record<NarrativeLanguage, string> = {
  en: "; this text was written by the built-in offline generator.",
  zh: "；以下文字由系统内置的离线生成器生成。",
};

export class LlmNarrativeGenerator implements NarrativeGenerator {
  readonly provider = "openai-compatible" as const;
  private readonly auditLog: LlmAuditLog;
  private readonly logger: Logger | undefined;
  private readonly counter: TokenCounter;

  /** Throws ModelNotAllowedError if the allow/deny lists refuse the configured model. */
  constructor(
    private readonly config: OpenAiCompatibleConfig,
    options: GeneratorOptions = {},
  ) {
    assertModelAllowed(config.endpoint.model, config);
    this.auditLog = options.auditLog ?? new LlmAuditLog(config.auditLogPath);
    this.logger = options.logger;
    this.counter = tokenCounter(config.encoding);
  }

  async generate(input: NarrativeRequest, call: NarrativeCall): Promise<NarrativeResult> {
    const started = performance.now();
    const request = parseNarrativeRequest(input);
    const { endpoint } = this.config;
    const method = endpoint.structuredOutput;
    const requestId = randomUUID();
    const maxAttempts = this.config.maxRetries + 1;
    const base = { source: "llm" as const, provider: this.provider, model: endpoint.model, method, requestId };
    const audit = (fields: Pick<AuditRecord, "attempt" | "outcome" | "durationMs"> & Partial<AuditRecord>) =>
      this.auditLog.append({
        time: new Date().toISOString(),
        requestId,
        caller: call.caller,
        purpose: call.purpose ?? DEFAULT_PURPOSE,
        provider: this.provider,
        model: endpoint.model,
        method,
        maxAttempts,
        ...fields,
      });
    const fallback = (reason: FallbackReason, attempts: number, extra: Partial<NarrativeResult> = {}): NarrativeResult => {
      const message = `${FALLBACK_CAUSE[request.language][reason](endpoint.model, attempts)}${FALLBACK_CONSEQUENCE[request.language]}`;
      this.logger?.warn({ requestId, model: endpoint.model, reason, attempts }, "LLM narrative failed; using the offline generator");
      return {
        ...base,
        ...extra,
        narrative: offlineNarrative(request),
        source: "offline",
        attempts,
        tokens: extra.tokens ?? {},
        warnings: [{ code: "offline-fallback", reason, message }],
        durationMs: performance.now() - started,
      };
    };

    let prompt: NarrativePrompt;
    try {
      prompt = await buildNarrativePrompt(request, {
        method,
        contextTokens: this.config.contextTokens,
        maxOutputTokens: this.config.maxOutputTokens,
        reservedTokens: maxAttempts > 1 ? FEEDBACK_TOKENS : 0,
        counter: this.counter,
      });
    } catch (error) {
      if (error instanceof PromptBudgetError) return fallback("prompt-too-large", 0, { tokens: { prompt: error.templateTokens } });
      throw error;
    }
    const { text: _packedText, ...packing } = prompt.packing;
    const guard = new IdentifierGuard(call.protectedIdentifiers);
    const structured = createChatModel(endpoint, {
      timeoutMs: this.config.timeoutMs,
      maxOutputTokens: this.config.maxOutputTokens,
      outgoingGuard: guard,
    }).withStructuredOutput<Record<string, unknown>>(narrativeJsonSchema(), {
      method: LANGCHAIN_METHOD[method],
      name: NARRATIVE_SCHEMA_NAME,
      includeRaw: true,
      ...(method === "json_schema" ? { strict: true } : {}),
    });

    let messages: BaseMessage[] = prompt.messages;
    let texts: ChatMessageText[] = prompt.texts;
    let last: AttemptResult | undefined;
    let attempt = 0;
    let tokens: NarrativeResult["tokens"] = { prompt: prompt.promptTokens };
    let hash = promptHash(texts);
    while (attempt < maxAttempts) {
      attempt++;
      hash = promptHash(texts);
      const promptTokens = countMessageTokens(texts, this.counter) + prompt.schemaTokens;
      tokens = { prompt: promptTokens };
      const callStarted = performance.now();
      try {
        // Checked here as well as in the outgoing fetch, so a leak is refused before LangChain runs at all.
        guard.assertAbsent(texts.map((message) => message.content));
        const reply = await structured.invoke(messages, call.signal ? { signal: call.signal } : {});
        last = checkReply(request, reply, method);
      } catch (error) {
        if (call.signal?.aborted) {
          await audit({ attempt, outcome: "cancelled", promptHash: hash, promptTokens, durationMs: performance.now() - callStarted });
          throw error;
        }
        last = failedCall(error);
      }
      const usage = last.raw && AIMessage.isInstance(last.raw) ? last.raw.usage_metadata : undefined;
      if (usage) tokens = { ...tokens, reportedPrompt: usage.input_tokens, completion: usage.output_tokens };
      await audit({
        attempt,
        outcome: last.ok ? "ok" : last.outcome,
        ...(last.ok ? {} : { detail: last.detail }),
        promptHash: hash,
        promptTokens,
        ...(usage ? { reportedPromptTokens: usage.input_tokens, completionTokens: usage.output_tokens } : {}),
        durationMs: performance.now() - callStarted,
      });
      if (last.ok) {
        const warnings: NarrativeWarning[] = timingMismatches(request, last.narrative).map((message) => ({
          code: "timing-mismatch" as const,
          message,
        }));
        return {
          ...base,
          narrative: last.narrative,
          attempts: attempt,
          tokens,
          packing,
          promptHash: hash,
          warnings,
          durationMs: performance.now() - started,
        };
      }
      if (!last.retryable || attempt >= maxAttempts) break;
      if (last.problems) {
        // The problems go back as a user message after the original prompt (the rejected reply is
        // not replayed: a dangling tool call would be refused by the server).
        const problems = last.problems.slice(0, FEEDBACK_PROBLEMS).map((problem) => problem.slice(0, PROBLEM_CHARACTERS));
        const feedback = new HumanMessage(FEEDBACK[request.language](problems.join("; ")));
        messages = [...prompt.messages, feedback];
        texts = [...prompt.texts, { role: "user", content: feedback.text }];
      }
      const delay = Math.min(MAX_BACKOFF_MS, this.config.backoffBaseMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      await sleep(delay, undefined, call.signal ? { signal: call.signal } : {});
    }
    const { outcome } = last as Extract<AttemptResult, { ok: false }>;
    // A refused prompt was never sent, so that attempt is not counted as a call.
    if (outcome === "refused-identifier") return fallback("protected-identifier", attempt - 1, { tokens, packing, promptHash: hash });
    return fallback(outcome, attempt, { tokens, packing, promptHash: hash });
  }
}

/** The generator the configuration asks for; throws ModelNotAllowedError for a refused model. */
export function createNarrativeGenerator(config: LlmConfig, options: GeneratorOptions = {}): NarrativeGenerator {
  return config.provider === "offline" ? new OfflineNarrativeGenerator() : new LlmNarrativeGenerator(config, options);
}
