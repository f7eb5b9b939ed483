/** `pathwise curriculum validate|import|export|schema`. */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { loadConfig } from "../config.js";
import { CurriculumValidationError } from "../curriculum/errors.js";
import { writeCurriculumExport } from "../curriculum/export.js";
import { type ImportReport, validateCurriculumPath } from "../curriculum/importer.js";
import { curriculumJsonSchema } from "../curriculum/json-schema.js";
import { CURRICULUM_KINDS } from "../curriculum/model.js";
import type { CurriculumWarning } from "../curriculum/validate.js";
import { createLogger } from "../logger.js";
import { openRuntime } from "../services/runtime.js";

/** Commands print their results; their logs stay at `warn` unless LOG_LEVEL asks for more (or less). */
const CLI_DEFAULTS = { logLevel: "warn" } as const;

function printWarnings(warnings: CurriculumWarning[]): void {
  for (const warning of warnings) {
    process.stderr.write(`  warning: ${warning.file} ${warning.path}${warning.id ? ` [${warning.id}]` : ""}: ${warning.message}\n`);
  }
}

function printReport(report: ImportReport): void {
  const rows = CURRICULUM_KINDS.map((kind) => [
    kind,
    report.added[kind],
    report.changed[kind],
    report.removed[kind],
    report.unchanged[kind],
  ]);
  const header = ["", "added", "changed", "removed", "unchanged"];
  const width = [16, 8, 8, 8, 10];
  const line = (cells: (string | number)[]) =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(width[i] as number) : String(c).padStart(width[i] as number))).join(" ");
  process.stdout.write(`${line(header)}\n${rows.map(line).join("\n")}\n`);
  const verb =
    report.changeCount === 0 ? "nothing to write: already up to date" : report.dryRun ? "dry run: would write these changes" : "imported";
  process.stdout.write(`${verb} (${report.subjects.join(", ")})\n`);
}

/** Runs a command body; curriculum problems print as a list and exit with status 1. */
async function reportingProblems(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (error instanceof CurriculumValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

export function registerCurriculum(program: Command): void {
  const curriculum = program.command("curriculum").description("validate, import and export curriculum packages");

  curriculum
    .command("validate")
    .description("check curriculum files without writing anything; exit status 1 on problems")
    .argument("<path>", "a package file, a package directory (with subject.yaml), or a directory of packages")
    .action((path: string) =>
      reportingProblems(async () => {
        const validated = await validateCurriculumPath(path);
        printWarnings(validated.warnings);
        const d = validated.data;
        process.stdout.write(
          `valid: ${d.subjects.map((s) => s.id).join(", ")} — ${d.knowledgePoints.length} knowledge points, ${d.prerequisites.length} prerequisites, ` +
            `${d.items.length} items (${d.items.filter((i) => i.templateId).length} from ${d.itemTemplates.length} templates), ` +
            `${d.misconceptions.length} misconceptions, ${d.resources.length} resources\n`,
        );
      }),
    );

  curriculum
    .command("import")
    .description("import all-or-nothing; re-importing is idempotent and reports added, changed and removed")
    .argument("<path>", "a package file, a package directory, or a directory of packages")
    .option("--data-dir <dir>", "the embedded store's directory (env PATHWISE_DATA_DIR; default ./data)")
    .option("--dry-run", "validate and report the changes without writing them")
    .action((path: string, options: { dataDir?: string; dryRun?: boolean }) =>
      reportingProblems(async () => {
        const config = loadConfig(process.env, options, CLI_DEFAULTS);
        const runtime = await openRuntime(config, createLogger(config.logLevel));
        try {
          const report = await runtime.curriculum.importPath(path, { dryRun: options.dryRun ?? false });
          printWarnings(report.warnings);
          printReport(report);
        } finally {
          await runtime.close();
        }
      }),
    );

  curriculum
    .command("export")
    .description("write stored curricula as packages (a directory per subject, or one .yaml/.json file)")
    .argument("<target>", "a directory, or a .yaml/.json file for a single subject")
    .option("--subject <id...>", "subjects to export (default: all)")
    .option("--data-dir <dir>", "the embedded store's directory (env PATHWISE_DATA_DIR; default ./data)")
    .action(async (target: string, options: { subject?: string[]; dataDir?: string }) => {
      const config = loadConfig(process.env, options, CLI_DEFAULTS);
      const runtime = await openRuntime(config, createLogger(config.logLevel));
      try {
        const subjects = options.subject ?? (await runtime.store.curriculum.listSubjects()).map((s) => s.id);
        const data = await runtime.store.curriculum.exportCurriculum(subjects);
        const missing = subjects.filter((id) => !data.subjects.some((s) => s.id === id));
        if (missing.length > 0) throw new Error(`unknown subject: ${missing.join(", ")}`);
        const written = writeCurriculumExport(data, target, subjects);
        process.stdout.write(`wrote ${written.length} file(s):\n${written.map((f) => `  ${f}`).join("\n")}\n`);
      } finally {
        await runtime.close();
      }
    });

  curriculum
    .command("schema")
    .description("print the JSON Schema of the curriculum file format")
    .option("--out <file>", "write it to a file instead of stdout")
    .action((options: { out?: string }) => {
      const text = `${JSON.stringify(curriculumJsonSchema(), null, 2)}\n`;
      if (options.out) writeFileSync(options.out, text);
      else process.stdout.write(text);
    });
}
