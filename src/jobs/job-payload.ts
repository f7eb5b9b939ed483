/** Payloads are checked against their definition's schema when queued (an API error) and again when run (a permanent failure). */
import type { z } from "zod";
import { InvalidJobError } from "./errors/invalid-job-error.js";
import { PermanentJobError } from "./errors/permanent-job-error.js";

function firstIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join(".") ?? "";
  return { field: field === "" ? "payload" : field, message: issue?.message ?? "invalid payload" };
}

/** The payload as the definition's schema parses it (defaults filled in); InvalidJobError naming the field at fault. */
export function payloadToQueue<P, I>(schema: z.ZodType<P, I>, payload: unknown): P {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const { field, message } = firstIssue(parsed.error);
  throw new InvalidJobError(field, `${field}: ${message}`);
}

/** The same check when the job runs: a payload this version cannot read fails the job without retries. */
export function payloadToRun<P, I>(schema: z.ZodType<P, I>, payload: unknown): P {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const { field, message } = firstIssue(parsed.error);
  throw new PermanentJobError(`invalid payload: ${field}: ${message}`);
}
