/** `pathwise roster import <csv> --school <id>`: a school's classes, students and teachers, all or nothing (docs/learning.md). */
import type { Command } from "commander";
import { loadConfig } from "../config.js";
import { createLogger } from "../logger.js";
import { importRoster, RosterImportError } from "../services/roster.js";
import { openRuntime } from "../services/runtime.js";

/** Commands print their results; their logs stay at `warn` unless LOG_LEVEL asks for more (or less). */
const CLI_DEFAULTS = { logLevel: "warn" } as const;

export function registerRoster(program: Command): void {
  const roster = program.command("roster").description("import school rosters: classes, students, teachers");

  roster
    .command("import")
    .description("import a roster CSV (columns class,grade,student_id,display_name,teacher_id[,subject]) into one school, all or nothing")
    .argument("<csv>", "the roster file")
    .requiredOption("--school <id>", "the school (tenant) the roster belongs to; created if new")
    .option("--school-name <name>", "the school's name (set or updated)")
    .option("--subject <id>", "the subject of classes whose row has no subject cell")
    .option("--dry-run", "check the file against the store and report, writing nothing")
    .option("--data-dir <dir>", "the embedded store's directory (env PATHWISE_DATA_DIR; default ./data)")
    .action(
      async (file: string, options: { school: string; schoolName?: string; subject?: string; dryRun?: boolean; dataDir?: string }) => {
        const config = loadConfig(process.env, options, CLI_DEFAULTS);
        const runtime = await openRuntime(config, createLogger(config.logLevel));
        try {
          const report = await importRoster(runtime.store, file, {
            schoolId: options.school,
            ...(options.schoolName ? { schoolName: options.schoolName } : {}),
            ...(options.subject ? { subjectId: options.subject } : {}),
            dryRun: options.dryRun ?? false,
          });
          const counts = `${report.rows} row(s): ${report.classes} class(es), ${report.students} student(s), ${report.teachers} teacher(s)`;
          if (report.dryRun || !report.summary) {
            process.stdout.write(`dry run: the roster is valid, nothing written — ${counts}\n`);
            return;
          }
          const s = report.summary;
          process.stdout.write(
            `imported roster into school ${options.school}${s.schoolCreated ? " (new school)" : ""} — ${counts}\n` +
              `  classes:    ${s.classes.added} added, ${s.classes.updated} updated\n` +
              `  students:   ${s.students.added} added, ${s.students.updated} updated\n` +
              `  teachers:   ${s.teachers.added} added, ${s.teachers.updated} updated\n` +
              `  enrolments: ${s.enrolments.added} added, ${s.enrolments.unchanged} already there\n` +
              `  teaching:   ${s.teaching.added} added, ${s.teaching.unchanged} already there\n`,
          );
        } catch (error) {
          if (error instanceof RosterImportError) {
            process.stderr.write(`${error.message}\n`);
            process.exitCode = 1;
            return;
          }
          throw error;
        } finally {
          await runtime.close();
        }
      },
    );
}
