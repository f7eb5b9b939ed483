/**
 * Reads answer logs (CSV or TSV, optionally gzipped) into rows for BKT. Only the mapped columns
 * are kept; ids are interned into indices as they are read. A bad value is reported with its
 * file, line and column, and nothing is returned.
 *
 * Hand-written rather than a CSV library: the whole of ASSISTments 2009 (325k rows) must load in
 * a fraction of the ~1 s budget of a fit, and only 4–5 of its columns are wanted; this scanner
 * does RFC 4180 quoting, detects the delimiter from the header and reports exact positions.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { TraceRows } from "./dataset.js";

export interface TraceColumns {
  user: string;
  skill: string;
  correct: string;
  order: string;
  item?: string;
}

/** pyBKT's column names, which the CLI uses unless told otherwise. */
export const DEFAULT_COLUMNS: TraceColumns = { user: "user_id", skill: "skill_name", correct: "correct", order: "order_id" };
/** pyBKT's item column, read for item variants. */
export const DEFAULT_ITEM_COLUMN = "problem_id";

/**
 * The columns to read: those named, else pyBKT's names; the item column only when the variant
 * needs items or one was named (so a file without it still fits the standard variants).
 */
export function traceColumns(named: Partial<TraceColumns>, needsItems: boolean): TraceColumns {
  const columns: TraceColumns = {
    user: named.user ?? DEFAULT_COLUMNS.user,
    skill: named.skill ?? DEFAULT_COLUMNS.skill,
    correct: named.correct ?? DEFAULT_COLUMNS.correct,
    order: named.order ?? DEFAULT_COLUMNS.order,
  };
  if (needsItems || named.item !== undefined) columns.item = named.item ?? DEFAULT_ITEM_COLUMN;
  return columns;
}

export class TraceFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: string | undefined,
    problem: string,
  ) {
    super(`${file}:${line}${column ? ` (column ${column})` : ""}: ${problem}`);
    this.name = "TraceFileError";
  }
}

export interface TraceFileReport {
  /** Rows kept. */
  rows: number;
  /** Rows dropped because their skill was empty. */
  droppedEmptySkill: number;
  delimiter: "," | "\t" | ";";
  /** The order column was absent and not asked for: file order was used. */
  fileOrder: boolean;
}

export interface ReadTraceOptions {
  columns: TraceColumns;
  /** The order column was named explicitly (then its absence is an error, not a fallback). */
  orderExplicit?: boolean;
}

export function readTraceFile(path: string, options: ReadTraceOptions): { rows: TraceRows; report: TraceFileReport } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new TraceFileError(
      path,
      0,
      undefined,
      `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      throw new TraceFileError(path, 0, undefined, "the gzip stream is corrupt");
    }
  }
  return parseTraceText(bytes.toString("utf8"), path, options);
}

class Interner {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  intern(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(name);
      this.index.set(name, i);
    }
    return i;
  }
}

function detectDelimiter(headerLine: string): "," | "\t" | ";" {
  const count = (c: string) => headerLine.split(c).length - 1;
  const tabs = count("\t");
  const commas = count(",");
  const semicolons = count(";");
  if (tabs > commas && tabs >= semicolons) return "\t";
  if (semicolons > commas) return ";";
  return ",";
}

function parseCorrect(text: string): number {
  switch (text) {
    case "1":
    case "1.0":
      return 1;
    case "0":
    case "0.0":
      return 0;
    case "-1":
    case "-1.0":
      return -1;
    default:
      return Number.NaN;
  }
}

export function parseTraceText(input: string, file: string, options: ReadTraceOptions): { rows: TraceRows; report: TraceFileReport } {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const firstBreak = text.indexOf("\n");
  const delimiter = detectDelimiter(firstBreak < 0 ? text : text.slice(0, firstBreak));
  const delimiterCode = delimiter.charCodeAt(0);

  // Scanner state: position, line number, and whether the last field ended its record.
  let pos = 0;
  let line = 1;
  let endOfRecord = false;
  const readField = (): string => {
    endOfRecord = false;
    let value: string;
    if (text.charCodeAt(pos) === 34 /* " */) {
      let out = "";
      let start = ++pos;
      for (;;) {
        const q = text.indexOf('"', pos);
        if (q < 0) throw new TraceFileError(file, line, undefined, "a quoted field is never closed");
        for (let i = pos; i < q; i++) if (text.charCodeAt(i) === 10) line++;
        if (text.charCodeAt(q + 1) === 34) {
          out += text.slice(start, q + 1);
          pos = q + 2;
          start = pos;
          continue;
        }
        out += text.slice(start, q);
        pos = q + 1;
        break;
      }
      value = out;
    } else {
      const start = pos;
      let c = text.charCodeAt(pos);
      while (pos < text.length && c !== delimiterCode && c !== 10 && c !== 13) c = text.charCodeAt(++pos);
      value = text.slice(start, pos);
    }
    const c = text.charCodeAt(pos);
    if (c === delimiterCode) pos++;
    else {
      if (c === 13) pos++;
      if (text.charCodeAt(pos) === 10) pos++;
      endOfRecord = true;
      line++;
    }
    return value;
  };

  const header: string[] = [];
  do header.push(readField().trim());
  while (!endOfRecord && pos < text.length);
  const { columns } = options;
  const columnIndex = (name: string | undefined, role: string, required: boolean): number => {
    if (name === undefined) return -1;
    const index = header.indexOf(name);
    if (index < 0 && required) {
      throw new TraceFileError(
        file,
        1,
        name,
        `no ${role} column "${name}" in the header (columns: ${header.map((h) => JSON.stringify(h)).join(", ")}); map it with --${role}-col`,
      );
    }
    return index;
  };
  const userColumn = columnIndex(columns.user, "user", true);
  const skillColumn = columnIndex(columns.skill, "skill", true);
  const correctColumn = columnIndex(columns.correct, "correct", true);
  const orderColumn = columnIndex(columns.order, "order", options.orderExplicit === true);
  const itemColumn = columnIndex(columns.item, "item", true);

  const users = new Interner();
  const skills = new Interner();
  const items = new Interner();
  let capacity = Math.max(1024, Math.ceil(text.length / 40));
  let student = new Int32Array(capacity);
  let skill = new Int32Array(capacity);
  let item = new Int32Array(capacity);
  let correct = new Int8Array(capacity);
  const orderText: string[] = [];
  let n = 0;
  let dropped = 0;
  const lastWanted = Math.max(userColumn, skillColumn, correctColumn, orderColumn, itemColumn);

  while (pos < text.length) {
    const recordLine = line;
    // Skip blank lines (a trailing newline, or \r\n at the end).
    const c0 = text.charCodeAt(pos);
    if (c0 === 10 || c0 === 13) {
      readField();
      continue;
    }
    let userValue = "";
    let skillValue = "";
    let correctValue = "";
    let orderValue = "";
    let itemValue = "";
    let column = 0;
    for (;;) {
      const value = readField();
      if (column === userColumn) userValue = value;
      else if (column === skillColumn) skillValue = value;
      else if (column === correctColumn) correctValue = value;
      else if (column === orderColumn) orderValue = value;
      else if (column === itemColumn) itemValue = value;
      column++;
      if (endOfRecord || pos >= text.length) break;
    }
    if (column > header.length) {
      throw new TraceFileError(
        file,
        recordLine,
        undefined,
        `the row has ${column} fields, the header ${header.length} (an unquoted delimiter in a value?)`,
      );
    }
    if (column <= lastWanted) {
      throw new TraceFileError(file, recordLine, header[lastWanted], `the row has ${column} fields, the header ${header.length}`);
    }
    if (skillValue.trim() === "") {
      dropped++;
      continue;
    }
    const correctCode = parseCorrect(correctValue.trim());
    if (Number.isNaN(correctCode)) {
      throw new TraceFileError(
        file,
        recordLine,
        columns.correct,
        `correct must be 1, 0 or -1 (no observation), got ${JSON.stringify(correctValue)}`,
      );
    }
    if (userValue.trim() === "") throw new TraceFileError(file, recordLine, columns.user, "the user id is empty");
    if (itemColumn >= 0 && itemValue.trim() === "") throw new TraceFileError(file, recordLine, columns.item, "the item id is empty");
    if (orderColumn >= 0 && orderValue.trim() === "") throw new TraceFileError(file, recordLine, columns.order, "the order value is empty");
    if (n === capacity) {
      capacity *= 2;
      student = grow(student, capacity);
      skill = grow(skill, capacity);
      item = grow(item, capacity);
      correct = grow(correct, capacity);
    }
    student[n] = users.intern(userValue);
    skill[n] = skills.intern(skillValue);
    item[n] = itemColumn >= 0 ? items.intern(itemValue) : -1;
    correct[n] = correctCode;
    if (orderColumn >= 0) orderText.push(orderValue);
    n++;
  }

  return {
    rows: {
      skills: skills.names,
      students: users.names,
      items: items.names,
      skill: skill.subarray(0, n),
      student: student.subarray(0, n),
      item: item.subarray(0, n),
      correct: correct.subarray(0, n),
      order: orderKeys(orderText, n),
      length: n,
    },
    report: { rows: n, droppedEmptySkill: dropped, delimiter, fileOrder: orderColumn < 0 },
  };
}

function grow<T extends Int32Array | Int8Array>(array: T, capacity: number): T {
  const bigger = new (array.constructor as new (n: number) => T)(capacity);
  bigger.set(array);
  return bigger;
}

/** Numeric order keys when every value is a number; otherwise ranks of the text (ISO timestamps sort as text). */
function orderKeys(orderText: string[], n: number): Float64Array {
  const keys = new Float64Array(n);
  if (orderText.length === 0) {
    for (let i = 0; i < n; i++) keys[i] = i;
    return keys;
  }
  let numeric = true;
  for (let i = 0; i < n && numeric; i++) {
    const value = Number(orderText[i]);
    if (Number.isFinite(value)) keys[i] = value;
    else numeric = false;
  }
  if (numeric) return keys;
  const distinct = [...new Set(orderText)].sort();
  const rank = new Map(distinct.map((value, i) => [value, i]));
  for (let i = 0; i < n; i++) keys[i] = rank.get(orderText[i] as string) as number;
  return keys;
}
