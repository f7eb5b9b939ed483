/**
 * Token counting with the `tiktoken` package (WASM, ranks bundled): no network, under 1 ms per
 * 10 KB of text. LangChain's getNumTokens is not used: it fetches rank files at run time and
 * stalls for about 100 s when offline.
 *
 * Building an encoder costs 100–200 ms and holds a few MB of WASM memory, so one encoder per
 * encoding is kept for the life of the process and shared; `freeTokenEncoders` releases them
 * (the WASM heap is not garbage-collected) and later counts simply build them again.
 *
 * Counts are exact for OpenAI models. Other models (Qwen, DeepSeek, Llama) have their own
 * tokenizers, so for them the count is an estimate; docs/llm.md explains the margin to keep.
 */
import { get_encoding, type Tiktoken } from "tiktoken";
import type { TokenEncodingName } from "./config.js";

export interface TokenCounter {
  readonly encoding: TokenEncodingName;
  count(text: string): number;
}

export interface ChatMessageText {
  role: string;
  content: string;
}

/** OpenAI's accounting for chat models: 3 tokens frame each message and 3 prime the reply. */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PRIMING_REPLY = 3;

const encoders = new Map<TokenEncodingName, Tiktoken>();

function encoderFor(encoding: TokenEncodingName): Tiktoken {
  let encoder = encoders.get(encoding);
  if (!encoder) {
    encoder = get_encoding(encoding);
    encoders.set(encoding, encoder);
  }
  return encoder;
}

/**
 * Tokens in `text`. Special-token markers such as `<|endoftext|>` in the text are counted as
 * ordinary text, as a server treats them in user content, instead of throwing.
 */
export function countTokens(text: string, encoding: TokenEncodingName = "o200k_base"): number {
  if (text === "") return 0;
  return encoderFor(encoding).encode_ordinary(text).length;
}

export function tokenCounter(encoding: TokenEncodingName = "o200k_base"): TokenCounter {
  return { encoding, count: (text) => countTokens(text, encoding) };
}

/** Tokens a list of chat messages takes in the prompt, with the chat format's framing. */
export function countMessageTokens(messages: readonly ChatMessageText[], counter: TokenCounter): number {
  let total = TOKENS_PRIMING_REPLY;
  for (const message of messages) total += TOKENS_PER_MESSAGE + counter.count(message.role) + counter.count(message.content);
  return total;
}

/** Frees every cached encoder's WASM memory (at shutdown, or after a benchmark). */
export function freeTokenEncoders(): void {
  for (const encoder of encoders.values()) encoder.free();
  encoders.clear();
}
