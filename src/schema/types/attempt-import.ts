/**
 * `importAttempts`: the bulk import of historical attempts as a mutation, for admins of a school.
 * It queues an `attempt-import` job (src/jobs/handlers/attempt-import.ts: the same code as
 * `pathwise attempts import`), run by a worker with Redis or by this server without, and answers
 * with the job's outcome once it has finished: all or nothing (any problem: the line errors are
 * returned and nothing is written; `dryRun` checks and writes nothing). Its progress is published
 * on `jobProgress(jobId)`, and the finished job stays readable with `job(id)`.
 *
 * Who: admins only, and only for their own school's students: a row naming a student of another
 * school is reported exactly as an unknown student is, so an import learns nothing about other
 * schools. Analysts are refused (FORBIDDEN) although the issue names them: an analyst sees only
 * de-identified aggregates, and an import names students, writes their mastery and echoes their
 * ids in its line errors (docs/learning.md, "Importing over the API"). Teachers are refused too.
 */
import { GraphQLError } from "graphql";
import { JobWaitTimeoutError } from "../../jobs/errors/job-wait-timeout-error.js";
import { type AttemptImportResult, attemptImportJob } from "../../jobs/handlers/attempt-import.js";
import type { JobStatus } from "../../jobs/job-queue.js";
import { isAuthenticated } from "../auth/viewer.js";
import { builder } from "../builder.js";
import type { GraphQLContext } from "../context.js";
import { serviceCall } from "../errors.js";
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
    jobId: t.exposeID("jobId", {
      description: "The job that ran the import: `jobProgress(jobId)` reported its progress, `job(id)` keeps its outcome.",
    }),
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

/** A job still queued or running when the mutation stops waiting: it goes on, and the client follows it. */
function stillPending(error: JobWaitTimeoutError): GraphQLError {
  const { jobId, state } = error.status;
  return new GraphQLError(
    `The import job ${JSON.stringify(jobId)} is still ${state} after ${Math.round(error.waitedMs / 1000)} s (is a \`pathwise worker\` running?). It goes on: follow it with job(id) or jobProgress(jobId).`,
    { extensions: { code: "JOB_PENDING", jobId, state } },
  );
}

/** The import's outcome from its finished job: its result, also for a job that failed on its input (the line errors). */
function importResult(job: JobStatus): ImportResult {
  const result = job.result as AttemptImportResult | undefined;
  // Failed without a result: an internal error after every retry (masked for the client, logged by the server).
  if (!result) throw new Error(`attempt import job ${job.jobId} failed: ${job.error ?? "no result"}`);
  return {
    schoolId: job.schoolId,
    jobId: job.jobId,
    dryRun: result.dryRun,
    rows: result.rows,
    imported: result.imported,
    skipped: result.skipped,
    errors: result.errors.map((problem) => ({ schoolId: job.schoolId, ...problem })),
  };
}

async function runImport(
  ctx: GraphQLContext,
  viewer: { schoolId: string; subject: string },
  input: { csv: string; dryRun?: boolean | null; jobId?: string | number | null },
): Promise<ImportResult> {
  const queued = await serviceCall(
    () =>
      ctx.jobs.enqueue(attemptImportJob, {
        schoolId: viewer.schoolId,
        requestedBy: viewer.subject,
        payload: { csv: input.csv, dryRun: input.dryRun ?? false },
        ...(input.jobId != null ? { jobId: String(input.jobId) } : {}),
      }),
    "input.",
  );
  try {
    return importResult(await ctx.jobs.waitUntilFinished(viewer.schoolId, queued.jobId));
  } catch (error) {
    if (error instanceof JobWaitTimeoutError) throw stillPending(error);
    throw error;
  }
}

builder.mutationFields((t) => ({
  importAttempts: t.field({
    type: AttemptImportPayloadRef,
    description:
      "Imports a historical attempt log (the CSV of `pathwise attempts import`) into attempts and mastery, idempotent by attempt_id, all or nothing. Runs as a background job and answers once it has finished. Admins only, for their own school's students (a student of another school is reported as unknown); analysts and teachers get FORBIDDEN. Progress: `jobProgress(jobId)`. Errors: INVALID_INPUT (`input.jobId`), CONFLICT (jobId already used), JOB_PENDING (not finished within PATHWISE_JOBS_WAIT_MS; it goes on).",
    authScopes: { admin: true },
    args: { input: t.arg({ type: ImportAttemptsInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      if (!isAuthenticated(ctx.viewer)) throw new Error("unreachable: importAttempts needs a token");
      return runImport(ctx, ctx.viewer, input);
    },
  }),
}));
