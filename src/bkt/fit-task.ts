/** One unit of fitting work — a knowledge point, optionally without one fold — run the same way on any thread. */
import type { TraceArrays } from "./dataset.js";
import { type EmOptions, type EmWorkspace, fitSkill, type SkillFitResult } from "./em.js";
import { trainingSetFor } from "./training-set.js";

export interface FitTask {
  skill: number;
  /** The fold left out for cross-validation, or −1 to train on everyone. */
  excludeFold: number;
  /** Seed of this task's restarts: derived from the run seed and the skill name, never from the thread. */
  seed: number;
}

export function runFitTask(
  arrays: TraceArrays,
  task: FitTask,
  options: EmOptions,
  sequenceFold: Int8Array | undefined,
  workspace: EmWorkspace,
): SkillFitResult {
  const set = trainingSetFor(arrays, task.skill, options.variant, {
    ...(sequenceFold ? { sequenceFold } : {}),
    excludeFold: task.excludeFold,
  });
  return fitSkill(set, options, task.seed, workspace);
}
