/**
 * Server-side files a job reads (a curriculum, an answer log) are named relative to
 * PATHWISE_JOBS_FILES_DIR on the machine that runs the job, and must stay inside it (after
 * following symbolic links): an admin's request can never make a worker read another file.
 */
import { realpath } from "node:fs/promises";
import { isAbsolute, resolve, sep } from "node:path";
import type { JobsConfig } from "./config.js";
import { PermanentJobError } from "./errors/permanent-job-error.js";

export async function jobFile(config: Pick<JobsConfig, "filesDir">, path: string, field: string): Promise<string> {
  if (!config.filesDir)
    throw new PermanentJobError(`${field}: reading server-side files is off here (set PATHWISE_JOBS_FILES_DIR where jobs run)`);
  if (isAbsolute(path)) throw new PermanentJobError(`${field}: ${JSON.stringify(path)} must be relative to PATHWISE_JOBS_FILES_DIR`);
  let root: string;
  try {
    root = await realpath(config.filesDir);
  } catch {
    throw new PermanentJobError(`${field}: PATHWISE_JOBS_FILES_DIR does not exist where this job runs`);
  }
  let target: string;
  try {
    target = await realpath(resolve(root, path));
  } catch {
    throw new PermanentJobError(`${field}: ${JSON.stringify(path)} does not exist in PATHWISE_JOBS_FILES_DIR`);
  }
  if (target !== root && !target.startsWith(`${root}${sep}`)) {
    throw new PermanentJobError(`${field}: ${JSON.stringify(path)} is outside PATHWISE_JOBS_FILES_DIR`);
  }
  return target;
}
