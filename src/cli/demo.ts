/** `pathwise demo reset`: (re)creates the demo school, its roster and simulated history, in an existing store (docs/learning.md). */
import type { Command } from "commander";
import { loadConfig } from "../config.js";
import { createLogger } from "../logger.js";
import { DemoSchoolError, resetDemoSchool } from "../services/demo-school.js";
import { LearningService } from "../services/learning-service.js";
import { openRuntime } from "../services/runtime.js";
import { parseNonNegativeInteger } from "./options.js";

/** Commands print their results; their logs stay at `warn` unless LOG_LEVEL asks for more (or less). */
const CLI_DEFAULTS = { logLevel: "warn" } as const;

export function registerDemo(program: Command): void {
  const demo = program.command("demo").description("the demo school (classes, pseudonymous students, simulated answers)");

  demo
    .command("reset")
    .description(
      "remove the demo school (school id demo) with everything in it and create it again from seeds/demo/; refuses if another school's records would be touched",
    )
    .option("--seed <n>", "random seed of the simulated history (default: the one in seeds/demo/school.yaml)", parseNonNegativeInteger)
    .option("--data-dir <dir>", "the embedded store's directory (env PATHWISE_DATA_DIR; default ./data)")
    .action(async (options: { seed?: number; dataDir?: string }) => {
      const config = loadConfig(process.env, options, CLI_DEFAULTS);
      const logger = createLogger(config.logLevel);
      const runtime = await openRuntime(config, logger);
      try {
        const report = await resetDemoSchool(
          // Without placement, as on first start: the simulation's students start every point at its prior.
          {
            store: runtime.store,
            index: runtime.curriculum.index,
            learning: new LearningService(runtime.store, runtime.masteryModel),
            logger,
          },
          options.seed !== undefined ? { seed: options.seed } : {},
        );
        process.stdout.write(
          `demo school ${report.schoolId} re-created in ${(report.ms / 1000).toFixed(1)} s` +
            ` (removed ${report.removed.students} student(s) and ${report.removed.attempts} attempt(s) first)\n` +
            `  ${report.classes} class(es), ${report.teachers} teacher(s), ${report.students} student(s)\n` +
            `  ${report.attempts} simulated answer(s) from ${report.from} to ${report.to}, ${report.misconceptionAttempts} revealing misconceptions\n` +
            (report.skippedClasses.length > 0
              ? `  left out (no such subject and grade in the curriculum): ${report.skippedClasses.join(", ")}\n`
              : ""),
        );
      } catch (error) {
        if (error instanceof DemoSchoolError) {
          process.stderr.write(`${error.message}\n`);
          process.exitCode = 1;
          return;
        }
        throw error;
      } finally {
        await runtime.close();
      }
    });
}
