/** `pathwise worker`: runs background jobs from the Redis queue (REDIS_URL) until SIGTERM (docs/jobs.md). */
import type { Command } from "commander";
import { loadConfig } from "../config.js";
import { jobsConfigFromEnv } from "../jobs/config.js";
import { defaultJobHandlers } from "../jobs/handlers/index.js";
import { NO_REDIS_MESSAGE, runWorkerProcess } from "../jobs/worker-process.js";
import { createLogger } from "../logger.js";
import { parsePositiveInteger } from "./options.js";

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description(
      "run background jobs (attempt and curriculum imports, BKT refits) from the Redis queue at REDIS_URL; SIGTERM finishes or releases the current jobs",
    )
    .option("--data-dir <dir>", "the embedded store's directory, the server's (env PATHWISE_DATA_DIR; default ./data)")
    .option("--concurrency <n>", "jobs run at a time (env PATHWISE_JOBS_CONCURRENCY; default 2)", parsePositiveInteger)
    .action(async (options: { dataDir?: string; concurrency?: number }) => {
      const jobs = jobsConfigFromEnv(process.env);
      // Refused before anything is opened.
      if (!jobs.redisUrl) throw new Error(NO_REDIS_MESSAGE);
      const config = loadConfig(process.env, options);
      await runWorkerProcess({
        config,
        jobs: options.concurrency !== undefined ? { ...jobs, concurrency: options.concurrency } : jobs,
        handlers: defaultJobHandlers(),
        logger: createLogger(config.logLevel),
      });
    });
}
