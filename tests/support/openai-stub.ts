/**
 * A local OpenAI-compatible server for the LLM tests (no model can run here): POST
 * /v1/chat/completions, non-streaming, on 127.0.0.1 and a free port. It records every request
 * (headers and body) and answers from a script of replies, one per request; when the script
 * is empty it answers with the default reply.
 *
 * A `structured` reply answers the way the request asked: as a tool call when the request
 * forces a function (function calling), else as JSON in the message content (json_schema and
 * json_mode).
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type StubReply =
  /** Valid structured output, shaped by the request's method. */
  | { kind: "structured"; value: unknown; delayMs?: number }
  /** Any text as the message content (malformed output, prose, a JSON fragment). */
  | { kind: "content"; text: string; delayMs?: number }
  /** An HTTP error with an OpenAI-style error body. */
  | { kind: "status"; status: number; message?: string; delayMs?: number };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body as received. */
  text: string;
  /** The body parsed as JSON (undefined if it was not JSON). */
  body: ChatCompletionBody | undefined;
}

/** The fields of a chat completion request the tests look at. */
export interface ChatCompletionBody {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: { type: string; json_schema?: { name: string; schema: Record<string, unknown>; strict?: boolean } };
  tools?: { type: string; function: { name: string; parameters: Record<string, unknown> } }[];
  tool_choice?: { type: string; function: { name: string } } | string;
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  stream?: boolean;
  [key: string]: unknown;
}

export interface OpenAiStub {
  /** Base URL to configure, ending in /v1. */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Replies for the next requests, in order. */
  script(...replies: StubReply[]): void;
  /** The reply when the script is empty. */
  setDefault(reply: StubReply): void;
  close(): Promise<void>;
}

const USAGE = { prompt_tokens: 1234, completion_tokens: 567, total_tokens: 1801 };

function completion(body: ChatCompletionBody | undefined, message: Record<string, unknown>, finishReason: string): string {
  return JSON.stringify({
    id: "chatcmpl-stub",
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: body?.model ?? "unknown",
    choices: [{ index: 0, message: { role: "assistant", ...message }, finish_reason: finishReason, logprobs: null }],
    usage: USAGE,
  });
}

function forcedFunction(body: ChatCompletionBody | undefined): string | undefined {
  const choice = body?.tool_choice;
  if (choice && typeof choice === "object" && choice.type === "function") return choice.function.name;
  return undefined;
}

function answer(reply: StubReply, body: ChatCompletionBody | undefined, response: ServerResponse): void {
  if (reply.kind === "status") {
    response.writeHead(reply.status, { "content-type": "application/json" });
    response.end(JSON.stringify({ error: { message: reply.message ?? "stub error", type: "server_error", code: null } }));
    return;
  }
  let payload: string;
  if (reply.kind === "content") {
    payload = completion(body, { content: reply.text }, "stop");
  } else {
    const name = forcedFunction(body);
    payload = name
      ? completion(
          body,
          {
            content: null,
            tool_calls: [{ id: "call_stub", type: "function", function: { name, arguments: JSON.stringify(reply.value) } }],
          },
          "tool_calls",
        )
      : completion(body, { content: JSON.stringify(reply.value) }, "stop");
  }
  response.writeHead(200, { "content-type": "application/json" });
  response.end(payload);
}

export async function startOpenAiStub(): Promise<OpenAiStub> {
  const requests: RecordedRequest[] = [];
  const queue: StubReply[] = [];
  let fallback: StubReply = { kind: "status", status: 500, message: "no reply scripted" };
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: ChatCompletionBody | undefined;
      try {
        body = JSON.parse(text) as ChatCompletionBody;
      } catch {
        body = undefined;
      }
      requests.push({ method: request.method ?? "", path: request.url ?? "", headers: request.headers, text, body });
      if (request.method !== "POST" || request.url !== "/v1/chat/completions") {
        response.writeHead(404, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: { message: "not found" } }));
        return;
      }
      const reply = queue.shift() ?? fallback;
      if (!reply.delayMs) {
        answer(reply, body, response);
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!response.destroyed) answer(reply, body, response);
      }, reply.delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...replies) => {
      queue.push(...replies);
    },
    setDefault: (reply) => {
      fallback = reply;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
