/** Worker-thread entry: fits the tasks the main thread sends, on the shared dataset arrays. */
import { parentPort, workerData } from "node:worker_threads";
import type { TraceArrays } from "./dataset.js";
import { type EmOptions, EmWorkspace } from "./em.js";
import { type FitTask, runFitTask } from "./fit-task.js";

const { arrays, options, sequenceFold } = workerData as { arrays: TraceArrays; options: EmOptions; sequenceFold?: Int8Array };
const workspace = new EmWorkspace();

parentPort?.on("message", (message: { index: number; task: FitTask }) => {
  try {
    const result = runFitTask(arrays, message.task, options, sequenceFold, workspace);
    parentPort?.postMessage({ index: message.index, result });
  } catch (error) {
    parentPort?.postMessage({ index: message.index, error: (error as Error).stack ?? String(error) });
  }
});
parentPort?.postMessage({ ready: true });
