/**
 * Roster import (docs/learning.md, "Roster file"): a CSV of one school's classes, students and
 * teachers, applied all or nothing. Every problem is reported as `file:line: message` before
 * anything is written.
 *
 * Columns: class,grade,student_id,display_name,teacher_id (+ optional subject). One row puts a
 * student, a teacher or both into a class. A class's id is `<school>:<class name>`.
 */
import { readFileSync } from "node:fs";
import { isLearnerId } from "../graph/learner-records.js";
import type { KnowledgeGraphStore, RosterChanges, RosterSummary } from "../graph/store.js";
import { CsvLineError, parseCsv } from "./csv.js";

export const ROSTER_COLUMNS = ["class", "grade", "student_id", "display_name", "teacher_id"] as const;
export const ROSTER_OPTIONAL_COLUMNS = ["subject"] as const;

/** Problems listed in the message; `problems` keeps all of them. */
const PROBLEMS_IN_MESSAGE = 20;

export class RosterImportError extends Error {
  constructor(readonly problems: string[]) {
    const shown = problems.slice(0, PROBLEMS_IN_MESSAGE).join("\n");
    const more = problems.length > PROBLEMS_IN_MESSAGE ? `\n… and ${problems.length - PROBLEMS_IN_MESSAGE} more` : "";
    super(`roster not imported (nothing was written): ${problems.length} problem(s)\n${shown}${more}`);
    this.name = "RosterImportError";
  }
}

export interface RosterImportOptions {
  schoolId: string;
  schoolName?: string;
  /** Subject of classes whose row has no `subject` cell. */
  subjectId?: string;
  /** Validate and plan, write nothing. */
  dryRun?: boolean;
}

export interface RosterImportReport {
  rows: number;
  classes: number;
  students: number;
  teachers: number;
  dryRun: boolean;
  /** What the store did (absent on a dry run). */
  summary?: RosterSummary;
}

/** The id of a class named `name` in a school. */
export function classId(schoolId: string, name: string): string {
  return `${schoolId}:${name}`;
}

/** Parses and checks the file on its own; returns the changes or throws RosterImportError. */
export function planRoster(
  text: string,
  file: string,
  options: RosterImportOptions,
): { changes: RosterChanges; lines: Map<string, number>; rows: number } {
  const problems: string[] = [];
  const at = (line: number, message: string) => problems.push(`${file}:${line}: ${message}`);
  let parsed: ReturnType<typeof parseCsv>;
  try {
    parsed = parseCsv(text, ROSTER_COLUMNS, ROSTER_OPTIONAL_COLUMNS);
  } catch (error) {
    if (error instanceof CsvLineError) throw new RosterImportError([`${file}:${error.line}: ${error.message}`]);
    throw error;
  }
  if (!isLearnerId(options.schoolId)) throw new RosterImportError([`--school: not a valid id: ${JSON.stringify(options.schoolId)}`]);
  const classes = new Map<string, { id: string; name: string; grade?: number; subjectId?: string; line: number }>();
  const students = new Map<string, { id: string; displayName?: string; line: number }>();
  const teachers = new Map<string, { id: string; line: number }>();
  const enrolments: RosterChanges["enrolments"] = [];
  const teaching: RosterChanges["teaching"] = [];
  /** First line each id appears on, for store-level problems: "student:s1" → line. */
  const lines = new Map<string, number>();
  for (const { line, cells } of parsed.records) {
    const name = cells.class ?? "";
    const studentId = cells.student_id ?? "";
    const teacherId = cells.teacher_id ?? "";
    const displayName = cells.display_name ?? "";
    const subjectId = (cells.subject ?? "") || options.subjectId;
    const before = problems.length;
    if (name === "") at(line, "class is empty");
    else if (!isLearnerId(name)) at(line, `class name ${JSON.stringify(name)} is not valid (1–200 characters, no control characters)`);
    let grade: number | undefined;
    if ((cells.grade ?? "") !== "") {
      grade = Number(cells.grade);
      if (!Number.isInteger(grade) || grade < 0 || grade > 20)
        at(line, `grade must be a whole number from 0 to 20, got ${JSON.stringify(cells.grade)}`);
    }
    if (studentId === "" && teacherId === "") at(line, "the row names neither a student_id nor a teacher_id");
    if (studentId !== "" && !isLearnerId(studentId)) at(line, `student_id ${JSON.stringify(studentId)} is not a valid id`);
    if (teacherId !== "" && !isLearnerId(teacherId)) at(line, `teacher_id ${JSON.stringify(teacherId)} is not a valid id`);
    if (displayName !== "" && studentId === "") at(line, "display_name is given without a student_id");
    if (displayName.length > 200) at(line, "display_name is longer than 200 characters");
    if (problems.length > before) continue;

    const id = classId(options.schoolId, name);
    const known = classes.get(id);
    if (!known) {
      classes.set(id, { id, name, ...(grade !== undefined ? { grade } : {}), ...(subjectId ? { subjectId } : {}), line });
      lines.set(`class:${id}`, line);
    } else {
      if (grade !== undefined && known.grade !== undefined && known.grade !== grade) {
        at(line, `class ${name} has grade ${grade} here but ${known.grade} on line ${known.line}`);
      }
      if (grade !== undefined && known.grade === undefined) known.grade = grade;
      if (subjectId && known.subjectId && known.subjectId !== subjectId) {
        at(line, `class ${name} has subject ${subjectId} here but ${known.subjectId} on line ${known.line}`);
      }
    }
    if (studentId !== "") {
      const student = students.get(studentId);
      if (!student) {
        students.set(studentId, { id: studentId, ...(displayName !== "" ? { displayName } : {}), line });
        lines.set(`student:${studentId}`, line);
      } else if (displayName !== "") {
        if (student.displayName !== undefined && student.displayName !== displayName) {
          at(
            line,
            `student ${studentId} has display_name ${JSON.stringify(displayName)} here but ${JSON.stringify(student.displayName)} on line ${student.line}`,
          );
        }
        student.displayName = displayName;
      }
      if (enrolments.some((e) => e.classId === id && e.studentId === studentId))
        at(line, `student ${studentId} is listed twice in class ${name}`);
      else enrolments.push({ classId: id, studentId });
    }
    if (teacherId !== "") {
      if (!teachers.has(teacherId)) {
        teachers.set(teacherId, { id: teacherId, line });
        lines.set(`teacher:${teacherId}`, line);
      }
      if (!teaching.some((e) => e.classId === id && e.teacherId === teacherId)) teaching.push({ classId: id, teacherId });
    }
  }
  if (parsed.records.length === 0) problems.push(`${file}: the file has a header but no rows`);
  if (problems.length > 0) throw new RosterImportError(problems);
  return {
    changes: {
      school: { id: options.schoolId, ...(options.schoolName ? { name: options.schoolName } : {}) },
      classes: [...classes.values()].map(({ line: _line, ...c }) => c),
      students: [...students.values()].map(({ line: _line, ...s }) => s),
      teachers: [...teachers.values()].map(({ id }) => ({ id })),
      enrolments,
      teaching,
    },
    lines,
    rows: parsed.records.length,
  };
}

/** Reads, checks (also against the store: ids of other schools, class names taken) and applies a roster, all or nothing. */
export async function importRoster(store: KnowledgeGraphStore, file: string, options: RosterImportOptions): Promise<RosterImportReport> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new RosterImportError([`${file}: ${(error as Error).message}`]);
  }
  const { changes, lines, rows } = planRoster(text, file, options);
  const problems: string[] = [];
  const check = async (
    kind: "class" | "student" | "teacher",
    ids: string[],
    get: (ids: string[]) => Promise<({ schoolId: string } | undefined)[]>,
  ) => {
    const found = await get(ids);
    ids.forEach((id, i) => {
      const owner = found[i]?.schoolId;
      if (owner !== undefined && owner !== options.schoolId) {
        problems.push(`${file}:${lines.get(`${kind}:${id}`)}: ${kind} ${id} belongs to another school (ids are unique across schools)`);
      }
    });
  };
  await check(
    "class",
    changes.classes.map((c) => c.id),
    (ids) => store.learners.getClasses(ids),
  );
  await check(
    "student",
    changes.students.map((s) => s.id),
    (ids) => store.learners.getStudents(ids),
  );
  await check(
    "teacher",
    changes.teachers.map((t) => t.id),
    (ids) => store.learners.getTeachers(ids),
  );
  if (problems.length > 0) throw new RosterImportError(problems);
  const report = { rows, classes: changes.classes.length, students: changes.students.length, teachers: changes.teachers.length };
  if (options.dryRun) return { ...report, dryRun: true };
  const summary = await store.learners.applyRoster(changes);
  return { ...report, dryRun: false, summary };
}
