/** The lesson-plan half of the SQLite store: table lesson_plans (migration 5). */
import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import type { LessonPlanRecord, LessonPlanStore, NewLessonPlan, Page } from "../store.js";

interface LessonPlanRow {
  id: string;
  school_id: string;
  class_id: string;
  series: string;
  version: number;
  created_by: string;
  created_at: string;
  language: "zh" | "en";
  title: string;
  inputs: string;
  generation: string;
  plan: string;
  markdown: string;
}

const toLessonPlan = (row: LessonPlanRow): LessonPlanRecord => ({
  id: row.id,
  schoolId: row.school_id,
  classId: row.class_id,
  series: row.series,
  version: row.version,
  createdBy: row.created_by,
  createdAt: row.created_at,
  language: row.language,
  title: row.title,
  inputs: JSON.parse(row.inputs),
  generation: JSON.parse(row.generation),
  plan: JSON.parse(row.plan),
  markdown: row.markdown,
});

export class SqliteLessonPlanStore implements LessonPlanStore {
  constructor(private readonly db: Database.Database) {}

  async saveLessonPlan(plan: NewLessonPlan): Promise<LessonPlanRecord> {
    const save = this.db.transaction((): LessonPlanRecord => {
      const last = this.db.prepare("SELECT max(version) FROM lesson_plans WHERE series = ?").pluck().get(plan.series) as number | null;
      const record: LessonPlanRecord = { ...plan, id: `lp-${randomUUID()}`, version: (last ?? 0) + 1, createdAt: new Date().toISOString() };
      this.db
        .prepare(
          `INSERT INTO lesson_plans (id, school_id, class_id, series, version, created_by, created_at, language, title, inputs,
             generation, plan, markdown) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          record.id,
          record.schoolId,
          record.classId,
          record.series,
          record.version,
          record.createdBy,
          record.createdAt,
          record.language,
          record.title,
          JSON.stringify(record.inputs),
          JSON.stringify(record.generation),
          JSON.stringify(record.plan),
          record.markdown,
        );
      return record;
    });
    return save.immediate();
  }

  async getLessonPlans(ids: readonly string[]): Promise<(LessonPlanRecord | undefined)[]> {
    const rows = this.db
      .prepare("SELECT * FROM lesson_plans WHERE id IN (SELECT value FROM json_each(?))")
      .all(JSON.stringify(ids)) as LessonPlanRow[];
    const byId = new Map(rows.map((row) => [row.id, toLessonPlan(row)]));
    return ids.map((id) => byId.get(id));
  }

  async listLessonPlans(classId: string, page: Page): Promise<{ nodes: LessonPlanRecord[]; totalCount: number }> {
    const rows = this.db
      .prepare("SELECT * FROM lesson_plans WHERE class_id = ? ORDER BY rowid DESC LIMIT ? OFFSET ?")
      .all(classId, page.limit, page.offset) as LessonPlanRow[];
    const totalCount = this.db.prepare("SELECT count(*) FROM lesson_plans WHERE class_id = ?").pluck().get(classId) as number;
    return { nodes: rows.map(toLessonPlan), totalCount };
  }
}
