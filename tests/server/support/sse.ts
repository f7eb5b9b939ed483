/** GraphQL subscriptions over Server-Sent Events against the real server: fetch with `accept: text/event-stream`, read the stream. */
import type { GraphQLBody, RunningServer } from "../../support/server-process.js";

export interface SseSubscription<T> {
  status: number;
  contentType: string;
  /** The next `next` event's payload; undefined when the stream completed or `timeoutMs` passed first. */
  next(timeoutMs?: number): Promise<GraphQLBody<T> | undefined>;
  /** Closes the connection (the server ends the subscription). */
  close(): void;
}

/** Starts a subscription; resolves once the response headers have arrived (the subscription is set up). */
export async function subscribe<T>(
  server: RunningServer,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<SseSubscription<T>> {
  const controller = new AbortController();
  const response = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", ...headers },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let ended = false;
  const events: GraphQLBody<T>[] = [];
  let pending: Promise<void> | undefined;

  /** Reads one chunk and parses the complete events in the buffer. */
  async function pump(): Promise<void> {
    if (!reader || ended) {
      ended = true;
      return;
    }
    const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
    if (done) {
      ended = true;
      return;
    }
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      if (event === "complete") ended = true;
      else if (data.length > 0 && data.join("") !== "") events.push(JSON.parse(data.join("\n")) as GraphQLBody<T>);
      end = buffer.indexOf("\n\n");
    }
  }

  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    async next(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length === 0 && !ended) {
        pending ??= pump().finally(() => {
          pending = undefined;
        });
        const left = deadline - Date.now();
        if (left <= 0) return undefined;
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([
          pending.then(() => false),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(true), left);
          }),
        ]);
        clearTimeout(timer);
        if (timedOut) return undefined;
      }
      return events.shift();
    },
    close() {
      ended = true;
      controller.abort();
    },
  };
}
