/** A small RFC 4180 CSV reader for the roster and attempt imports: quoted fields, CRLF, a BOM, and line numbers for errors. */

export interface CsvRecord {
  /** The 1-based line the record starts on. */
  line: number;
  /** Cells by header name (trimmed); missing cells are "". */
  cells: Record<string, string>;
}

export interface CsvFile {
  header: string[];
  records: CsvRecord[];
}

/** A problem with a line of a file: printed as `file:line: message`. */
export class CsvLineError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = "CsvLineError";
  }
}

/** Splits the text into records of raw fields, with the line each starts on. */
function splitRecords(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let start = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let atFieldStart = true;
  for (; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === "\n") line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
    } else if (c === ",") {
      fields.push(field);
      field = "";
      atFieldStart = true;
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      fields.push(field);
      records.push({ line: start, fields });
      fields = [];
      field = "";
      atFieldStart = true;
      line++;
      start = line;
    } else {
      field += c;
      atFieldStart = false;
    }
  }
  if (quoted) throw new CsvLineError(start, "a quoted field is not closed");
  if (field !== "" || fields.length > 0) {
    fields.push(field);
    records.push({ line: start, fields });
  }
  return records.filter((r) => !(r.fields.length === 1 && (r.fields[0] as string).trim() === ""));
}

/**
 * Parses a CSV file with a header row. `required` columns must be present; other columns are
 * allowed only if listed in `optional`. Throws CsvLineError for a malformed header or a row
 * with more cells than the header.
 */
export function parseCsv(text: string, required: readonly string[], optional: readonly string[] = []): CsvFile {
  const [head, ...rows] = splitRecords(text);
  if (!head) throw new CsvLineError(1, `the file is empty; expected a header row: ${required.join(",")}`);
  const header = head.fields.map((name) => name.trim().toLowerCase());
  const missing = required.filter((name) => !header.includes(name));
  if (missing.length > 0)
    throw new CsvLineError(head.line, `the header lacks column(s) ${missing.join(", ")}; expected ${required.join(",")}`);
  const unknown = header.filter((name) => !required.includes(name) && !optional.includes(name));
  if (unknown.length > 0) {
    throw new CsvLineError(head.line, `unknown column(s) ${unknown.join(", ")}; expected ${[...required, ...optional].join(",")}`);
  }
  const records = rows.map(({ line, fields }) => {
    if (fields.length > header.length) throw new CsvLineError(line, `${fields.length} cells, but the header has ${header.length} columns`);
    const cells: Record<string, string> = {};
    header.forEach((name, i) => {
      cells[name] = (fields[i] ?? "").trim();
    });
    return { line, cells };
  });
  return { header, records };
}
