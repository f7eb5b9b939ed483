/**
 * Background jobs in the API (docs/jobs.md): `job(id)` reads one of your school's jobs — its
 * state, progress, attempts, result or error — and the admins' `importCurriculum` and `refitBkt`
 * queue the long-running work and return the queued job at once. Progress also streams on
 * `jobProgress(jobId)`.
 *
 * Who: a job belongs to the school that queued it. Its admins may read it, and so may the teacher
 * who started it; nobody else. Job ids are per school, so another school's job of the same id is
 * never seen: `job(id)` answers null, as for an unknown id.
 */
import { bktRefitJob } from "../../jobs/handlers/bkt-refit.js";
import { curriculumImportJob } from "../../jobs/handlers/curriculum-import.js";
import { payloadToQueue } from "../../jobs/job-payload.js";
import type { JobStatus } from "../../jobs/job-queue.js";
import { type ScopeMap, STAFF, sameSchool } from "../auth/scopes.js";
import { isAuthenticated } from "../auth/viewer.js";
import { builder } from "../builder.js";
import type { GraphQLContext } from "../context.js";
import { serviceCall } from "../errors.js";
import { JobStateEnum, jobReaders } from "./subscriptions.js";

/** The admins of the job's school, and the teacher who started it. */
function jobScopes(job: JobStatus, ctx: GraphQLContext): ScopeMap {
  const viewer = ctx.viewer;
  if (isAuthenticated(viewer) && viewer.role === "teacher" && viewer.subject === job.requestedBy) return sameSchool(job.schoolId);
  return jobReaders(job.schoolId);
}

export const JobRef = builder.objectRef<JobStatus>("Job").implement({
  description: "A background job of your school: an import or a refit, queued and run by a worker (or by the server without Redis).",
  authScopes: (job, ctx) => jobScopes(job, ctx),
  fields: (t) => ({
    id: t.id({ description: "Unique in your school.", resolve: (job) => job.jobId }),
    kind: t.exposeString("kind", { description: "What the job does: `attempt-import`, `curriculum-import`, `bkt-refit`, …" }),
    state: t.field({ type: JobStateEnum, resolve: (job) => job.state }),
    processed: t.int({ description: "Units of work done so far (rows, fits, …).", resolve: (job) => job.progress.processed }),
    total: t.int({ description: "Units of work in all, as far as known.", resolve: (job) => job.progress.total }),
    message: t.string({
      nullable: true,
      description: "The latest progress message, or the outcome.",
      resolve: (job) => job.progress.message ?? null,
    }),
    attemptsMade: t.exposeInt("attemptsMade", {
      description: "Attempts that have ended, failed or completed (a failed attempt is retried with backoff while attempts remain).",
    }),
    maxAttempts: t.exposeInt("maxAttempts"),
    result: t.string({
      nullable: true,
      description:
        "The job's result as JSON text: a completed job's; a failed job's when it failed on its input (e.g. an import's line errors). Its shape depends on `kind` (docs/jobs.md).",
      resolve: (job) => (job.result === undefined ? null : JSON.stringify(job.result)),
    }),
    error: t.string({
      nullable: true,
      description: "Why a FAILED job failed (its last attempt's error).",
      resolve: (job) => job.error ?? null,
    }),
    requestedBy: t.exposeID("requestedBy", { description: "Who queued it (their user id)." }),
    createdAt: t.string({ description: "ISO 8601, when it was queued.", resolve: (job) => job.createdAt.toISOString() }),
    startedAt: t.string({
      nullable: true,
      description: "ISO 8601, when its latest attempt started.",
      resolve: (job) => job.startedAt?.toISOString() ?? null,
    }),
    finishedAt: t.string({
      nullable: true,
      description: "ISO 8601, when it completed or failed.",
      resolve: (job) => job.finishedAt?.toISOString() ?? null,
    }),
  }),
});

const ImportCurriculumInput = builder.inputType("ImportCurriculumInput", {
  fields: (t) => ({
    path: t.string({
      required: true,
      description:
        "A package file, a package directory or a directory of packages, relative to PATHWISE_JOBS_FILES_DIR on the machine that runs the job.",
    }),
    dryRun: t.boolean({ required: false, description: "Validate and report the changes; write nothing." }),
    jobId: t.id({
      required: false,
      description: "Choose the job id (unique in your school) to follow it before it starts; default: a new one.",
    }),
  }),
});

const BktColumnsInput = builder.inputType("BktColumnsInput", {
  description: "Column names of the answer log, when they are not pyBKT's.",
  fields: (t) => ({
    user: t.string({ required: false, description: "Default `user_id`." }),
    skill: t.string({ required: false, description: "Knowledge point ids. Default `skill_name`." }),
    correct: t.string({ required: false, description: "1, 0, or −1 (not observed). Default `correct`." }),
    order: t.string({ required: false, description: "Default `order_id` (file order when absent)." }),
    item: t.string({ required: false, description: "For item variants. Default `problem_id`." }),
  }),
});

const RefitBktInput = builder.inputType("RefitBktInput", {
  fields: (t) => ({
    dataPath: t.string({
      required: true,
      description: "The answer log (CSV or TSV, optionally gzipped), relative to PATHWISE_JOBS_FILES_DIR on the machine that runs the job.",
    }),
    variant: t.string({
      required: false,
      description: "standard (default), forgets, item-difficulty, item-learn or item-difficulty-forgets.",
    }),
    columns: t.field({ type: BktColumnsInput, required: false }),
    restarts: t.int({ required: false, description: "Random restarts per knowledge point. Default 5." }),
    seed: t.int({ required: false, description: "Default 42: results are reproducible for a seed." }),
    folds: t.int({ required: false, description: "Cross-validation folds, 2–100. Default 5." }),
    split: t.string({ required: false, description: "student (default) or skill-student." }),
    threads: t.int({ required: false, description: "Worker threads. Default: the cores of the machine running the job." }),
    activate: t.boolean({ required: false, description: "Make the new parameters current (default true); false stores them only." }),
    jobId: t.id({
      required: false,
      description: "Choose the job id (unique in your school) to follow it before it starts; default: a new one.",
    }),
  }),
});

/** GraphQL's absent or null optional arguments, left out (the job's schema fills in its defaults). */
function given<T extends Record<string, unknown>>(input: T): { [K in keyof T]?: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null && value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], null>;
  };
}

function requester(ctx: GraphQLContext): { schoolId: string; requestedBy: string } {
  if (!isAuthenticated(ctx.viewer)) throw new Error("unreachable: queuing a job needs a token");
  return { schoolId: ctx.viewer.schoolId, requestedBy: ctx.viewer.subject };
}

builder.queryFields((t) => ({
  job: t.field({
    type: JobRef,
    nullable: true,
    description:
      "A job of your school: admins any, teachers those they started. Null when your school has no job of that id (another school's jobs are never seen).",
    authScopes: STAFF,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      if (!isAuthenticated(ctx.viewer)) return null;
      return (await ctx.jobs.status(ctx.viewer.schoolId, String(args.id))) ?? null;
    },
  }),
}));

builder.mutationFields((t) => ({
  importCurriculum: t.field({
    type: JobRef,
    description:
      "Queues a curriculum import (as `pathwise curriculum import`) from a server-side path, and returns the queued job: follow it with `job(id)` or `jobProgress(jobId)`. Admins only. Errors: INVALID_INPUT, CONFLICT (jobId already used).",
    authScopes: { admin: true },
    args: { input: t.arg({ type: ImportCurriculumInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const { jobId, ...payload } = given(input);
      return serviceCall(
        () =>
          ctx.jobs.enqueue(curriculumImportJob, { ...requester(ctx), payload, ...(jobId !== undefined ? { jobId: String(jobId) } : {}) }),
        "input.",
      );
    },
  }),
  refitBkt: t.field({
    type: JobRef,
    description:
      "Queues a BKT refit — fit, cross-validate, publish with the metrics (docs/bkt.md) — on a server-side answer log, and returns the queued job. Admins only. Errors: INVALID_INPUT, CONFLICT (jobId already used).",
    authScopes: { admin: true },
    args: { input: t.arg({ type: RefitBktInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const { jobId, columns, ...options } = given(input);
      return serviceCall(() => {
        // The GraphQL input is looser than the job's (variant and split are strings here): checked first, naming the field at fault.
        const payload = payloadToQueue(bktRefitJob.payload, { ...options, ...(columns ? { columns: given(columns) } : {}) });
        return ctx.jobs.enqueue(bktRefitJob, { ...requester(ctx), payload, ...(jobId !== undefined ? { jobId: String(jobId) } : {}) });
      }, "input.");
    },
  }),
}));
