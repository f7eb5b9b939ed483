/**
 * The learner half of the Neo4j store; statements come from ./cypher.ts (CYPHER.learners) only.
 *
 * recordAttempts runs in one managed write transaction. For each attempt it first writes a
 * property of the Student node (CYPHER.learners.lockStudent), which takes the node's write lock
 * until commit: answers of one student are serialized there, so the idempotency check, the read
 * of mastery and the writes happen on values no other transaction can change meanwhile. Answers
 * of different students lock nothing in common. If the driver retries the transaction (deadlock,
 * leader switch), `update` is called again on the values read in the retry.
 */
import type { ManagedTransaction } from "neo4j-driver";
import neo4j from "neo4j-driver";
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
import { CYPHER, type LearnerLabel } from "./cypher.js";
import { WRITE_BATCH_SIZE } from "./neo4j-curriculum.js";
import { Neo4jSubStore } from "./neo4j-sub-store.js";

type Props = Record<string, unknown>;

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const num = (value: unknown): number | undefined => (value === null || value === undefined ? undefined : Number(value));

function toSchool(p: Props): School {
  const name = str(p.name);
  return { id: String(p.id), ...(name !== undefined ? { name } : {}), createdAt: String(p.createdAt) };
}

function toClass(p: Props): SchoolClass {
  const grade = num(p.grade);
  const subjectId = str(p.subjectId);
  const targetSuccessRate = num(p.targetSuccessRate);
  return {
    id: String(p.id),
    schoolId: String(p.schoolId),
    name: String(p.name),
    ...(grade !== undefined ? { grade } : {}),
    ...(subjectId !== undefined ? { subjectId } : {}),
    ...(targetSuccessRate !== undefined ? { targetSuccessRate } : {}),
  };
}

function toPerson(p: Props): Teacher & Student {
  const displayName = str(p.displayName);
  return { id: String(p.id), schoolId: String(p.schoolId), ...(displayName !== undefined ? { displayName } : {}) };
}

function toAttempt(p: Props): AttemptRecord {
  const responseTimeMs = num(p.responseTimeMs);
  return {
    id: String(p.id),
    studentId: String(p.studentId),
    schoolId: String(p.schoolId),
    sequence: Number(p.seq),
    itemId: String(p.itemId),
    response: JSON.parse(String(p.response)),
    correct: p.correct === true,
    misconceptionIds: (p.misconceptionIds as string[] | undefined) ?? [],
    ...(responseTimeMs !== undefined ? { responseTimeMs } : {}),
    answeredAt: String(p.answeredAt),
    recordedAt: String(p.recordedAt),
    idempotencyKey: String(p.idempotencyKey),
    payloadHash: String(p.payloadHash),
    predictedCorrect: Number(p.predictedCorrect),
    mastery: JSON.parse(String(p.mastery)) as AttemptMasteryChange[],
  };
}

function toMastery(p: Props): MasteryRecord {
  const parameterSetId = str(p.parameterSetId);
  return {
    studentId: String(p.studentId),
    knowledgePointId: String(p.knowledgePointId),
    probability: Number(p.probability),
    attempts: Number(p.attempts),
    correct: Number(p.correct),
    lastPractisedAt: String(p.lastPractisedAt),
    ...(parameterSetId !== undefined ? { parameterSetId } : {}),
    updatedAt: String(p.updatedAt),
  };
}

function inOrder<T extends { id: string }>(ids: readonly string[], found: T[]): (T | undefined)[] {
  const byId = new Map(found.map((entity) => [entity.id, entity]));
  return ids.map((id) => byId.get(id));
}

export class Neo4jLearnerStore extends Neo4jSubStore implements LearnerStore {
  private async nodesIn(tx: ManagedTransaction, label: LearnerLabel, ids: readonly string[]): Promise<Props[]> {
    if (ids.length === 0) return [];
    const result = await tx.run(CYPHER.learners.get[label], { ids: [...new Set(ids)] });
    return result.records.map((record) => record.get("props") as Props);
  }

  private async nodes(label: LearnerLabel, ids: readonly string[]): Promise<Props[]> {
    if (ids.length === 0) return [];
    return (await this.read<{ props: Props }>(CYPHER.learners.get[label], { ids: [...new Set(ids)] })).map((row) => row.props);
  }

  private async upsertSchoolIn(tx: ManagedTransaction, school: { id: string; name?: string }): Promise<boolean> {
    const result = await tx.run(CYPHER.learners.upsertSchool, {
      id: school.id,
      name: school.name ?? null,
      createdAt: new Date().toISOString(),
    });
    return result.records[0]?.get("created") === true;
  }

  async upsertSchool(school: { id: string; name?: string }): Promise<School> {
    validateRoster({ school, classes: [], teachers: [], students: [], enrolments: [], teaching: [] });
    return this.write(async (tx) => {
      await this.upsertSchoolIn(tx, school);
      return toSchool((await this.nodesIn(tx, "School", [school.id]))[0] as Props);
    });
  }

  async applyRoster(roster: RosterChanges): Promise<RosterSummary> {
    validateRoster(roster);
    const schoolId = roster.school.id;
    return this.write(async (tx) => {
      const issues: string[] = [];
      const owners = async (label: LearnerLabel, ids: string[]) =>
        new Map((await this.nodesIn(tx, label, ids)).map((p) => [String(p.id), String(p.schoolId)]));
      const classOwners = await owners(
        "Class",
        roster.classes.map((c) => c.id),
      );
      const teacherOwners = await owners(
        "Teacher",
        roster.teachers.map((t) => t.id),
      );
      const studentOwners = await owners(
        "Student",
        roster.students.map((s) => s.id),
      );
      for (const [kind, map] of [
        ["class", classOwners],
        ["teacher", teacherOwners],
        ["student", studentOwners],
      ] as const) {
        for (const [id, owner] of map) if (owner !== schoolId) issues.push(`${kind} ${JSON.stringify(id)} belongs to another school`);
      }
      const holders = await tx.run(CYPHER.learners.classNameHolders, {
        schoolId,
        rows: roster.classes.map((c) => ({ id: c.id, name: c.name })),
      });
      for (const record of holders.records) {
        issues.push(`class name ${JSON.stringify(record.get("name"))} is already used by class ${record.get("id")}`);
      }
      const unknown = async (label: LearnerLabel, listed: Set<string>, ids: string[]) => {
        const missing = [...new Set(ids.filter((id) => !listed.has(id)))];
        const stored = new Set((await this.nodesIn(tx, label, missing)).filter((p) => p.schoolId === schoolId).map((p) => String(p.id)));
        return missing.filter((id) => !stored.has(id));
      };
      const classIds = new Set(roster.classes.map((c) => c.id));
      for (const id of await unknown(
        "Class",
        classIds,
        [...roster.enrolments, ...roster.teaching].map((e) => e.classId),
      )) {
        issues.push(`class ${JSON.stringify(id)} is neither in the roster nor a class of school ${schoolId}`);
      }
      for (const id of await unknown(
        "Student",
        new Set(roster.students.map((s) => s.id)),
        roster.enrolments.map((e) => e.studentId),
      )) {
        issues.push(`student ${JSON.stringify(id)} is neither in the roster nor a student of school ${schoolId}`);
      }
      for (const id of await unknown(
        "Teacher",
        new Set(roster.teachers.map((t) => t.id)),
        roster.teaching.map((e) => e.teacherId),
      )) {
        issues.push(`teacher ${JSON.stringify(id)} is neither in the roster nor a teacher of school ${schoolId}`);
      }
      if (issues.length > 0) throw new InvalidLearnerDataError(issues);

      const schoolCreated = await this.upsertSchoolIn(tx, roster.school);
      const batches = async (statement: string, rows: Props[]): Promise<number> => {
        let unchanged = 0;
        for (let start = 0; start < rows.length; start += WRITE_BATCH_SIZE) {
          const result = await tx.run(statement, { schoolId, rows: rows.slice(start, start + WRITE_BATCH_SIZE) });
          unchanged += Number(result.records[0]?.get("unchanged") ?? 0);
        }
        return unchanged;
      };
      const count = (ids: string[], stored: Map<string, string>) => {
        const updated = ids.filter((id) => stored.has(id)).length;
        return { added: ids.length - updated, updated };
      };
      await batches(
        CYPHER.learners.upsertClasses,
        roster.classes.map((c) => ({
          id: c.id,
          name: c.name,
          grade: c.grade === undefined ? null : neo4j.int(c.grade),
          subjectId: c.subjectId ?? null,
        })),
      );
      await batches(
        CYPHER.learners.upsertTeachers,
        roster.teachers.map((t) => ({ id: t.id, displayName: t.displayName ?? null })),
      );
      await batches(
        CYPHER.learners.upsertStudents,
        roster.students.map((s) => ({ id: s.id, displayName: s.displayName ?? null })),
      );
      const enrolments = dedupe(roster.enrolments.map((e) => [e.classId, e.studentId]));
      const teaching = dedupe(roster.teaching.map((e) => [e.classId, e.teacherId]));
      const enrolledBefore = await batches(
        CYPHER.learners.enrol,
        enrolments.map(([classId, studentId]) => ({ classId, studentId })),
      );
      const teachingBefore = await batches(
        CYPHER.learners.assignTeachers,
        teaching.map(([classId, teacherId]) => ({ classId, teacherId })),
      );
      return {
        schoolCreated,
        classes: count(
          roster.classes.map((c) => c.id),
          classOwners,
        ),
        teachers: count(
          roster.teachers.map((t) => t.id),
          teacherOwners,
        ),
        students: count(
          roster.students.map((s) => s.id),
          studentOwners,
        ),
        enrolments: {
          added: enrolments.length - enrolledBefore,
          unchanged: roster.enrolments.length - enrolments.length + enrolledBefore,
        },
        teaching: { added: teaching.length - teachingBefore, unchanged: roster.teaching.length - teaching.length + teachingBefore },
      };
    });
  }

  async getSchools(ids: readonly string[]): Promise<(School | undefined)[]> {
    return inOrder(ids, (await this.nodes("School", ids)).map(toSchool));
  }

  async getClasses(ids: readonly string[]): Promise<(SchoolClass | undefined)[]> {
    return inOrder(ids, (await this.nodes("Class", ids)).map(toClass));
  }

  async getTeachers(ids: readonly string[]): Promise<(Teacher | undefined)[]> {
    return inOrder(ids, (await this.nodes("Teacher", ids)).map(toPerson));
  }

  async getStudents(ids: readonly string[]): Promise<(Student | undefined)[]> {
    return inOrder(ids, (await this.nodes("Student", ids)).map(toPerson));
  }

  async listSchoolIds(limit: number): Promise<string[]> {
    return this.ids(CYPHER.learners.listSchoolIds, { limit: neo4j.int(Math.max(0, Math.trunc(limit))) });
  }

  async deleteSchool(schoolId: string): Promise<{ students: number; attempts: number }> {
    return this.write(async (tx) => {
      const result = await tx.run(CYPHER.learners.deleteSchool, { schoolId });
      const record = result.records[0];
      if (!record) return { students: 0, attempts: 0 };
      return { students: Number(record.get("students")), attempts: Number(record.get("attempts")) };
    });
  }

  async listClasses(schoolId: string): Promise<SchoolClass[]> {
    return (await this.read<{ props: Props }>(CYPHER.learners.listClasses, { schoolId })).map((row) => toClass(row.props));
  }

  async listTeachers(schoolId: string): Promise<Teacher[]> {
    return (await this.read<{ props: Props }>(CYPHER.learners.listTeachers, { schoolId })).map((row) => toPerson(row.props));
  }

  async listStudents(schoolId: string): Promise<Student[]> {
    return (await this.read<{ props: Props }>(CYPHER.learners.listStudents, { schoolId })).map((row) => toPerson(row.props));
  }

  private async ids(statement: string, params: Record<string, unknown>): Promise<string[]> {
    return (await this.read<{ id: string }>(statement, params)).map((row) => row.id);
  }

  async studentsOfClass(classId: string): Promise<string[]> {
    return this.ids(CYPHER.learners.studentsOfClass, { classId });
  }

  async teachersOfClass(classId: string): Promise<string[]> {
    return this.ids(CYPHER.learners.teachersOfClass, { classId });
  }

  async classesOfStudent(studentId: string): Promise<string[]> {
    return this.ids(CYPHER.learners.classesOfStudent, { studentId });
  }

  async classesOfTeacher(teacherId: string): Promise<string[]> {
    return this.ids(CYPHER.learners.classesOfTeacher, { teacherId });
  }

  async recordAttempts(attempts: readonly NewAttempt[]): Promise<RecordAttemptResult[]> {
    for (const attempt of attempts) validateNewAttempt(attempt);
    if (attempts.length === 0) return [];
    return this.write(async (tx) => {
      const results: RecordAttemptResult[] = [];
      for (const attempt of attempts) results.push(await this.recordIn(tx, attempt));
      return results;
    });
  }

  private async recordIn(tx: ManagedTransaction, attempt: NewAttempt): Promise<RecordAttemptResult> {
    const recordedAt = new Date().toISOString();
    const { studentId } = attempt;
    const locked = (await tx.run(CYPHER.learners.lockStudent, { studentId, recordedAt })).records[0];
    if (!locked) return { status: "unknown-student" };
    const existing = (await tx.run(CYPHER.learners.attemptByKey, { studentId, idempotencyKey: attempt.idempotencyKey })).records[0];
    if (existing) return { status: "existing", attempt: toAttempt(existing.get("props") as Props) };

    const rows = await tx.run(CYPHER.learners.masteryOf, { studentId, ids: attempt.knowledgePointIds });
    const byPoint = new Map(
      rows.records.map((record) => {
        const mastery = toMastery(record.get("props") as Props);
        return [mastery.knowledgePointId, mastery];
      }),
    );
    const current = attempt.knowledgePointIds.map((id) => byPoint.get(id));
    const item = (await tx.run(CYPHER.learners.itemCalibration, { itemId: attempt.itemId })).records[0];
    const update = computeUpdate(attempt, current, {
      itemOffset: Number(item?.get("offset") ?? 0),
      itemAttempts: Number(item?.get("attempts") ?? 0),
      ability: Number(locked.get("ability")),
      abilityAttempts: Number(locked.get("abilityAttempts")),
    });

    const answeredAt = attempt.answeredAt ?? recordedAt;
    const seq = Number(locked.get("attemptCount")) + 1;
    const record: AttemptRecord = {
      id: newAttemptId(),
      studentId,
      schoolId: String(locked.get("schoolId")),
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
    await tx.run(CYPHER.learners.createAttempt, {
      studentId,
      seq: neo4j.int(seq),
      props: {
        id: record.id,
        studentId,
        seq: neo4j.int(seq),
        schoolId: record.schoolId,
        itemId: record.itemId,
        idempotencyKey: record.idempotencyKey,
        payloadHash: record.payloadHash,
        response: JSON.stringify(record.response ?? null),
        correct: record.correct,
        misconceptionIds: record.misconceptionIds,
        ...(record.responseTimeMs !== undefined ? { responseTimeMs: neo4j.int(record.responseTimeMs) } : {}),
        answeredAt,
        recordedAt,
        predictedCorrect: record.predictedCorrect,
        mastery: JSON.stringify(record.mastery),
      },
    });
    await tx.run(CYPHER.learners.writeMastery, {
      studentId,
      rows: update.mastery.map((change, i) => {
        const before = current[i];
        return {
          knowledgePointId: change.knowledgePointId,
          probability: change.after,
          attempts: neo4j.int((before?.attempts ?? 0) + 1),
          correct: neo4j.int((before?.correct ?? 0) + (attempt.correct ? 1 : 0)),
          lastPractisedAt: laterDate(before?.lastPractisedAt, answeredAt),
          parameterSetId: change.parameterSetId ?? null,
          updatedAt: recordedAt,
        };
      }),
    });
    if (update.calibration) {
      await tx.run(CYPHER.learners.applyCalibration, {
        studentId,
        itemId: attempt.itemId,
        difficultyDelta: update.calibration.difficultyDelta,
        abilityDelta: update.calibration.abilityDelta,
      });
    }
    return { status: "recorded", attempt: record };
  }

  async itemCalibrations(itemIds?: readonly string[]): Promise<ItemCalibrationRecord[]> {
    const rows = await this.read<{ itemId: string; offset: number; attempts: unknown }>(CYPHER.learners.itemCalibrations, {
      itemIds: itemIds ? [...itemIds] : null,
    });
    return rows.map((row) => ({ itemId: row.itemId, offset: Number(row.offset), attempts: Number(row.attempts) }));
  }

  async recommendationProfile(studentId: string): Promise<RecommendationProfile | undefined> {
    const [row] = await this.read<{
      ability: number;
      abilityAttempts: unknown;
      targetSuccessRate: number | null;
      classTargets: { classId: string; targetSuccessRate: number }[];
    }>(CYPHER.learners.recommendationProfile, { studentId });
    if (!row) return undefined;
    return {
      ability: Number(row.ability),
      abilityAttempts: Number(row.abilityAttempts),
      ...(row.targetSuccessRate !== null && row.targetSuccessRate !== undefined
        ? { targetSuccessRate: Number(row.targetSuccessRate) }
        : {}),
      classTargets: row.classTargets.map((target) => ({ classId: target.classId, targetSuccessRate: Number(target.targetSuccessRate) })),
    };
  }

  async setTargetSuccessRate(target: { classId: string } | { studentId: string }, rate: number | null): Promise<boolean> {
    validateTargetSuccessRate(rate);
    const [statement, params] =
      "classId" in target
        ? [CYPHER.learners.setClassTarget, { classId: target.classId, rate }]
        : [CYPHER.learners.setStudentTarget, { studentId: target.studentId, rate }];
    const found = await this.write(async (tx) => (await tx.run(statement, params)).records[0]?.get("found"));
    return Number(found ?? 0) > 0;
  }

  async findAttemptsByKey(keys: readonly { studentId: string; idempotencyKey: string }[]): Promise<(AttemptRecord | undefined)[]> {
    if (keys.length === 0) return [];
    const found = (await this.read<{ props: Props }>(CYPHER.learners.attemptsByKeys, { keys: [...keys] })).map((row) =>
      toAttempt(row.props),
    );
    const byKey = new Map(found.map((a) => [JSON.stringify([a.studentId, a.idempotencyKey]), a]));
    return keys.map((key) => byKey.get(JSON.stringify([key.studentId, key.idempotencyKey])));
  }

  async getAttempts(ids: readonly string[]): Promise<(AttemptRecord | undefined)[]> {
    return inOrder(ids, (await this.nodes("Attempt", ids)).map(toAttempt));
  }

  async attemptHistory(studentId: string, page: { limit: number; before?: number }): Promise<AttemptPage> {
    const limit = Math.max(0, Math.floor(page.limit));
    const rows = await this.read<{ props: Props }>(CYPHER.learners.history, {
      studentId,
      before: neo4j.int(page.before ?? Number.MAX_SAFE_INTEGER),
      limit: neo4j.int(limit + 1),
    });
    const [count] = await this.read<{ total: number }>(CYPHER.learners.attemptCount, { studentId });
    return {
      nodes: rows.slice(0, limit).map((row) => toAttempt(row.props)),
      totalCount: Number(count?.total ?? 0),
      hasMore: rows.length > limit,
    };
  }

  async studentMastery(studentId: string, knowledgePointIds?: readonly string[]): Promise<MasteryRecord[]> {
    const rows = await this.read<{ props: Props }>(CYPHER.learners.studentMastery, {
      studentId,
      ids: knowledgePointIds ? [...knowledgePointIds] : null,
    });
    return rows.map((row) => toMastery(row.props));
  }

  async classMastery(classId: string, knowledgePointIds?: readonly string[]): Promise<ClassMasteryMatrix> {
    const studentIds = await this.studentsOfClass(classId);
    const rows = await this.read<{ props: Props }>(CYPHER.learners.classMastery, {
      classId,
      ids: knowledgePointIds ? [...knowledgePointIds] : null,
    });
    const cells = rows.map((row) => toMastery(row.props));
    const points = knowledgePointIds ? [...knowledgePointIds] : [...new Set(cells.map((c) => c.knowledgePointId))].sort();
    return { classId, studentIds, knowledgePointIds: points, cells };
  }
}

/** Pairs without repeats, first occurrence kept. */
function dedupe(pairs: [string, string][]): [string, string][] {
  const seen = new Set<string>();
  return pairs.filter((pair) => {
    const key = JSON.stringify(pair);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
