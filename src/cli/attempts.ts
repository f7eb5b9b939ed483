/** `pathwise attempts import <csv>`: replay a historical answer log into attempts and mastery (docs/learning.md). */
import type { Command } from "commander";
import { loadConfig } from "../config.js";
import { createLogger } from "../logger.js";
import { AttemptImportError, DEFAULT_BATCH_SIZE, importAttemptLog } from "../services/attempt-import.js";
import { openRuntime } from "../services/runtime.js";
import { parsePositiveInteger } from "./options.js";

/** Commands print their results; their logs stay at `warn` unless LOG_LEVEL asks for more (or less). */
const CLI_DEFAULTS = { logLevel: "warn" } as const;
/** Errors printed in full; the count says how many more there are. */
const ERRORS_LISTED = 50;

export function registerAttempts(program: Command): void {
  const attempts = program.command("attempts").description("import historical answers");

  attempts
    .command("import")
    .description(
      "replay an answer log (columns attempt_id,student_id,item_id,response,answered_at[,response_time_ms]) in answered_at order; idempotent by attempt_id",
    )
    .argument("<csv>", "the log; response is option ids (a or a;b), a number, or text")
    .option("--batch-size <n>", "rows per write transaction", parsePositiveInteger, DEFAULT_BATCH_SIZE)
    .option("--skip-invalid", "import the valid rows even when others have errors (reported; exit status 1)")
    .option("--dry-run", "check every row and report, writing nothing")
    .option("--data-dir <dir>", "the embedded store's directory (env PATHWISE_DATA_DIR; default ./data)")
    .action(async (file: string, options: { batchSize: number; skipInvalid?: boolean; dryRun?: boolean; dataDir?: string }) => {
      const config = loadConfig(process.env, options, CLI_DEFAULTS);
      const runtime = await openRuntime(config, createLogger(config.logLevel));
      try {
        const report = await importAttemptLog(runtime.learning, file, {
          batchSize: options.batchSize,
          skipInvalid: options.skipInvalid ?? false,
          dryRun: options.dryRun ?? false,
        });
        for (const error of report.errors.slice(0, ERRORS_LISTED)) process.stderr.write(`${error}\n`);
        if (report.errors.length > ERRORS_LISTED) process.stderr.write(`… and ${report.errors.length - ERRORS_LISTED} more error(s)\n`);
        const verb = report.dryRun ? "dry run, nothing written: would import" : "imported";
        process.stdout.write(
          `${report.rows} row(s): ${verb} ${report.imported}, skipped ${report.skipped} (already recorded), ${report.errors.length} error(s)\n`,
        );
        if (report.errors.length > 0) process.exitCode = 1;
      } catch (error) {
        if (error instanceof AttemptImportError) {
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
