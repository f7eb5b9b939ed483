/**
 * `attempt-import`: a school's historical attempt log (CSV) replayed by the same code as
 * `pathwise attempts import` (src/services/attempt-import.ts), all or nothing: with any problem the
 * job fails without retries, nothing written, and keeps the line errors as its result; a dry run
 * checks and writes nothing. Queued by the `importAttempts` mutation.
 *
 * Tenancy: a row naming a student of another school is reported exactly as an unknown student is,
 * so that an import learns nothing about other schools' students.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import type { KnowledgeGraphStore } from "../../graph/store.js";
import {
  ATTEMPT_COLUMNS,
  ATTEMPT_OPTIONAL_COLUMNS,
  AttemptImportError,
  type AttemptImportReport,
  importAttemptLog,
} from "../../services/attempt-import.js";
import { type CsvFile, parseCsv } from "../../services/csv.js";
import { PermanentJobError } from "../errors/permanent-job-error.js";
import type { JobContext, JobDefinition } from "../job-definition.js";

const AttemptImportPayload = z.object({
  csv: z.string(),
  dryRun: z.boolean().default(false),
});
export type AttemptImportPayload = z.infer<typeof AttemptImportPayload>;

export interface AttemptImportProblem {
  /** The CSV line (1 is the header); null when the problem is not on one line. */
  line: number | null;
  message: string;
}

export interface AttemptImportResult {
  dryRun: boolean;
  /** Data rows in the CSV. */
  rows: number;
  imported: number;
  skipped: number;
  errors: AttemptImportProblem[];
}

/** Step-2 messages of the import (against the store): for a row of another school's student they would leak what is stored. */
const STORE_MESSAGE =
  /^(student ".*" does not exist|attempt_id .* (was already (imported|recorded)|is used on line \d+) for a different answer)/s;

function unknownStudent(studentId: string): string {
  // Exactly the import's own message for an unknown student (src/services/attempt-import.ts).
  return `student ${JSON.stringify(studentId)} does not exist (import the roster first)`;
}

/** `file:line: message` (the import's format) → line and message. */
function problemsOf(file: string, messages: readonly string[]): AttemptImportProblem[] {
  return messages.map((text) => {
    const rest = text.startsWith(`${file}:`) ? text.slice(file.length + 1) : text;
    const match = /^(\d+): (.*)$/s.exec(rest);
    return match ? { line: Number(match[1]), message: match[2] as string } : { line: null, message: rest.replace(/^ /, "") };
  });
}

/** Lines whose student exists but belongs to another school, with that student's id. */
async function foreignLines(store: KnowledgeGraphStore, parsed: CsvFile, schoolId: string): Promise<Map<number, string>> {
  const ids = [...new Set(parsed.records.map((r) => r.cells.student_id ?? "").filter((id) => id !== ""))];
  const students = await store.learners.getStudents(ids);
  const foreign = new Set(students.filter((s) => s !== undefined && s.schoolId !== schoolId).map((s) => s?.id));
  const lines = new Map<number, string>();
  for (const record of parsed.records) {
    const id = record.cells.student_id ?? "";
    if (foreign.has(id)) lines.set(record.line, id);
  }
  return lines;
}

async function importRows(
  file: string,
  parsed: CsvFile | undefined,
  payload: AttemptImportPayload,
  context: JobContext,
): Promise<AttemptImportResult> {
  const { runtime, schoolId } = context;
  const rows = parsed?.records.length ?? 0;
  const result = (report: Pick<AttemptImportReport, "imported" | "skipped">, errors: AttemptImportProblem[]): AttemptImportResult => ({
    dryRun: payload.dryRun,
    rows,
    imported: report.imported,
    skipped: report.skipped,
    errors,
  });
  const foreign = parsed ? await foreignLines(runtime.store, parsed, schoolId) : new Map<number, string>();
  if (foreign.size > 0) {
    // Rows of another school's students: never written; each reported as an unknown student
    // would be. The other rows are checked (dry run) so that every problem is reported at once.
    const report = await importAttemptLog(runtime.learning, file, { dryRun: true });
    const problems = problemsOf(file, report.errors).filter(
      (p) => !(p.line !== null && foreign.has(p.line) && STORE_MESSAGE.test(p.message)),
    );
    for (const [line, studentId] of foreign) {
      if (!problems.some((p) => p.line === line)) problems.push({ line, message: unknownStudent(studentId) });
    }
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    // Counts would tell which foreign rows are stored: none are given (a real run would write nothing).
    return result({ imported: 0, skipped: 0 }, problems);
  }
  try {
    const report = await importAttemptLog(runtime.learning, file, {
      dryRun: payload.dryRun,
      onProgress: (done, total) => context.reportProgress(done, total, `${done} of ${total} row(s) written`),
    });
    return result(report, problemsOf(file, report.errors));
  } catch (error) {
    if (!(error instanceof AttemptImportError)) throw error;
    return result({ imported: 0, skipped: 0 }, problemsOf(file, error.problems));
  }
}

export const attemptImportJob: JobDefinition<AttemptImportPayload, AttemptImportResult, z.input<typeof AttemptImportPayload>> = {
  name: "attempt-import",
  payload: AttemptImportPayload,

  async run(payload, context) {
    let parsed: CsvFile | undefined;
    try {
      parsed = parseCsv(payload.csv, ATTEMPT_COLUMNS, ATTEMPT_OPTIONAL_COLUMNS);
    } catch {
      parsed = undefined; // the import reports it, with its line
    }
    const rows = parsed?.records.length ?? 0;
    context.reportProgress(0, rows, payload.dryRun ? "checking rows (dry run)" : "checking rows");
    const dir = await mkdtemp(join(tmpdir(), "pathwise-import-"));
    try {
      const file = join(dir, "attempts.csv");
      await writeFile(file, payload.csv);
      const result = await importRows(file, parsed, payload, context);
      if (result.errors.length > 0 && !payload.dryRun) {
        throw new PermanentJobError(`${result.errors.length} error(s); nothing was written`, result);
      }
      return result;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },

  completion(result) {
    const verb = result.dryRun ? "dry run, nothing written: would import" : "imported";
    return {
      processed: result.rows,
      total: result.rows,
      message: `${verb} ${result.imported}, skipped ${result.skipped}, ${result.errors.length} error(s)`,
    };
  },
};
