/**
 * The narrative prompt: LangChain ChatPromptTemplates in Chinese and English, the skeleton as
 * compact JSON, the context packed into what the window leaves, and (for json_mode) the JSON
 * Schema of the answer. Token counts are taken here, with tiktoken, before anything is sent.
 */
import type { BaseMessage } from "@langchain/core/messages";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { z } from "zod";
import type { StructuredOutputMethod } from "./config.js";
import { lessonNarrativeSchema, type NarrativeLanguage, type NarrativeRequest } from "./narrative.js";
import { contextBudget, type PackedContext, packContext } from "./prompt-packing.js";
import { type ChatMessageText, countMessageTokens, type TokenCounter } from "./tokens.js";

/** The name of the response format or function the model fills. */
export const NARRATIVE_SCHEMA_NAME = "lesson_narrative";

let schemaCache: Record<string, unknown> | undefined;

/** The answer's JSON Schema, as sent to the model (and shown to it in json_mode). */
export function narrativeJsonSchema(): Record<string, unknown> {
  if (!schemaCache) {
    const { $schema: _dialect, ...schema } = z.toJSONSchema(lessonNarrativeSchema, { target: "draft-2020-12" });
    schemaCache = schema;
  }
  return schemaCache;
}

const SYSTEM = {
  en: `You write the narrative of a differentiated lesson plan for a teacher of {subject}, grade {grade}, in a Chinese primary or middle school (2022 compulsory-education curriculum standard). The lesson skeleton was computed from the knowledge graph and from the class's aggregated mastery, and it is fixed. Write the teacher-facing text: an overview; the whole-class opening; for each tier its activities with minutes, explanations, questions to ask, how to address each of its misconceptions, and differentiation notes; and the closing.

Rules:
- Write in English, to the teacher: concrete, practical, and faithful to the mathematics.
- Keep to the skeleton. Use its tiers (by id), points, items, misconceptions and resources; add no items, change no tier, invent no facts about the class.
- The opening takes {opening_minutes} minutes and the closing {closing_minutes}; in each tier the activities' minutes add up to {tier_minutes}.
- Address every misconception listed for a tier, by its id, and no other.
- Speak of students only as a tier or as the class; never name or single out a student.
{output_instructions}`,
  zh: `你为一位{grade}年级{subject}教师撰写分层教学设计的文字部分（依据《义务教育课程标准（2022年版）》）。教学骨架由知识图谱和本班汇总的掌握情况计算得出，不可更改。请撰写面向教师的文字：概述；全班导入；每个层级的活动（含分钟数）、讲解要点、提问、针对该层每个常见错误的处理方法、分层教学建议；以及课堂小结。

要求：
- 用简体中文写给教师看，具体、可操作，数学表述准确。
- 严格依照骨架：使用其中的层级（按 id）、知识点、题目、常见错误和资源；不增加题目，不改动层级，不编造班级情况。
- 导入用时{opening_minutes}分钟，小结用时{closing_minutes}分钟；每个层级的活动分钟数之和为{tier_minutes}。
- 逐一处理每个层级列出的常见错误（按其 id），不写未列出的。
- 只以“层级”或“全班”指称学生，绝不点名或指向个别学生。
{output_instructions}`,
} as const;

const HUMAN = {
  en: `Lesson skeleton (JSON):
{skeleton}

Background from the knowledge graph and the class summary, most important first (class figures are counts):
{context}`,
  zh: `教学骨架（JSON）：
{skeleton}

来自知识图谱的背景和班级汇总情况（按重要性排列，班级数据均为人数统计）：
{context}`,
} as const;

const OUTPUT_INSTRUCTIONS: Record<NarrativeLanguage, Record<StructuredOutputMethod, (schema: string) => string>> = {
  en: {
    json_mode: (schema) => `Reply with one JSON object and nothing else. It must conform to this JSON Schema:\n${schema}`,
    json_schema: () => "Reply with the JSON object defined by the response format.",
    function_calling: () => `Return the narrative by calling the function ${NARRATIVE_SCHEMA_NAME}.`,
  },
  zh: {
    json_mode: (schema) => `只输出一个 JSON 对象，不要输出其他内容。它必须符合以下 JSON Schema：\n${schema}`,
    json_schema: () => "按响应格式（response format）定义的 JSON 对象作答。",
    function_calling: () => `通过调用函数 ${NARRATIVE_SCHEMA_NAME} 返回结果。`,
  },
};

const NO_CONTEXT = { en: "(none)", zh: "（无）" } as const;

const TEMPLATES: Record<NarrativeLanguage, ChatPromptTemplate> = {
  en: ChatPromptTemplate.fromMessages([
    ["system", SYSTEM.en],
    ["human", HUMAN.en],
  ]),
  zh: ChatPromptTemplate.fromMessages([
    ["system", SYSTEM.zh],
    ["human", HUMAN.zh],
  ]),
};

/** The skeleton without the context chunks (they are packed separately) and the language (the template's). */
function skeletonJson(request: NarrativeRequest): string {
  const { context: _context, language: _language, ...skeleton } = request;
  return JSON.stringify(skeleton);
}

export class PromptBudgetError extends Error {
  constructor(
    readonly templateTokens: number,
    readonly available: number,
  ) {
    super(`the lesson skeleton and instructions take ${templateTokens} tokens, more than the ${available} the context window leaves`);
    this.name = "PromptBudgetError";
  }
}

export interface NarrativePrompt {
  messages: BaseMessage[];
  /** Role and text of each message: what is scanned, hashed and counted. */
  texts: ChatMessageText[];
  /** Tokens of the messages plus the schema sent beside them (tiktoken). */
  promptTokens: number;
  /** Everything but the packed context. */
  templateTokens: number;
  /** The schema sent beside the messages (json_schema, function calling), included in promptTokens. */
  schemaTokens: number;
  packing: PackedContext;
}

export interface PromptSettings {
  method: StructuredOutputMethod;
  contextTokens: number;
  maxOutputTokens: number;
  /** Kept free beyond the output, e.g. for the feedback a retry appends. Default 0. */
  reservedTokens?: number;
  counter: TokenCounter;
}

function roleOf(message: BaseMessage): string {
  const type = message.getType();
  return type === "human" ? "user" : type === "ai" ? "assistant" : type;
}

async function render(request: NarrativeRequest, method: StructuredOutputMethod, context: string): Promise<BaseMessage[]> {
  const language = request.language;
  const schema = method === "json_mode" ? JSON.stringify(narrativeJsonSchema()) : "";
  return TEMPLATES[language].formatMessages({
    subject: request.subject,
    grade: String(request.grade),
    opening_minutes: String(request.timing.openingMinutes),
    closing_minutes: String(request.timing.closingMinutes),
    tier_minutes: String(request.timing.tierWorkMinutes),
    output_instructions: OUTPUT_INSTRUCTIONS[language][method](schema),
    skeleton: skeletonJson(request),
    context: context === "" ? NO_CONTEXT[language] : context,
  });
}

function textsOf(messages: BaseMessage[]): ChatMessageText[] {
  return messages.map((message) => ({ role: roleOf(message), content: message.text }));
}

/**
 * Builds the prompt: counts the fixed part, packs the context into what is left of the window
 * after the reserved output, and renders the final messages. Throws PromptBudgetError when the
 * fixed part alone does not fit.
 */
export async function buildNarrativePrompt(request: NarrativeRequest, settings: PromptSettings): Promise<NarrativePrompt> {
  const { method, counter } = settings;
  // json_schema and function calling send the schema beside the messages; it takes context too.
  const schemaTokens = method === "json_mode" ? 0 : counter.count(JSON.stringify(narrativeJsonSchema()));
  const available = settings.contextTokens - settings.maxOutputTokens - (settings.reservedTokens ?? 0);
  const bare = textsOf(await render(request, method, ""));
  const templateTokens = countMessageTokens(bare, counter) - counter.count(NO_CONTEXT[request.language]) + schemaTokens;
  let budget = contextBudget({ ...settings, templateTokens });
  if (budget < 0) throw new PromptBudgetError(templateTokens, available);
  for (;;) {
    const packing = packContext(request.context, budget, counter);
    const messages = await render(request, method, packing.text);
    const texts = textsOf(messages);
    const promptTokens = countMessageTokens(texts, counter) + schemaTokens;
    // Joining may merge a token or two at the seams; shrink the budget by the excess and repack.
    if (promptTokens <= available || packing.kept.length === 0)
      return { messages, texts, promptTokens, templateTokens, schemaTokens, packing };
    budget -= promptTokens - available;
  }
}
