/** The job queue a process uses: BullMQ when REDIS_URL is set, else in-process. The same job definitions run either way. */
import { BullMqJobQueue } from "./bullmq-job-queue.js";
import type { JobsConfig } from "./config.js";
import { defaultJobHandlers } from "./handlers/index.js";
import { InProcessJobQueue } from "./in-process-job-queue.js";
import type { JobRuntime } from "./job-definition.js";
import type { JobHandlerRegistry } from "./job-handler-registry.js";
import type { JobQueue } from "./job-queue.js";

export function openJobQueue(
  runtime: JobRuntime,
  config: JobsConfig,
  handlers: JobHandlerRegistry = defaultJobHandlers(),
): Promise<JobQueue> {
  if (config.redisUrl) return BullMqJobQueue.open(runtime, handlers, config);
  return Promise.resolve(new InProcessJobQueue(runtime, handlers, config));
}
