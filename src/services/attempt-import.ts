/**
 * Bulk import of historical attempts (docs/learning.md, "Attempt log"): a CSV log replayed in
 * answered_at order through the same two steps as submitAnswer (LearningService.prepare, then
 * record), idempotent by attempt id (used as the idempotency key), in batches of N rows per
 * transaction. Every row is checked before anything is written; with skipInvalid the valid rows
 * are imported and the others reported.
 */
import { readFileSync } from "node:fs";
import { CsvLineError, parseCsv } from "./csv.js";
import { InvalidInputError, NotFoundError } from "./errors.js";
import type { ItemResponse } from "./grading.js";
import type { ItemCache, LearningService, PreparedAnswer } from "./learning-service.js";

export const ATTEMPT_COLUMNS = ["attempt_id", "student_id", "item_id", "response", "answered_at"] as const;
export const ATTEMPT_OPTIONAL_COLUMNS = ["response_time_ms"] as const;
export const DEFAULT_BATCH_SIZE = 500;

const PROBLEMS_IN_MESSAGE = 20;

export class AttemptImportError extends Error {
  constructor(readonly problems: string[]) {
    const shown = problems.slice(0, PROBLEMS_IN_MESSAGE).join("\n");
    const more = problems.length > PROBLEMS_IN_MESSAGE ? `\n… and ${problems.length - PROBLEMS_IN_MESSAGE} more` : "";
    super(
      `attempts not imported (nothing was written): ${problems.length} problem(s)\n${shown}${more}\n(--skip-invalid imports the valid rows)`,
    );
    this.name = "AttemptImportError";
  }
}

export interface AttemptImportOptions {
  /** Rows per write transaction (default 500). */
  batchSize?: number;
  /** Check every row and report, write nothing. */
  dryRun?: boolean;
  /** Import the valid rows even when others have errors (reported in `errors`). */
  skipInvalid?: boolean;
  /** Called after each committed batch with the rows done so far. */
  onProgress?: (done: number, total: number) => void;
}

export interface AttemptImportReport {
  rows: number;
  /** Newly recorded. */
  imported: number;
  /** Already recorded with the same payload (an earlier import or a duplicate row): nothing written. */
  skipped: number;
  /** `file:line: message`, in line order. */
  errors: string[];
  dryRun: boolean;
}

/** The CSV response cell as the item type expects it: option ids `a` / `a;b`, a number, or text. */
export function responseFromCell(itemType: string, cell: string): ItemResponse {
  if (itemType === "single_choice" || itemType === "multiple_choice") {
    return {
      kind: "options",
      optionIds: cell
        .split(";")
        .map((id) => id.trim())
        .filter((id) => id !== ""),
    };
  }
  if (itemType === "numeric") return { kind: "number", text: cell };
  return { kind: "text", text: cell };
}

interface Row {
  line: number;
  time: number;
  prepared: PreparedAnswer;
}

export async function importAttemptLog(
  learning: LearningService,
  file: string,
  options: AttemptImportOptions = {},
): Promise<AttemptImportReport> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  let parsed: ReturnType<typeof parseCsv>;
  try {
    parsed = parseCsv(readFileSync(file, "utf8"), ATTEMPT_COLUMNS, ATTEMPT_OPTIONAL_COLUMNS);
  } catch (error) {
    if (error instanceof CsvLineError) throw new AttemptImportError([`${file}:${error.line}: ${error.message}`]);
    throw new AttemptImportError([`${file}: ${(error as Error).message}`]);
  }
  const errors: { line: number; message: string }[] = [];
  const items: ItemCache = new Map();
  const rows: Row[] = [];
  const learners = learning.store.learners;

  // 1. Each row on its own: dates, the item, grading.
  for (const { line, cells } of parsed.records) {
    const fail = (message: string) => errors.push({ line, message });
    const attemptId = cells.attempt_id ?? "";
    const answeredAt = cells.answered_at ?? "";
    if (attemptId === "") {
      fail("attempt_id is empty");
      continue;
    }
    const time = Date.parse(answeredAt);
    if (answeredAt === "" || Number.isNaN(time)) {
      fail(`answered_at must be an ISO 8601 date, got ${JSON.stringify(answeredAt)}`);
      continue;
    }
    let responseTimeMs: number | undefined;
    if ((cells.response_time_ms ?? "") !== "") {
      responseTimeMs = Number(cells.response_time_ms);
      if (!Number.isInteger(responseTimeMs) || responseTimeMs < 0) {
        fail(`response_time_ms must be a whole number ≥ 0, got ${JSON.stringify(cells.response_time_ms)}`);
        continue;
      }
    }
    const itemId = cells.item_id ?? "";
    let lookup = items.get(itemId);
    if (!lookup) {
      lookup = learning.store.curriculum.getItems([itemId]).then((found) => found[0]);
      items.set(itemId, lookup);
    }
    const item = await lookup;
    try {
      const prepared = await learning.prepare(
        {
          studentId: cells.student_id ?? "",
          itemId,
          response: responseFromCell(item?.type ?? "short_answer", cells.response ?? ""),
          idempotencyKey: attemptId,
          answeredAt,
          ...(responseTimeMs !== undefined ? { responseTimeMs } : {}),
        },
        items,
      );
      rows.push({ line, time, prepared });
    } catch (error) {
      if (error instanceof NotFoundError || error instanceof InvalidInputError) fail(error.message);
      else throw error;
    }
  }

  // 2. Against the store and the rest of the file: students, attempt ids already used.
  const studentIds = [...new Set(rows.map((row) => row.prepared.attempt.studentId))];
  const known = new Set((await learners.getStudents(studentIds)).filter((s) => s !== undefined).map((s) => s.id));
  const stored = await learners.findAttemptsByKey(rows.map((row) => row.prepared.attempt));
  const firstInFile = new Map<string, Row>();
  let skipped = 0;
  const valid: Row[] = [];
  rows.forEach((row, i) => {
    const { attempt } = row.prepared;
    if (!known.has(attempt.studentId)) {
      errors.push({ line: row.line, message: `student ${JSON.stringify(attempt.studentId)} does not exist (import the roster first)` });
      return;
    }
    const earlier = stored[i];
    if (earlier) {
      if (earlier.payloadHash === attempt.payloadHash) skipped++;
      else errors.push({ line: row.line, message: `attempt_id ${attempt.idempotencyKey} was already imported with a different answer` });
      return;
    }
    const key = JSON.stringify([attempt.studentId, attempt.idempotencyKey]);
    const first = firstInFile.get(key);
    if (first) {
      if (first.prepared.attempt.payloadHash === attempt.payloadHash) skipped++;
      else
        errors.push({
          line: row.line,
          message: `attempt_id ${attempt.idempotencyKey} is used on line ${first.line} for a different answer`,
        });
      return;
    }
    firstInFile.set(key, row);
    valid.push(row);
  });

  const report = (imported: number): AttemptImportReport => ({
    rows: parsed.records.length,
    imported,
    skipped,
    errors: errors.sort((a, b) => a.line - b.line).map((e) => `${file}:${e.line}: ${e.message}`),
    dryRun: options.dryRun ?? false,
  });
  if (errors.length > 0 && !options.skipInvalid && !options.dryRun) throw new AttemptImportError(report(0).errors);
  if (options.dryRun) return report(valid.length);

  // 3. Replay in answered_at order (ties in file order), N rows per transaction.
  valid.sort((a, b) => a.time - b.time || a.line - b.line);
  let imported = 0;
  for (let start = 0; start < valid.length; start += batchSize) {
    const batch = valid.slice(start, start + batchSize);
    const results = await learning.record(batch.map((row) => row.prepared));
    results.forEach((result, i) => {
      const row = batch[i] as Row;
      if (result.status === "recorded") imported++;
      else if (result.status === "unknown-student")
        errors.push({ line: row.line, message: `student ${row.prepared.attempt.studentId} does not exist` });
      else if (result.attempt.payloadHash === row.prepared.attempt.payloadHash) skipped++;
      else
        errors.push({
          line: row.line,
          message: `attempt_id ${row.prepared.attempt.idempotencyKey} was already recorded with a different answer`,
        });
    });
    options.onProgress?.(Math.min(start + batchSize, valid.length), valid.length);
  }
  return report(imported);
}
