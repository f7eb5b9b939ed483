/**
 * A failed job's error as BullMQ keeps it: `failedReason` is a string, so a failure that carries a
 * result (PermanentJobError's) is written as a marked JSON object; any other reason (a thrown
 * error's message, BullMQ's own "job stalled more than allowable limit") is the message itself.
 */
export interface JobFailure {
  message: string;
  result?: unknown;
}

const MARKER = "pathwise-job-failure:";

export function encodeFailure(failure: JobFailure): string {
  return `${MARKER}${JSON.stringify(failure)}`;
}

export function decodeFailure(reason: string | undefined): JobFailure {
  if (reason === undefined) return { message: "failed" };
  if (!reason.startsWith(MARKER)) return { message: reason };
  try {
    const parsed = JSON.parse(reason.slice(MARKER.length)) as Partial<JobFailure>;
    return typeof parsed.message === "string"
      ? { message: parsed.message, ...("result" in parsed ? { result: parsed.result } : {}) }
      : { message: reason };
  } catch {
    return { message: reason };
  }
}
