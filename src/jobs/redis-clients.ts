/**
 * Redis connections for BullMQ. BullMQ 6 no longer brings a Redis client, and its ESM build cannot
 * load one from connection options: it is handed ioredis clients made here. ioredis is loaded only
 * when REDIS_URL is set, so that processes without Redis never need it.
 *
 * Two kinds: a **command** client fails fast while Redis is unreachable (a request that queues a
 * job gets an error at once, not a hang until Redis is back); a **blocking** client (QueueEvents,
 * Worker) waits and reconnects forever, as BullMQ requires (`maxRetriesPerRequest: null`).
 */
import type { Logger } from "../logger.js";
import { RedisClientMissingError } from "./errors/redis-client-missing-error.js";

/** What this code and BullMQ use of an ioredis client. */
export interface RedisClient {
  status: string;
  connect(): Promise<void>;
  duplicate(): RedisClient;
  on(event: "error", listener: (error: Error) => void): this;
  on(event: "ready", listener: () => void): this;
  once(event: "ready", listener: () => void): this;
  xrevrange(key: string, end: string, start: string, countToken: "COUNT", count: number): Promise<[id: string, fields: string[]][]>;
  quit(): Promise<unknown>;
  disconnect(): void;
}

type RedisConstructor = new (url: string, options: Record<string, unknown>) => RedisClient;

// A specifier in a variable: ioredis is an optional dependency, resolved only when REDIS_URL is set.
const IOREDIS = "ioredis";
let loading: Promise<RedisConstructor> | undefined;

function loadRedis(): Promise<RedisConstructor> {
  loading ??= import(IOREDIS).then(
    (module: { Redis?: RedisConstructor; default?: RedisConstructor }) => {
      const Redis = module.Redis ?? module.default;
      if (typeof Redis !== "function") throw new RedisClientMissingError(new Error("ioredis exports no Redis class"));
      return Redis;
    },
    (error: unknown) => {
      loading = undefined;
      throw new RedisClientMissingError(error);
    },
  );
  return loading;
}

/** The URL without its password, for logs and messages. */
export function redactedRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "redis://…";
  }
}

export async function createRedisClient(url: string, kind: "command" | "blocking", logger: Logger, name: string): Promise<RedisClient> {
  const Redis = await loadRedis();
  const client = new Redis(url, {
    connectionName: name,
    ...(kind === "command" ? { enableOfflineQueue: false, maxRetriesPerRequest: 1 } : { maxRetriesPerRequest: null }),
  });
  // One line per outage, not one per reconnection attempt.
  let reported = false;
  client.on("error", (error) => {
    if (reported) return;
    reported = true;
    logger.warn({ err: error, redis: redactedRedisUrl(url), connection: name }, "Redis connection failed; reconnecting");
  });
  client.on("ready", () => {
    if (reported) logger.info({ redis: redactedRedisUrl(url), connection: name }, "Redis connection restored");
    reported = false;
  });
  return client;
}

/** Resolves once the client is connected (at once when it is). */
export function whenReady(client: RedisClient): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  return new Promise((resolve) => client.once("ready", resolve));
}

/** Whether the client is connected, or connects within `ms` (a process that has just started is still connecting). */
export async function readyWithin(client: RedisClient, ms: number): Promise<boolean> {
  if (client.status === "ready") return true;
  if (client.status === "end") return false;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const ready = await Promise.race([whenReady(client).then(() => true), timedOut]);
  clearTimeout(timer);
  return ready;
}

/** Quits politely when connected; drops the connection when Redis is unreachable (quit would wait for it). */
export async function closeRedisClient(client: RedisClient): Promise<void> {
  if (client.status === "end") return;
  if (client.status !== "ready") {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
