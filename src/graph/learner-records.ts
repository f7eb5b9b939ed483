/**
 * What both backends do the same way for learner data: validation before any write, attempt ids,
 * and checking the mastery update an attempt computes before it is stored.
 */
import { randomFillSync } from "node:crypto";
import type { CalibrationState, MasteryRecord, MasteryUpdate, NewAttempt, RosterChanges } from "./store.js";

/** Problems listed in the message; the error's `issues` keeps all of them. */
const ISSUES_IN_MESSAGE = 5;

export class InvalidLearnerDataError extends Error {
  constructor(readonly issues: string[]) {
    const shown = issues.slice(0, ISSUES_IN_MESSAGE).join("; ");
    const more = issues.length > ISSUES_IN_MESSAGE ? ` (and ${issues.length - ISSUES_IN_MESSAGE} more)` : "";
    super(`invalid learner data: ${shown}${more}`);
    this.name = "InvalidLearnerDataError";
  }
}

/** Ids of schools, classes, teachers, students, attempts and idempotency keys: 1–200 printable characters, no control characters. */
const ID = /^[^\p{Cc}]{1,200}$/u;

export function isLearnerId(value: unknown): value is string {
  return typeof value === "string" && ID.test(value) && value.trim() === value;
}

function checkId(value: unknown, what: string, issues: string[]): void {
  if (!isLearnerId(value)) {
    issues.push(`${what} must be 1–200 characters without control characters or surrounding spaces, got ${JSON.stringify(value)}`);
  }
}

const isProbability = (value: unknown): value is number => typeof value === "number" && value >= 0 && value <= 1;
const isDate = (value: unknown): value is string => typeof value === "string" && !Number.isNaN(Date.parse(value));

/** Throws InvalidLearnerDataError listing every problem; callers write only after it passed. */
export function validateRoster(roster: RosterChanges): void {
  const issues: string[] = [];
  checkId(roster.school?.id, "school id", issues);
  const seen = (kind: string, ids: string[]) => {
    const set = new Set<string>();
    for (const id of ids) {
      if (set.has(id)) issues.push(`${kind} ${JSON.stringify(id)} appears more than once`);
      set.add(id);
    }
    return set;
  };
  for (const c of roster.classes) {
    checkId(c.id, "class id", issues);
    if (typeof c.name !== "string" || c.name.trim() === "") issues.push(`class ${JSON.stringify(c.id)}: name must not be empty`);
    if (c.grade !== undefined && (!Number.isInteger(c.grade) || c.grade < 0 || c.grade > 20)) {
      issues.push(`class ${JSON.stringify(c.id)}: grade must be a whole number from 0 to 20, got ${String(c.grade)}`);
    }
  }
  seen(
    "class",
    roster.classes.map((c) => c.id),
  );
  const names = new Set<string>();
  for (const c of roster.classes) {
    if (names.has(c.name)) issues.push(`class name ${JSON.stringify(c.name)} appears more than once`);
    names.add(c.name);
  }
  for (const t of roster.teachers) checkId(t.id, "teacher id", issues);
  for (const s of roster.students) checkId(s.id, "student id", issues);
  seen(
    "teacher",
    roster.teachers.map((t) => t.id),
  );
  seen(
    "student",
    roster.students.map((s) => s.id),
  );
  for (const e of roster.enrolments) {
    checkId(e.classId, "enrolment class id", issues);
    checkId(e.studentId, "enrolment student id", issues);
  }
  for (const e of roster.teaching) {
    checkId(e.classId, "teaching class id", issues);
    checkId(e.teacherId, "teaching teacher id", issues);
  }
  if (issues.length > 0) throw new InvalidLearnerDataError(issues);
}

/** Validates an attempt's input fields (not its update, which is checked inside the transaction). */
export function validateNewAttempt(attempt: NewAttempt): void {
  const issues: string[] = [];
  checkId(attempt.studentId, "studentId", issues);
  checkId(attempt.itemId, "itemId", issues);
  checkId(attempt.idempotencyKey, "idempotencyKey", issues);
  if (typeof attempt.payloadHash !== "string" || attempt.payloadHash === "") issues.push("payloadHash must not be empty");
  if (typeof attempt.correct !== "boolean") issues.push("correct must be a boolean");
  if (!Array.isArray(attempt.misconceptionIds) || attempt.misconceptionIds.some((id) => typeof id !== "string")) {
    issues.push("misconceptionIds must be a list of ids");
  }
  if (attempt.responseTimeMs !== undefined && !(Number.isInteger(attempt.responseTimeMs) && attempt.responseTimeMs >= 0)) {
    issues.push(`responseTimeMs must be a whole number ≥ 0, got ${String(attempt.responseTimeMs)}`);
  }
  if (attempt.answeredAt !== undefined && !isDate(attempt.answeredAt)) {
    issues.push(`answeredAt must be a date, got ${JSON.stringify(attempt.answeredAt)}`);
  }
  if (attempt.knowledgePointIds.length === 0) issues.push(`item ${attempt.itemId} assesses no knowledge point`);
  if (new Set(attempt.knowledgePointIds).size !== attempt.knowledgePointIds.length) issues.push("knowledgePointIds repeat a point");
  if (issues.length > 0) throw new InvalidLearnerDataError(issues);
}

/** Runs an attempt's update against the current rows and checks what it returns (inside the transaction). */
export function computeUpdate(
  attempt: NewAttempt,
  current: readonly (MasteryRecord | undefined)[],
  calibration: CalibrationState,
): MasteryUpdate {
  const update = attempt.update(current, calibration);
  const issues: string[] = [];
  if (update.calibration && !(Number.isFinite(update.calibration.difficultyDelta) && Number.isFinite(update.calibration.abilityDelta))) {
    issues.push(`calibration deltas must be finite numbers, got ${JSON.stringify(update.calibration)}`);
  }
  if (!isProbability(update.predictedCorrect))
    issues.push(`predictedCorrect must be a probability, got ${String(update.predictedCorrect)}`);
  if (update.mastery.length !== attempt.knowledgePointIds.length) {
    issues.push(`the update has ${update.mastery.length} points, the attempt ${attempt.knowledgePointIds.length}`);
  }
  update.mastery.forEach((change, i) => {
    if (change.knowledgePointId !== attempt.knowledgePointIds[i]) {
      issues.push(`update point ${i} is ${change.knowledgePointId}, expected ${attempt.knowledgePointIds[i]}`);
    }
    for (const key of ["before", "after", "predictedCorrect"] as const) {
      if (!isProbability(change[key])) issues.push(`${change.knowledgePointId}: ${key} must be a probability, got ${String(change[key])}`);
    }
  });
  if (issues.length > 0) throw new InvalidLearnerDataError(issues);
  return update;
}

/** A target success rate: a probability strictly between 0 and 1, or null to clear it. */
export function validateTargetSuccessRate(rate: number | null): void {
  if (rate !== null && !(typeof rate === "number" && rate > 0 && rate < 1)) {
    throw new InvalidLearnerDataError([`targetSuccessRate must be between 0 and 1 (exclusive), got ${String(rate)}`]);
  }
}

/** `att-20260501T120000123Z-9f8e7d6c5b4a`: sorts by creation time, random enough never to repeat. */
export function newAttemptId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.]/g, "");
  return `att-${stamp}-${randomHex(6)}`;
}

// Random bytes for ids, drawn 4 KiB at a time: a randomBytes call per answer was 4 % of the
// answer path's time (ids need to be unique, not secret).
const randomPool = Buffer.alloc(4096);
let randomOffset = randomPool.length;

function randomHex(bytes: number): string {
  if (randomOffset + bytes > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  randomOffset += bytes;
  return randomPool.toString("hex", randomOffset - bytes, randomOffset);
}

/** The later of two ISO dates (lastPractisedAt never goes back when an older answer arrives late). */
export function laterDate(a: string | undefined, b: string): string {
  if (a === undefined) return b;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}
