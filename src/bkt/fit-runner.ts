/**
 * Runs fitting tasks on the calling thread or across worker threads. Workers share the dataset's
 * typed arrays (SharedArrayBuffers: nothing is copied) and take tasks longest first, so the two
 * cores stay busy. Every task is seeded from the run seed and its skill, never from the thread
 * it lands on, so 1 and N threads give identical results.
 */
import { createRequire } from "node:module";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { type TraceDataset, traceArrays } from "./dataset.js";
import { type EmOptions, EmWorkspace, type SkillFitResult } from "./em.js";
import { type FitTask, runFitTask } from "./fit-task.js";
import { hashSeed } from "./random.js";

export interface RunnerOptions {
  /** Worker threads; 1 runs on the calling thread. Default: the number of cores. */
  threads: number;
  onProgress?: (done: number, total: number) => void;
}

export const defaultThreads = (): number => Math.max(1, cpus().length);

/** The seed of a skill's restarts for a run seed and fold. */
export function taskSeed(runSeed: number, skillName: string, excludeFold: number): number {
  return hashSeed(`${skillName}\u0000${excludeFold}`, runSeed);
}

function taskCost(dataset: TraceDataset, task: FitTask): number {
  const first = dataset.skillSequenceStart[task.skill] as number;
  const last = dataset.skillSequenceStart[task.skill + 1] as number;
  return (dataset.sequenceStart[last] as number) - (dataset.sequenceStart[first] as number);
}

/**
 * Starts a worker on the module next to this one: compiled JS in dist/; in development (tests
 * and benchmarks run the TypeScript through tsx) a bootstrap registers tsx's loader first, since
 * Node 20 workers do not accept `--import` in execArgv.
 */
function startWorker(workerData: unknown): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./fit-worker.js", import.meta.url), { workerData });
  // tsx's exports map sends `tsx/esm/api` to this file for ESM importers.
  const tsxRoot = dirname(createRequire(import.meta.url).resolve("tsx/package.json"));
  const tsxApi = pathToFileURL(join(tsxRoot, "dist/esm/api/index.mjs")).href;
  const entry = new URL("./fit-worker.ts", import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData, execArgv: [] });
}

type WorkerMessage = { ready?: true; index: number; result?: SkillFitResult; error?: string };

export async function runFitTasks(
  dataset: TraceDataset,
  tasks: FitTask[],
  options: EmOptions,
  sequenceFold: Int8Array | undefined,
  runner: RunnerOptions,
): Promise<SkillFitResult[]> {
  const results: SkillFitResult[] = new Array(tasks.length);
  const queue = tasks.map((_, i) => i).sort((a, b) => taskCost(dataset, tasks[b] as FitTask) - taskCost(dataset, tasks[a] as FitTask));
  const threads = Math.max(1, Math.min(runner.threads, tasks.length));
  let done = 0;

  if (threads === 1) {
    const workspace = new EmWorkspace();
    const arrays = traceArrays(dataset);
    for (const index of queue) {
      results[index] = runFitTask(arrays, tasks[index] as FitTask, options, sequenceFold, workspace);
      done++;
      runner.onProgress?.(done, tasks.length);
    }
    return results;
  }

  const workers = Array.from({ length: threads }, () => startWorker({ arrays: traceArrays(dataset), options, sequenceFold }));
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      const feed = (worker: Worker) => {
        if (next < queue.length) {
          const index = queue[next++] as number;
          worker.postMessage({ index, task: tasks[index] });
        }
      };
      for (const worker of workers) {
        worker.on("message", (message: WorkerMessage) => {
          // A worker announces itself once its listener is attached: a task posted earlier could
          // be dispatched while the worker is still loading its modules, and be lost.
          if (message.ready) {
            feed(worker);
            return;
          }
          if (message.error !== undefined) {
            reject(new Error(`fitting failed in a worker: ${message.error}`));
            return;
          }
          results[message.index] = message.result as SkillFitResult;
          done++;
          runner.onProgress?.(done, tasks.length);
          if (done === tasks.length) resolve();
          else feed(worker);
        });
        worker.on("error", reject);
        worker.on("exit", (code) => {
          if (done < tasks.length) reject(new Error(`a fitting worker exited with code ${code}`));
        });
      }
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return results;
}
