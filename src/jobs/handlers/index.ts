/**
 * The job kinds every process can run, in a worker or in-process. A new kind: write its
 * definition (a JobDefinition) beside these and add one `.register(…)` line.
 */
import { JobHandlerRegistry } from "../job-handler-registry.js";
import { attemptImportJob } from "./attempt-import.js";
import { bktRefitJob } from "./bkt-refit.js";
import { curriculumImportJob } from "./curriculum-import.js";
import { lessonPlanJob } from "./lesson-plan.js";

export function defaultJobHandlers(): JobHandlerRegistry {
  return new JobHandlerRegistry().register(attemptImportJob).register(curriculumImportJob).register(bktRefitJob).register(lessonPlanJob);
}
