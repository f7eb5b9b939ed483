/**
 * The learner half of the SQLite store (migration 3): schools, classes, teachers, students,
 * enrolments, attempts and mastery.
 *
 * recordAttempts runs in one BEGIN IMMEDIATE transaction: the write lock is taken before the
 * student's mastery is read, so a writer in another process waits (busy_timeout) instead of
 * reading a value that is about to change. Within this process better-sqlite3 is synchronous, so
 * a transaction runs to its end without any other JavaScript in between. With a WalSync (every
 * file-backed store) the commit does not sync the WAL itself; the answers are returned only after
 * WalSync's sync that started after the commit (see wal-sync.ts: the same durability as FULL).
 */
import type Database from "better-sqlite3";
import {
  computeUpdate,
  InvalidLearnerDataError,
  laterDate,
  newAttemptId,
  validateNewAttempt,
  validateRoster,
  validateTargetSuccessRate,
} from "../learner-records.js";
import type {
  AttemptMasteryChange,
  AttemptPage,
  AttemptRecord,
  ClassMasteryMatrix,
  ItemCalibrationRecord,
  LearnerStore,
  MasteryRecord,
  NewAttempt,
  RecommendationProfile,
  RecordAttemptResult,
  RosterChanges,
  RosterSummary,
  School,
  SchoolClass,
  Student,
  Teacher,
} from "../store.js";
import type { WalSync } from "./wal-sync.js";

interface AttemptRow {
  id: string;
  student_id: string;
  seq: number;
  school_id: string;
  item_id: string;
  idempotency_key: string;
  payload_hash: string;
  response: string;
  correct: number;
  misconception_ids: string;
  response_time_ms: number | null;
  answered_at: string;
  recorded_at: string;
  predicted_correct: number;
  mastery: string;
}

interface MasteryRow {
  student_id: string;
  knowledge_point_id: string;
  probability: number;
  attempts: number;
  correct: number;
  last_practised_at: string;
  parameter_set_id: string | null;
  updated_at: string;
}

function toAttempt(row: AttemptRow): AttemptRecord {
  return {
    id: row.id,
    studentId: row.student_id,
    schoolId: row.school_id,
    sequence: row.seq,
    itemId: row.item_id,
    response: JSON.parse(row.response),
    correct: row.correct === 1,
    misconceptionIds: JSON.parse(row.misconception_ids) as string[],
    ...(row.response_time_ms !== null ? { responseTimeMs: row.response_time_ms } : {}),
    answeredAt: row.answered_at,
    recordedAt: row.recorded_at,
    idempotencyKey: row.idempotency_key,
    payloadHash: row.payload_hash,
    predictedCorrect: row.predicted_correct,
    mastery: JSON.parse(row.mastery) as AttemptMasteryChange[],
  };
}

function toMastery(row: MasteryRow): MasteryRecord {
  return {
    studentId: row.student_id,
    knowledgePointId: row.knowledge_point_id,
    probability: row.probability,
    attempts: row.attempts,
    correct: row.correct,
    lastPractisedAt: row.last_practised_at,
    ...(row.parameter_set_id !== null ? { parameterSetId: row.parameter_set_id } : {}),
    updatedAt: row.updated_at,
  };
}

const toSchool = (row: { id: string; name: string | null; created_at: string }): School => ({
  id: row.id,
  ...(row.name !== null ? { name: row.name } : {}),
  createdAt: row.created_at,
});
const toClass = (row: {
  id: string;
  school_id: string;
  name: string;
  grade: number | null;
  subject_id: string | null;
  target_success: number | null;
}): SchoolClass => ({
  id: row.id,
  schoolId: row.school_id,
  name: row.name,
  ...(row.grade !== null ? { grade: row.grade } : {}),
  ...(row.subject_id !== null ? { subjectId: row.subject_id } : {}),
  ...(row.target_success !== null ? { targetSuccessRate: row.target_success } : {}),
});
const toPerson = (row: { id: string; school_id: string; display_name: string | null }): Teacher & Student => ({
  id: row.id,
  schoolId: row.school_id,
  ...(row.display_name !== null ? { displayName: row.display_name } : {}),
});

/** Rows by id, returned in the order asked with undefined where unknown. */
function inOrder<R extends { id: string }, T>(ids: readonly string[], rows: R[], map: (row: R) => T): (T | undefined)[] {
  const found = new Map(rows.map((row) => [row.id, map(row)]));
  return ids.map((id) => found.get(id));
}

export class SqliteLearnerStore implements LearnerStore {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly walSync?: WalSync,
  ) {}

  /** Prepared once, on first use (the tables exist only after migrate()). */
  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private byIds<R>(table: string, ids: readonly string[]): R[] {
    if (ids.length === 0) return [];
    // Most look-ups are one id (the student of a request): a plain key look-up costs a fraction of json_each's.
    if (ids.length === 1) return this.sql(`SELECT * FROM ${table} WHERE id = ?`).all(ids[0]) as R[];
    return this.sql(`SELECT * FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as R[];
  }

  async upsertSchool(school: { id: string; name?: string }): Promise<School> {
    validateRoster({ school, classes: [], teachers: [], students: [], enrolments: [], teaching: [] });
    this.db.transaction(() => this.upsertSchoolIn(school)).immediate();
    return (await this.getSchools([school.id]))[0] as School;
  }

  /** Inside a write transaction; true when the school was created. */
  private upsertSchoolIn(school: { id: string; name?: string }): boolean {
    const created =
      this.sql("INSERT INTO schools (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING").run(
        school.id,
        school.name ?? null,
        new Date().toISOString(),
      ).changes === 1;
    if (!created && school.name !== undefined) this.sql("UPDATE schools SET name = ? WHERE id = ?").run(school.name, school.id);
    return created;
  }

  async applyRoster(roster: RosterChanges): Promise<RosterSummary> {
    validateRoster(roster);
    const schoolId = roster.school.id;
    const apply = this.db.transaction((): RosterSummary => {
      const issues: string[] = [];
      const owners = (table: string, ids: string[]) =>
        new Map(this.byIds<{ id: string; school_id: string }>(table, ids).map((r) => [r.id, r.school_id]));
      const classOwners = owners(
        "classes",
        roster.classes.map((c) => c.id),
      );
      const teacherOwners = owners(
        "teachers",
        roster.teachers.map((t) => t.id),
      );
      const studentOwners = owners(
        "students",
        roster.students.map((s) => s.id),
      );
      for (const [kind, map] of [
        ["class", classOwners],
        ["teacher", teacherOwners],
        ["student", studentOwners],
      ] as const) {
        for (const [id, owner] of map) if (owner !== schoolId) issues.push(`${kind} ${JSON.stringify(id)} belongs to another school`);
      }
      for (const c of roster.classes) {
        const holder = this.sql("SELECT id FROM classes WHERE school_id = ? AND name = ?").pluck().get(schoolId, c.name) as
          | string
          | undefined;
        if (holder !== undefined && holder !== c.id) issues.push(`class name ${JSON.stringify(c.name)} is already used by class ${holder}`);
      }
      const known = (table: string, listed: Set<string>, ids: string[]) => {
        const missing = [...new Set(ids.filter((id) => !listed.has(id)))];
        const stored = new Set(
          this.byIds<{ id: string; school_id: string }>(table, missing)
            .filter((r) => r.school_id === schoolId)
            .map((r) => r.id),
        );
        return missing.filter((id) => !stored.has(id));
      };
      const classIds = new Set(roster.classes.map((c) => c.id));
      for (const id of known(
        "classes",
        classIds,
        [...roster.enrolments, ...roster.teaching].map((e) => e.classId),
      )) {
        issues.push(`class ${JSON.stringify(id)} is neither in the roster nor a class of school ${schoolId}`);
      }
      for (const id of known(
        "students",
        new Set(roster.students.map((s) => s.id)),
        roster.enrolments.map((e) => e.studentId),
      )) {
        issues.push(`student ${JSON.stringify(id)} is neither in the roster nor a student of school ${schoolId}`);
      }
      for (const id of known(
        "teachers",
        new Set(roster.teachers.map((t) => t.id)),
        roster.teaching.map((e) => e.teacherId),
      )) {
        issues.push(`teacher ${JSON.stringify(id)} is neither in the roster nor a teacher of school ${schoolId}`);
      }
      if (issues.length > 0) throw new InvalidLearnerDataError(issues);

      const schoolCreated = this.upsertSchoolIn(roster.school);
      const summary: RosterSummary = {
        schoolCreated,
        classes: { added: 0, updated: 0 },
        teachers: { added: 0, updated: 0 },
        students: { added: 0, updated: 0 },
        enrolments: { added: 0, unchanged: 0 },
        teaching: { added: 0, unchanged: 0 },
      };
      for (const c of roster.classes) {
        const counter = classOwners.has(c.id) ? "updated" : "added";
        this.sql(
          `INSERT INTO classes (id, school_id, name, grade, subject_id) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, grade = coalesce(excluded.grade, grade),
             subject_id = coalesce(excluded.subject_id, subject_id)`,
        ).run(c.id, schoolId, c.name, c.grade ?? null, c.subjectId ?? null);
        summary.classes[counter]++;
      }
      for (const [table, people, owners, counts] of [
        ["teachers", roster.teachers, teacherOwners, summary.teachers],
        ["students", roster.students, studentOwners, summary.students],
      ] as const) {
        for (const person of people) {
          this.sql(
            `INSERT INTO ${table} (id, school_id, display_name) VALUES (?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET display_name = coalesce(excluded.display_name, display_name)`,
          ).run(person.id, schoolId, person.displayName ?? null);
          counts[owners.has(person.id) ? "updated" : "added"]++;
        }
      }
      for (const e of roster.enrolments) {
        const added = this.sql("INSERT OR IGNORE INTO class_students (class_id, student_id) VALUES (?, ?)").run(
          e.classId,
          e.studentId,
        ).changes;
        summary.enrolments[added === 1 ? "added" : "unchanged"]++;
      }
      for (const e of roster.teaching) {
        const added = this.sql("INSERT OR IGNORE INTO class_teachers (class_id, teacher_id) VALUES (?, ?)").run(
          e.classId,
          e.teacherId,
        ).changes;
        summary.teaching[added === 1 ? "added" : "unchanged"]++;
      }
      return summary;
    });
    return apply.immediate();
  }

  async listSchoolIds(limit: number): Promise<string[]> {
    return this.db
      .prepare("SELECT id FROM schools ORDER BY id LIMIT ?")
      .pluck()
      .all(Math.max(0, Math.trunc(limit))) as string[];
  }

  async deleteSchool(schoolId: string): Promise<{ students: number; attempts: number }> {
    const db = this.db;
    const remove = db.transaction(() => {
      const params = { school: schoolId };
      const students = "SELECT id FROM students WHERE school_id = @school";
      const classes = "SELECT id FROM classes WHERE school_id = @school";
      const teachers = "SELECT id FROM teachers WHERE school_id = @school";
      const attempts = db.prepare(`DELETE FROM attempts WHERE student_id IN (${students})`).run(params).changes;
      db.prepare("DELETE FROM lesson_plans WHERE school_id = @school").run(params);
      db.prepare(`DELETE FROM mastery WHERE student_id IN (${students})`).run(params);
      db.prepare(`DELETE FROM class_students WHERE class_id IN (${classes}) OR student_id IN (${students})`).run(params);
      db.prepare(`DELETE FROM class_teachers WHERE class_id IN (${classes}) OR teacher_id IN (${teachers})`).run(params);
      db.prepare("DELETE FROM classes WHERE school_id = @school").run(params);
      db.prepare("DELETE FROM teachers WHERE school_id = @school").run(params);
      const removedStudents = db.prepare("DELETE FROM students WHERE school_id = @school").run(params).changes;
      db.prepare("DELETE FROM schools WHERE id = @school").run(params);
      return { students: removedStudents, attempts };
    });
    return remove.immediate();
  }

  async getSchools(ids: readonly string[]): Promise<(School | undefined)[]> {
    return inOrder(ids, this.byIds<Parameters<typeof toSchool>[0]>("schools", ids), toSchool);
  }

  async getClasses(ids: readonly string[]): Promise<(SchoolClass | undefined)[]> {
    return inOrder(ids, this.byIds<Parameters<typeof toClass>[0]>("classes", ids), toClass);
  }

  async getTeachers(ids: readonly string[]): Promise<(Teacher | undefined)[]> {
    return inOrder(ids, this.byIds<Parameters<typeof toPerson>[0]>("teachers", ids), toPerson);
  }

  async getStudents(ids: readonly string[]): Promise<(Student | undefined)[]> {
    return inOrder(ids, this.byIds<Parameters<typeof toPerson>[0]>("students", ids), toPerson);
  }

  async listClasses(schoolId: string): Promise<SchoolClass[]> {
    return (
      this.sql("SELECT * FROM classes WHERE school_id = ? ORDER BY grade, name, id").all(schoolId) as Parameters<typeof toClass>[0][]
    ).map(toClass);
  }

  async listTeachers(schoolId: string): Promise<Teacher[]> {
    return (this.sql("SELECT * FROM teachers WHERE school_id = ? ORDER BY id").all(schoolId) as Parameters<typeof toPerson>[0][]).map(
      toPerson,
    );
  }

  async listStudents(schoolId: string): Promise<Student[]> {
    return (this.sql("SELECT * FROM students WHERE school_id = ? ORDER BY id").all(schoolId) as Parameters<typeof toPerson>[0][]).map(
      toPerson,
    );
  }

  async studentsOfClass(classId: string): Promise<string[]> {
    return this.sql("SELECT student_id FROM class_students WHERE class_id = ? ORDER BY student_id").pluck().all(classId) as string[];
  }

  async teachersOfClass(classId: string): Promise<string[]> {
    return this.sql("SELECT teacher_id FROM class_teachers WHERE class_id = ? ORDER BY teacher_id").pluck().all(classId) as string[];
  }

  async classesOfStudent(studentId: string): Promise<string[]> {
    return this.sql("SELECT class_id FROM class_students WHERE student_id = ? ORDER BY class_id").pluck().all(studentId) as string[];
  }

  async classesOfTeacher(teacherId: string): Promise<string[]> {
    return this.sql("SELECT class_id FROM class_teachers WHERE teacher_id = ? ORDER BY class_id").pluck().all(teacherId) as string[];
  }

  async recordAttempts(attempts: readonly NewAttempt[]): Promise<RecordAttemptResult[]> {
    for (const attempt of attempts) validateNewAttempt(attempt);
    const record = this.db.transaction(() => attempts.map((attempt) => this.recordIn(attempt)));
    if (!this.walSync) return record.immediate();
    this.sql("PRAGMA synchronous = NORMAL").run();
    let results: RecordAttemptResult[];
    try {
      results = record.immediate();
    } finally {
      this.sql("PRAGMA synchronous = FULL").run();
    }
    await this.walSync.flush();
    return results;
  }

  /** One attempt, inside the write transaction. */
  private recordIn(attempt: NewAttempt): RecordAttemptResult {
    const student = this.sql("SELECT school_id, attempt_count, ability, ability_attempts FROM students WHERE id = ?").get(
      attempt.studentId,
    ) as { school_id: string; attempt_count: number; ability: number; ability_attempts: number } | undefined;
    if (!student) return { status: "unknown-student" };
    const existing = this.sql("SELECT * FROM attempts WHERE student_id = ? AND idempotency_key = ?").get(
      attempt.studentId,
      attempt.idempotencyKey,
    ) as AttemptRow | undefined;
    if (existing) return { status: "existing", attempt: toAttempt(existing) };

    // An item assesses one to a few points: a primary-key look-up each costs less than one json_each query.
    const masteryOf = this.sql("SELECT * FROM mastery WHERE student_id = ? AND knowledge_point_id = ?");
    const current = attempt.knowledgePointIds.map((id) => {
      const row = masteryOf.get(attempt.studentId, id) as MasteryRow | undefined;
      return row && toMastery(row);
    });
    const item = this.sql("SELECT difficulty_offset, attempts FROM item_calibration WHERE item_id = ?").get(attempt.itemId) as
      | { difficulty_offset: number; attempts: number }
      | undefined;
    const update = computeUpdate(attempt, current, {
      itemOffset: item?.difficulty_offset ?? 0,
      itemAttempts: item?.attempts ?? 0,
      ability: student.ability,
      abilityAttempts: student.ability_attempts,
    });

    const recordedAt = new Date().toISOString();
    const answeredAt = attempt.answeredAt ?? recordedAt;
    const seq = student.attempt_count + 1;
    const record: AttemptRecord = {
      id: newAttemptId(),
      studentId: attempt.studentId,
      schoolId: student.school_id,
      sequence: seq,
      itemId: attempt.itemId,
      response: attempt.response,
      correct: attempt.correct,
      misconceptionIds: attempt.misconceptionIds,
      ...(attempt.responseTimeMs !== undefined ? { responseTimeMs: attempt.responseTimeMs } : {}),
      answeredAt,
      recordedAt,
      idempotencyKey: attempt.idempotencyKey,
      payloadHash: attempt.payloadHash,
      predictedCorrect: update.predictedCorrect,
      mastery: update.mastery,
    };
    this.sql(
      `INSERT INTO attempts (id, student_id, seq, school_id, item_id, idempotency_key, payload_hash, response, correct,
         misconception_ids, response_time_ms, answered_at, recorded_at, predicted_correct, mastery)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      record.id,
      record.studentId,
      seq,
      record.schoolId,
      record.itemId,
      record.idempotencyKey,
      record.payloadHash,
      JSON.stringify(record.response ?? null),
      record.correct ? 1 : 0,
      JSON.stringify(record.misconceptionIds),
      record.responseTimeMs ?? null,
      answeredAt,
      recordedAt,
      record.predictedCorrect,
      JSON.stringify(record.mastery),
    );
    // Ability moves are increments, not assignments: they commute, so no other answer's move is overwritten.
    this.sql("UPDATE students SET attempt_count = ?, ability = ability + ?, ability_attempts = ability_attempts + ? WHERE id = ?").run(
      seq,
      update.calibration?.abilityDelta ?? 0,
      update.calibration ? 1 : 0,
      attempt.studentId,
    );
    if (update.calibration) {
      this.sql(
        `INSERT INTO item_calibration (item_id, difficulty_offset, attempts) VALUES (?, ?, 1)
         ON CONFLICT (item_id) DO UPDATE SET difficulty_offset = difficulty_offset + excluded.difficulty_offset, attempts = attempts + 1`,
      ).run(attempt.itemId, update.calibration.difficultyDelta);
    }
    const upsert = this.sql(
      `INSERT INTO mastery (student_id, knowledge_point_id, probability, attempts, correct, last_practised_at, parameter_set_id, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (student_id, knowledge_point_id) DO UPDATE SET probability = excluded.probability, attempts = excluded.attempts,
         correct = excluded.correct, last_practised_at = excluded.last_practised_at, parameter_set_id = excluded.parameter_set_id,
         updated_at = excluded.updated_at`,
    );
    update.mastery.forEach((change, i) => {
      const before = current[i];
      upsert.run(
        attempt.studentId,
        change.knowledgePointId,
        change.after,
        (before?.attempts ?? 0) + 1,
        (before?.correct ?? 0) + (attempt.correct ? 1 : 0),
        laterDate(before?.lastPractisedAt, answeredAt),
        change.parameterSetId ?? null,
        recordedAt,
      );
    });
    return { status: "recorded", attempt: record };
  }

  async itemCalibrations(itemIds?: readonly string[]): Promise<ItemCalibrationRecord[]> {
    const rows = (
      itemIds
        ? this.sql("SELECT * FROM item_calibration WHERE item_id IN (SELECT value FROM json_each(?)) ORDER BY item_id").all(
            JSON.stringify(itemIds),
          )
        : this.sql("SELECT * FROM item_calibration ORDER BY item_id").all()
    ) as { item_id: string; difficulty_offset: number; attempts: number }[];
    return rows.map((row) => ({ itemId: row.item_id, offset: row.difficulty_offset, attempts: row.attempts }));
  }

  async recommendationProfile(studentId: string): Promise<RecommendationProfile | undefined> {
    const student = this.sql("SELECT ability, ability_attempts, target_success FROM students WHERE id = ?").get(studentId) as
      | { ability: number; ability_attempts: number; target_success: number | null }
      | undefined;
    if (!student) return undefined;
    const classTargets = this.sql(
      `SELECT c.id AS classId, c.target_success AS targetSuccessRate FROM class_students cs JOIN classes c ON c.id = cs.class_id
       WHERE cs.student_id = ? AND c.target_success IS NOT NULL ORDER BY c.id`,
    ).all(studentId) as { classId: string; targetSuccessRate: number }[];
    return {
      ability: student.ability,
      abilityAttempts: student.ability_attempts,
      ...(student.target_success !== null ? { targetSuccessRate: student.target_success } : {}),
      classTargets,
    };
  }

  async setTargetSuccessRate(target: { classId: string } | { studentId: string }, rate: number | null): Promise<boolean> {
    validateTargetSuccessRate(rate);
    const [table, id] = "classId" in target ? ["classes", target.classId] : ["students", target.studentId];
    return this.sql(`UPDATE ${table} SET target_success = ? WHERE id = ?`).run(rate, id).changes > 0;
  }

  async findAttemptsByKey(keys: readonly { studentId: string; idempotencyKey: string }[]): Promise<(AttemptRecord | undefined)[]> {
    const statement = this.sql("SELECT * FROM attempts WHERE student_id = ? AND idempotency_key = ?");
    return keys.map((key) => {
      const row = statement.get(key.studentId, key.idempotencyKey) as AttemptRow | undefined;
      return row ? toAttempt(row) : undefined;
    });
  }

  async getAttempts(ids: readonly string[]): Promise<(AttemptRecord | undefined)[]> {
    return inOrder(ids, this.byIds<AttemptRow>("attempts", ids), toAttempt);
  }

  async attemptHistory(studentId: string, page: { limit: number; before?: number }): Promise<AttemptPage> {
    const limit = Math.max(0, Math.floor(page.limit));
    const rows = this.sql("SELECT * FROM attempts WHERE student_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?").all(
      studentId,
      page.before ?? Number.MAX_SAFE_INTEGER,
      limit + 1,
    ) as AttemptRow[];
    const totalCount = this.sql("SELECT count(*) FROM attempts WHERE student_id = ?").pluck().get(studentId) as number;
    return { nodes: rows.slice(0, limit).map(toAttempt), totalCount, hasMore: rows.length > limit };
  }

  async studentMastery(studentId: string, knowledgePointIds?: readonly string[]): Promise<MasteryRecord[]> {
    const rows = (
      knowledgePointIds
        ? this.sql(
            "SELECT * FROM mastery WHERE student_id = ? AND knowledge_point_id IN (SELECT value FROM json_each(?)) ORDER BY knowledge_point_id",
          ).all(studentId, JSON.stringify(knowledgePointIds))
        : this.sql("SELECT * FROM mastery WHERE student_id = ? ORDER BY knowledge_point_id").all(studentId)
    ) as MasteryRow[];
    return rows.map(toMastery);
  }

  async classMastery(classId: string, knowledgePointIds?: readonly string[]): Promise<ClassMasteryMatrix> {
    const studentIds = await this.studentsOfClass(classId);
    const rows = (
      knowledgePointIds
        ? this.sql(
            `SELECT m.* FROM class_students c JOIN mastery m ON m.student_id = c.student_id
             WHERE c.class_id = ? AND m.knowledge_point_id IN (SELECT value FROM json_each(?))
             ORDER BY m.student_id, m.knowledge_point_id`,
          ).all(classId, JSON.stringify(knowledgePointIds))
        : this.sql(
            `SELECT m.* FROM class_students c JOIN mastery m ON m.student_id = c.student_id
             WHERE c.class_id = ? ORDER BY m.student_id, m.knowledge_point_id`,
          ).all(classId)
    ) as MasteryRow[];
    const cells = rows.map(toMastery);
    const points = knowledgePointIds ? [...knowledgePointIds] : [...new Set(cells.map((c) => c.knowledgePointId))].sort();
    return { classId, studentIds, knowledgePointIds: points, cells };
  }
}
