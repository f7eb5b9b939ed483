/** Worker processes for the tests: started, awaited until ready (their "worker ready" log line), signalled. */
import { type ChildProcess, spawn } from "node:child_process";

export interface RunningWorker {
  process: ChildProcess;
  logs: string[];
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Resolves once a log line containing `text` has been written. */
  logged(text: string): Promise<void>;
}

/**
 * `command` is the argument list after node: the test worker (`--import tsx tests/jobs/support/worker-process.ts`)
 * or the real CLI (`bin/pathwise.js worker`).
 */
export async function startWorker(command: string[], env: Record<string, string>): Promise<RunningWorker> {
  const child = spawn(process.execPath, command, { env: { ...process.env, LOG_LEVEL: "info", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const logs: string[] = [];
  const waiting: { text: string; resolve: () => void }[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    let buffer = "";
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) {
        logs.push(line);
        if (line.includes('"msg":"worker ready"')) resolve();
        for (const wait of waiting.filter((w) => line.includes(w.text))) wait.resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    exited.then((code) => reject(new Error(`worker exited with ${code} before it was ready:\n${logs.join("\n")}`)));
  });
  const logged = (text: string) =>
    logs.some((line) => line.includes(text)) ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ text, resolve }));
  return { process: child, logs, exited, logged };
}

export const TEST_WORKER = ["--import", "tsx", "tests/jobs/support/worker-process.ts"];
