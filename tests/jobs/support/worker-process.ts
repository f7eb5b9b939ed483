/**
 * A worker process for the tests: `runWorkerProcess` (what `pathwise worker` runs) with the test
 * job kinds added. Run with `node --import tsx`; configured by the environment, like the CLI.
 */
import { loadConfig } from "../../../src/config.js";
import { jobsConfigFromEnv } from "../../../src/jobs/config.js";
import { runWorkerProcess } from "../../../src/jobs/worker-process.js";
import { createLogger } from "../../../src/logger.js";
import { testJobHandlers } from "./test-jobs.js";

const config = loadConfig(process.env);
await runWorkerProcess({
  config,
  jobs: jobsConfigFromEnv(process.env),
  handlers: testJobHandlers(),
  logger: createLogger(config.logLevel),
});
