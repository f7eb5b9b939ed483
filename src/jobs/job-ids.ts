/**
 * Job ids are chosen per school: the queue (and Redis) know a job by its school and id together,
 * each URI-encoded and joined by `/`, so ids of two schools never collide and contain no `:`
 * (BullMQ's key separator).
 */
import { randomUUID } from "node:crypto";
import { isLearnerId } from "../graph/learner-records.js";
import { InvalidJobError } from "./errors/invalid-job-error.js";

export function newJobId(): string {
  return `job-${randomUUID()}`;
}

/** The caller's id, or a new one; InvalidJobError (field `jobId`) for an id that is not 1–200 plain characters. */
export function checkedJobId(jobId: string | undefined): string {
  const id = jobId ?? newJobId();
  if (!isLearnerId(id)) throw new InvalidJobError("jobId", "jobId must be 1–200 characters without control characters");
  return id;
}

export function queueJobId(schoolId: string, jobId: string): string {
  return `${encodeURIComponent(schoolId)}/${encodeURIComponent(jobId)}`;
}

/** School and job id of a queue id; undefined for an id this code did not make. */
export function parseQueueJobId(id: string): { schoolId: string; jobId: string } | undefined {
  const parts = id.split("/");
  if (parts.length !== 2) return undefined;
  try {
    const [schoolId, jobId] = parts.map(decodeURIComponent) as [string, string];
    return schoolId !== "" && jobId !== "" ? { schoolId, jobId } : undefined;
  } catch {
    return undefined;
  }
}
