/**
 * `curriculum-import`: the curriculum at a server-side path (relative to PATHWISE_JOBS_FILES_DIR)
 * imported by CurriculumService.importPath, as `pathwise curriculum import` does: all or nothing,
 * idempotent, `dryRun` reporting the changes without writing them. Problems in the files fail the
 * job without retries and are kept as its result. Servers pick the new curriculum up within 5 s.
 */
import { z } from "zod";
import { CurriculumValidationError, formatIssue } from "../../curriculum/errors.js";
import { PermanentJobError } from "../errors/permanent-job-error.js";
import type { JobDefinition } from "../job-definition.js";
import { jobFile } from "../job-files.js";

const CurriculumImportPayload = z.object({
  /** A package file, a package directory, or a directory of packages, relative to PATHWISE_JOBS_FILES_DIR. */
  path: z.string().min(1),
  dryRun: z.boolean().default(false),
});
export type CurriculumImportPayload = z.infer<typeof CurriculumImportPayload>;

/** Problems and warnings listed in a result at most. */
const LISTED = 200;

type Counts = Record<string, number>;

export interface CurriculumImportResult {
  subjects: string[];
  dryRun: boolean;
  /** Whether anything was written. */
  wrote: boolean;
  changeCount: number;
  added: Counts;
  changed: Counts;
  removed: Counts;
  unchanged: Counts;
  warnings: string[];
}

export const curriculumImportJob: JobDefinition<
  CurriculumImportPayload,
  CurriculumImportResult,
  z.input<typeof CurriculumImportPayload>
> = {
  name: "curriculum-import",
  payload: CurriculumImportPayload,

  async run(payload, context) {
    const path = await jobFile(context.config, payload.path, "path");
    context.reportProgress(0, 1, payload.dryRun ? "validating (dry run)" : "validating and importing");
    try {
      const report = await context.runtime.curriculum.importPath(path, { dryRun: payload.dryRun });
      return {
        subjects: report.subjects,
        dryRun: report.dryRun,
        wrote: report.wrote,
        changeCount: report.changeCount,
        added: { ...report.added },
        changed: { ...report.changed },
        removed: { ...report.removed },
        unchanged: { ...report.unchanged },
        warnings: report.warnings.slice(0, LISTED).map((w) => `${w.file} ${w.path}${w.id ? ` [${w.id}]` : ""}: ${w.message}`),
      };
    } catch (error) {
      if (!(error instanceof CurriculumValidationError)) throw error;
      throw new PermanentJobError(`${error.issues.length} problem(s) in the curriculum; nothing was written`, {
        problems: error.issues.slice(0, LISTED).map(formatIssue),
      });
    }
  },

  completion(result) {
    const subjects = result.subjects.join(", ");
    const message =
      result.changeCount === 0
        ? `nothing to write: ${subjects} already up to date`
        : result.dryRun
          ? `dry run: would write ${result.changeCount} change(s) to ${subjects}`
          : `imported ${result.changeCount} change(s) to ${subjects}`;
    return { processed: 1, total: 1, message };
  },
};
