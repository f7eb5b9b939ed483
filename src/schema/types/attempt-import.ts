/**
 * `importAttempts`: the bulk import of historical attempts as a mutation, for admins of a school.
 * It runs the same code as `pathwise attempts import` (src/services/attempt-import.ts) in-process,
 * all or nothing (any problem: the line errors are returned and nothing is written; `dryRun`
 * checks and writes nothing), and publishes its progress on `jobProgress(jobId)`.
 *
 * Who: admins only, and only for their own school's students: a row naming a student of another
 * school is reported exactly as an unknown student is, so an import learns nothing about other
 * schools. Analysts are refused (FORBIDDEN) although the issue names them: an analyst sees only
 * de-identified aggregates, and an import names students, writes their mastery and echoes their
 * ids in its line errors (docs/learning.md, "Importing over the API"). Teachers are refused too.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isLearnerId } from "../../graph/learner-records.js";
import {
  ATTEMPT_COLUMNS,
  ATTEMPT_OPTIONAL_COLUMNS,
  AttemptImportError,
  type AttemptImportReport,
  importAttemptLog,
} from "../../services/attempt-import.js";
import { type CsvFile, parseCsv } from "../../services/csv.js";
import type { JobProgressEvent, JobState } from "../../services/learning-events.js";
import { isAuthenticated } from "../auth/viewer.js";
import { builder } from "../builder.js";
import type { GraphQLContext } from "../context.js";
import { ConflictError, InvalidInputError } from "../errors.js";
import { jobReaders } from "./subscriptions.js";

export interface ImportProblem {
  schoolId: string;
  /** The CSV line (1 is the header); null when the problem is not on one line. */
  line: number | null;
  message: string;
}

export interface ImportResult {
  schoolId: string;
  jobId: string;
  dryRun: boolean;
  rows: number;
  imported: number;
  skipped: number;
  errors: ImportProblem[];
}

const AttemptImportProblemRef = builder.objectRef<ImportProblem>("AttemptImportProblem").implement({
  description: "A problem with one line of the CSV.",
  authScopes: (problem) => jobReaders(problem.schoolId),
  fields: (t) => ({
    line: t.exposeInt("line", { nullable: true, description: "The line of the CSV (1 is the header); null: the whole file." }),
    message: t.exposeString("message"),
  }),
});

const AttemptImportPayloadRef = builder.objectRef<ImportResult>("AttemptImportPayload").implement({
  description: "What an import did. With any error nothing was written (imported: 0) unless it was a dry run.",
  authScopes: (result) => jobReaders(result.schoolId),
  fields: (t) => ({
    jobId: t.exposeID("jobId", { description: "The job whose progress `jobProgress(jobId)` reported." }),
    dryRun: t.exposeBoolean("dryRun"),
    rows: t.exposeInt("rows", { description: "Data rows in the CSV." }),
    imported: t.exposeInt("imported", { description: "Newly recorded (a dry run: would be recorded)." }),
    skipped: t.exposeInt("skipped", { description: "Already recorded with the same answer (or repeated in the file): nothing written." }),
    errors: t.field({ type: [AttemptImportProblemRef], resolve: (result) => result.errors }),
  }),
});

const ImportAttemptsInput = builder.inputType("ImportAttemptsInput", {
  fields: (t) => ({
    csv: t.string({
      required: true,
      description:
        "The attempt log, as for `pathwise attempts import`: columns attempt_id,student_id,item_id,response,answered_at[,response_time_ms]. Bounded by the request size limit.",
    }),
    dryRun: t.boolean({ required: false, description: "Check every row and report; write nothing." }),
    jobId: t.id({
      required: false,
      description:
        "Choose the job id yourself to subscribe to `jobProgress(jobId)` before starting the import (unique in your school; default: a new UUID).",
    }),
  }),
});

/** Step-2 messages of the import (against the store): for a row of another school's student they would leak what is stored. */
const STORE_MESSAGE =
  /^(student ".*" does not exist|attempt_id .* (was already (imported|recorded)|is used on line \d+) for a different answer)/s;

function unknownStudent(studentId: string): string {
  // Exactly the import's own message for an unknown student (src/services/attempt-import.ts).
  return `student ${JSON.stringify(studentId)} does not exist (import the roster first)`;
}

/** `file:line: message` (the import's format) → line and message. */
function problemsOf(file: string, messages: readonly string[], schoolId: string): ImportProblem[] {
  return messages.map((text) => {
    const rest = text.startsWith(`${file}:`) ? text.slice(file.length + 1) : text;
    const match = /^(\d+): (.*)$/s.exec(rest);
    return match
      ? { schoolId, line: Number(match[1]), message: match[2] as string }
      : { schoolId, line: null, message: rest.replace(/^ /, "") };
  });
}

/** Lines whose student exists but belongs to another school, with that student's id. */
async function foreignLines(ctx: GraphQLContext, parsed: CsvFile, schoolId: string): Promise<Map<number, string>> {
  const ids = [...new Set(parsed.records.map((r) => r.cells.student_id ?? "").filter((id) => id !== ""))];
  const students = await ctx.store.learners.getStudents(ids);
  const foreign = new Set(students.filter((s) => s !== undefined && s.schoolId !== schoolId).map((s) => s?.id));
  const lines = new Map<number, string>();
  for (const record of parsed.records) {
    const id = record.cells.student_id ?? "";
    if (foreign.has(id)) lines.set(record.line, id);
  }
  return lines;
}

async function runImport(
  ctx: GraphQLContext,
  schoolId: string,
  input: { csv: string; dryRun?: boolean | null; jobId?: string | number | null },
): Promise<ImportResult> {
  const jobId = input.jobId != null ? String(input.jobId) : `job-${randomUUID()}`;
  if (!isLearnerId(jobId)) throw new InvalidInputError("input.jobId", "jobId must be 1–200 characters without control characters");
  if (ctx.events.hasJob(schoolId, jobId)) throw new ConflictError(`job ${JSON.stringify(jobId)} already exists in your school`);
  const dryRun = input.dryRun ?? false;
  let parsed: CsvFile | undefined;
  try {
    parsed = parseCsv(input.csv, ATTEMPT_COLUMNS, ATTEMPT_OPTIONAL_COLUMNS);
  } catch {
    parsed = undefined; // the import reports it, with its line
  }
  const rows = parsed?.records.length ?? 0;
  const progress = (state: JobState, processed: number, total: number, message?: string) => {
    const event: JobProgressEvent = { jobId, schoolId, state, processed, total, ...(message !== undefined ? { message } : {}) };
    ctx.events.publishJobProgress(event);
  };
  progress("QUEUED", 0, rows);

  const dir = await mkdtemp(join(tmpdir(), "pathwise-import-"));
  const file = join(dir, "attempts.csv");
  const result = (report: Pick<AttemptImportReport, "imported" | "skipped">, errors: ImportProblem[]): ImportResult => ({
    schoolId,
    jobId,
    dryRun,
    rows,
    imported: report.imported,
    skipped: report.skipped,
    errors,
  });
  try {
    await writeFile(file, input.csv);
    progress("RUNNING", 0, rows, dryRun ? "checking rows (dry run)" : "checking rows");
    const foreign = parsed ? await foreignLines(ctx, parsed, schoolId) : new Map<number, string>();
    let outcome: ImportResult;
    if (foreign.size > 0) {
      // Rows of another school's students: never written; each reported as an unknown student
      // would be. The other rows are checked (dry run) so that every problem is reported at once.
      const report = await importAttemptLog(ctx.learning, file, { dryRun: true });
      const problems = problemsOf(file, report.errors, schoolId).filter(
        (p) => !(p.line !== null && foreign.has(p.line) && STORE_MESSAGE.test(p.message)),
      );
      for (const [line, studentId] of foreign) {
        if (!problems.some((p) => p.line === line)) problems.push({ schoolId, line, message: unknownStudent(studentId) });
      }
      problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
      // Counts would tell which foreign rows are stored: none are given (a real run would write nothing).
      outcome = result({ imported: 0, skipped: 0 }, problems);
    } else {
      try {
        const report = await importAttemptLog(ctx.learning, file, {
          dryRun,
          onProgress: (done, total) => progress("RUNNING", done, total, `${done} of ${total} row(s) written`),
        });
        outcome = result(report, problemsOf(file, report.errors, schoolId));
      } catch (error) {
        if (!(error instanceof AttemptImportError)) throw error;
        outcome = result({ imported: 0, skipped: 0 }, problemsOf(file, error.problems, schoolId));
      }
    }
    if (outcome.errors.length > 0 && !dryRun) {
      progress("FAILED", 0, rows, `${outcome.errors.length} error(s); nothing was written`);
    } else {
      const verb = dryRun ? "dry run, nothing written: would import" : "imported";
      progress("COMPLETED", rows, rows, `${verb} ${outcome.imported}, skipped ${outcome.skipped}, ${outcome.errors.length} error(s)`);
    }
    return outcome;
  } catch (error) {
    progress("FAILED", 0, rows, "internal error");
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

builder.mutationFields((t) => ({
  importAttempts: t.field({
    type: AttemptImportPayloadRef,
    description:
      "Imports a historical attempt log (the CSV of `pathwise attempts import`) into attempts and mastery, idempotent by attempt_id, all or nothing. Admins only, for their own school's students (a student of another school is reported as unknown); analysts and teachers get FORBIDDEN. Progress: `jobProgress(jobId)`. Errors: INVALID_INPUT (`input.jobId`), CONFLICT (jobId already used).",
    authScopes: { admin: true },
    args: { input: t.arg({ type: ImportAttemptsInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      if (!isAuthenticated(ctx.viewer)) throw new Error("unreachable: importAttempts needs a token");
      return runImport(ctx, ctx.viewer.schoolId, input);
    },
  }),
}));
