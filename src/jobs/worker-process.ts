/**
 * A worker process: opens the runtime (the store, the curriculum index, the mastery model), runs a
 * JobWorker on the Redis queue until SIGTERM or SIGINT, then stops cleanly — the current jobs
 * finish within PATHWISE_JOBS_SHUTDOWN_GRACE_MS or go back to the queue — and exits 0.
 * `pathwise worker` runs it with the default job kinds.
 */
import type { PathwiseConfig } from "../config.js";
import type { Logger } from "../logger.js";
import { openRuntime } from "../services/runtime.js";
import type { JobsConfig } from "./config.js";
import type { JobHandlerRegistry } from "./job-handler-registry.js";
import { JobWorker } from "./job-worker.js";
import { redactedRedisUrl } from "./redis-clients.js";

export const NO_REDIS_MESSAGE =
  "REDIS_URL is not set: a worker takes its jobs from Redis. Set it to the Redis the server uses (e.g. REDIS_URL=redis://localhost:6379); without Redis, jobs run inside `pathwise serve` and no worker is needed.";

export async function runWorkerProcess(options: {
  config: PathwiseConfig;
  jobs: JobsConfig;
  handlers: JobHandlerRegistry;
  logger: Logger;
}): Promise<void> {
  const { config, jobs, handlers, logger } = options;
  if (!jobs.redisUrl) throw new Error(NO_REDIS_MESSAGE);
  const runtime = await openRuntime(config, logger, { jobs, longRunning: true });
  const worker = new JobWorker(runtime, handlers, jobs, logger.child({ component: "worker" }));
  try {
    await worker.start();
  } catch (error) {
    await runtime.close();
    throw error;
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: jobs.shutdownGraceMs }, "worker stopping: no new jobs; finishing or releasing the current ones");
    try {
      await worker.stop();
      await runtime.close();
      logger.info("worker stopped");
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, "worker did not stop cleanly");
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  logger.info(
    {
      redis: redactedRedisUrl(jobs.redisUrl),
      queue: jobs.queueName,
      concurrency: jobs.concurrency,
      kinds: handlers.names(),
      store: runtime.store.backend,
    },
    "worker ready",
  );
}
