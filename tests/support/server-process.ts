/**
 * Starts the real server (`node bin/pathwise.js serve`, built dist) on a free loopback port with
 * its own data directory, and talks to it over HTTP. Nothing is mocked.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RunningServer {
  url: string;
  dataDir: string;
  process: ChildProcess;
  /** Every log line the server has written so far. */
  logs: string[];
  graphql<T = unknown>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: GraphQLBody<T> }>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface GraphQLBody<T> {
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

export function newDataDir(): string {
  return mkdtempSync(join(tmpdir(), "pathwise-data-"));
}

export async function startServer(
  options: { env?: Record<string, string>; dataDir?: string; args?: string[] } = {},
): Promise<RunningServer> {
  const dataDir = options.dataDir ?? newDataDir();
  const child = spawn(
    process.execPath,
    ["bin/pathwise.js", "serve", "--port", "0", "--host", "127.0.0.1", "--data-dir", dataDir, ...(options.args ?? [])],
    {
      env: { ...process.env, PATHWISE_SEED_PATH: "tests/fixtures/curriculum/mini", LOG_LEVEL: "info", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const logs: string[] = [];
  // "close", not "exit": the last log lines can still be in the pipes when the process has exited.
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = "";
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) {
        logs.push(line);
        try {
          const entry = JSON.parse(line) as { msg?: string; port?: number };
          if (entry.msg === "listening" && entry.port) resolve(entry.port);
        } catch {
          // not a JSON log line (e.g. the banner)
        }
      }
    };
    child.stderr?.on("data", onData);
    child.stdout?.on("data", onData);
    exited.then((code) => reject(new Error(`server exited with ${code} before listening:\n${logs.join("\n")}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    dataDir,
    process: child,
    logs,
    async graphql(query, variables, headers = {}) {
      const response = await fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as GraphQLBody<never> };
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
