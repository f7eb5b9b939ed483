/**
 * Reads curriculum packages from disk. A package is a single file, or a directory holding a
 * `subject.yaml` (or .yml/.json) manifest plus any number of further files below it. A directory
 * without a manifest is a collection: each child directory with a manifest is a package.
 */
import { type Dirent, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, extname, join, relative } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import type { CurriculumIssue } from "./errors.js";
import { formatPath } from "./errors.js";

const CURRICULUM_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);
const MANIFEST_NAMES = ["subject.yaml", "subject.yml", "subject.json"];

export interface SourceFile {
  /** Path shown in messages, relative to the working directory when possible. */
  file: string;
  content: unknown;
  /** Line and column of a path inside the file; computed only when an error needs it. */
  locate(path: readonly PropertyKey[]): { line: number; column: number } | undefined;
}

export interface SourcePackage {
  root: string;
  files: SourceFile[];
}

function displayPath(path: string): string {
  const relativePath = relative(process.cwd(), path);
  return relativePath && !relativePath.startsWith("..") ? relativePath : path;
}

type Locator = SourceFile["locate"];

/** Finds the nearest existing node on `path` (a missing key is reported at its parent). */
function locatorFor(doc: ReturnType<typeof parseDocument>, lines: LineCounter): Locator {
  return (path) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth) as unknown[], true) as { range?: [number, number, number] } | undefined;
      const range = node?.range ?? (depth === 0 ? doc.contents?.range : undefined);
      if (range) {
        const position = lines.linePos(range[0]);
        return { line: position.line, column: position.col };
      }
    }
    return undefined;
  };
}

/**
 * JSON is parsed with JSON.parse for speed; positions come from a YAML parse only when needed.
 * It keeps the file's bytes rather than its text: half the size, for a large file, while
 * validation runs, and decoded again only if an error has to be located.
 */
function lazyLocator(bytes: Buffer): Locator {
  let locate: Locator | undefined;
  return (path) => {
    if (!locate) {
      const lines = new LineCounter();
      locate = locatorFor(parseDocument(decode(bytes), { lineCounter: lines }), lines);
    }
    return locate(path);
  };
}

/** The file's text, without a byte-order mark. Decoding a buffer is faster than readFileSync(path, "utf8"). */
function decode(bytes: Buffer): string {
  const text = bytes.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Parses one file; syntax errors become issues with their line. */
export function readSourceFile(path: string, issues: CurriculumIssue[]): SourceFile | undefined {
  const file = displayPath(path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    issues.push({ code: "READ_ERROR", message: (error as Error).message, file, path: "" });
    return undefined;
  }
  const text = decode(bytes);
  if (extname(path) === ".json") {
    try {
      return { file, content: JSON.parse(text), locate: lazyLocator(bytes) };
    } catch (error) {
      const at = /position (\d+)/.exec((error as Error).message);
      const offset = at ? Number(at[1]) : 0;
      const line = text.slice(0, offset).split("\n").length;
      issues.push({ code: "PARSE_ERROR", message: (error as Error).message, file, path: "", line });
      return undefined;
    }
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const position = lines.linePos(error.pos[0]);
      issues.push({
        code: "PARSE_ERROR",
        message: error.message.split("\n")[0] ?? error.message,
        file,
        path: "",
        line: position.line,
        column: position.col,
      });
    }
    return undefined;
  }
  return { file, content: doc.toJS({ maxAliasCount: 100 }), locate: locatorFor(doc, lines) };
}

/** Whether a directory entry is (or, through a symbolic link, points to) a directory or a file. */
function entryKind(directory: string, entry: Dirent): "directory" | "file" | undefined {
  if (entry.isDirectory()) return "directory";
  if (entry.isFile()) return "file";
  if (!entry.isSymbolicLink()) return undefined;
  try {
    const target = statSync(join(directory, entry.name));
    return target.isDirectory() ? "directory" : target.isFile() ? "file" : undefined;
  } catch {
    return undefined; // a dangling link
  }
}

function sortedEntries(directory: string): Dirent[] {
  return readdirSync(directory, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The curriculum files below `directory`, following symbolic links to files and directories. A
 * directory reached twice (a link cycle, or two links to one place) is read once; so is a file.
 */
function listFiles(directory: string, seen = new Set<string>()): string[] {
  const real = realpathSync(directory);
  if (seen.has(real)) return [];
  seen.add(real);
  const found: string[] = [];
  for (const entry of sortedEntries(directory)) {
    const full = join(directory, entry.name);
    const kind = entryKind(directory, entry);
    if (kind === "directory") found.push(...listFiles(full, seen));
    else if (kind === "file" && CURRICULUM_EXTENSIONS.has(extname(entry.name))) {
      const target = realpathSync(full);
      if (seen.has(target)) continue;
      seen.add(target);
      found.push(full);
    }
  }
  return found;
}

function hasManifest(directory: string): boolean {
  return readdirSync(directory).some((name) => MANIFEST_NAMES.includes(name));
}

/** Finds and parses the packages under `path`; returns them with any read or parse issues. */
export function loadPackages(path: string): { packages: SourcePackage[]; issues: CurriculumIssue[] } {
  const issues: CurriculumIssue[] = [];
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(path);
  } catch {
    issues.push({ code: "READ_ERROR", message: "no such file or directory", file: displayPath(path), path: "" });
    return { packages: [], issues };
  }
  const roots: { root: string; files: string[] }[] = [];
  if (stats.isFile()) {
    roots.push({ root: path, files: [path] });
  } else if (hasManifest(path)) {
    roots.push({ root: path, files: listFiles(path) });
  } else {
    for (const entry of sortedEntries(path)) {
      const child = join(path, entry.name);
      if (entryKind(path, entry) === "directory" && hasManifest(child)) roots.push({ root: child, files: listFiles(child) });
    }
    if (roots.length === 0) {
      issues.push({
        code: "MISSING_MANIFEST",
        message: `no curriculum here: expected a file, a directory with ${MANIFEST_NAMES[0]}, or directories holding one`,
        file: displayPath(path),
        path: "",
      });
    }
  }
  const packages = roots.map(({ root, files }) => ({
    root: displayPath(root),
    files: files.map((file) => readSourceFile(file, issues)).filter((f): f is SourceFile => f !== undefined),
  }));
  return { packages, issues };
}

export function isManifestFile(file: string): boolean {
  return MANIFEST_NAMES.includes(basename(file));
}

export { formatPath };
