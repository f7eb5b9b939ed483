/**
 * The api suite's server: `node bin/pathwise.js serve` (the built dist/, with `npm start`'s Node
 * flags) as a child process on a free loopback port, with a fresh temp data directory,
 * development mode and the demo school on.
 * Its log goes to a file in the data directory, so the load generator never has to read it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface BenchServer {
  url: string;
  port: number;
  dataDir: string;
  /** The environment the server runs with (tokens must be signed with the same settings). */
  env: NodeJS.ProcessEnv;
  /** The last lines of the server's log, for error messages. */
  logTail(lines?: number): string;
  /** SIGTERM, then wait for the exit (SIGKILL after `graceMs`); resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  /** Deletes the temp data directory (after stop). */
  remove(): void;
}

/** A port nothing listens on right now: bind port 0 on loopback, read it, release it. */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

async function waitForReady(url: string, child: ChildProcess, timeoutMs: number): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before /readyz`);
    try {
      const response = await fetch(`${url}/readyz`);
      const body = (await response.json()) as unknown;
      if (response.status === 200) return body;
      last = `HTTP ${response.status} ${JSON.stringify(body)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`server not ready after ${timeoutMs} ms: ${last}`);
}

/**
 * The Node flags `npm start` gives the server (package.json's start script), so that the benchmark
 * measures the server as it is started (docs/configuration.md, "Running in production").
 */
export function startScriptNodeFlags(packageJson = "package.json"): string[] {
  const { scripts } = JSON.parse(readFileSync(packageJson, "utf8")) as { scripts: { start: string } };
  const match = /\bnode((?: --\S+)*) bin\/pathwise\.js serve\b/.exec(scripts.start);
  if (!match) throw new Error(`package.json's start script does not run "node … bin/pathwise.js serve": ${scripts.start}`);
  return (match[1] ?? "").split(" ").filter((flag) => flag !== "");
}

export async function startBenchServer(
  options: { logLevel?: string; readyTimeoutMs?: number; nodeArgs?: string[] } = {},
): Promise<BenchServer & { ready: unknown }> {
  const dataDir = mkdtempSync(join(tmpdir(), "pathwise-bench-api-"));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATHWISE_MODE: "development",
    PATHWISE_DEMO: "true",
    PATHWISE_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: options.logLevel ?? "info",
  };
  // The embedded store and the default seed (the demo school needs it), whatever the shell says.
  delete env.NEO4J_URI;
  delete env.PATHWISE_SEED_PATH;
  delete env.NODE_ENV;
  const logFile = join(dataDir, "server.log");
  const fd = openSync(logFile, "a");
  const child = spawn(
    process.execPath,
    [
      ...startScriptNodeFlags(),
      ...(options.nodeArgs ?? []),
      "bin/pathwise.js",
      "serve",
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
      "--data-dir",
      dataDir,
    ],
    {
      env,
      stdio: ["ignore", fd, fd],
    },
  );
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const logTail = (lines = 20) => {
    try {
      return readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  };
  const stop = async (graceMs = 20_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  const remove = () => rmSync(dataDir, { recursive: true, force: true });
  try {
    const ready = await waitForReady(url, child, options.readyTimeoutMs ?? 90_000);
    return { url, port, dataDir, env, logTail, stop, remove, ready };
  } catch (error) {
    const tail = logTail();
    await stop(2000);
    remove();
    throw new Error(`${(error as Error).message}\n${tail}`);
  }
}
