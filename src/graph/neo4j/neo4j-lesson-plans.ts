/**
 * The lesson-plan half of the Neo4j store: (:LessonPlan) nodes, statements from ./cypher.ts
 * (CYPHER.lessonPlans). Saving reads the series' last version and creates the next in one managed
 * transaction; the (series, version) uniqueness constraint turns a concurrent save of the same
 * series into a retried transaction, never a repeated version.
 */
import { randomUUID } from "node:crypto";
import neo4j from "neo4j-driver";
import type { LessonPlanRecord, LessonPlanStore, NewLessonPlan, Page } from "../store.js";
import { CYPHER } from "./cypher.js";
import { Neo4jSubStore } from "./neo4j-sub-store.js";

type Props = Record<string, unknown>;

function toLessonPlan(p: Props): LessonPlanRecord {
  return {
    id: String(p.id),
    schoolId: String(p.schoolId),
    classId: String(p.classId),
    series: String(p.series),
    version: Number(p.version),
    createdBy: String(p.createdBy),
    createdAt: String(p.createdAt),
    language: p.language === "en" ? "en" : "zh",
    title: String(p.title),
    inputs: JSON.parse(String(p.inputs)),
    generation: JSON.parse(String(p.generation)),
    plan: JSON.parse(String(p.plan)),
    markdown: String(p.markdown),
  };
}

export class Neo4jLessonPlanStore extends Neo4jSubStore implements LessonPlanStore {
  async saveLessonPlan(plan: NewLessonPlan): Promise<LessonPlanRecord> {
    return this.write(async (tx) => {
      const last = (await tx.run(CYPHER.lessonPlans.lastVersion, { series: plan.series })).records[0]?.get("version");
      const record: LessonPlanRecord = {
        ...plan,
        id: `lp-${randomUUID()}`,
        version: Number(last ?? 0) + 1,
        createdAt: new Date().toISOString(),
      };
      await tx.run(CYPHER.lessonPlans.create, {
        props: {
          id: record.id,
          schoolId: record.schoolId,
          classId: record.classId,
          series: record.series,
          version: neo4j.int(record.version),
          createdBy: record.createdBy,
          createdAt: record.createdAt,
          language: record.language,
          title: record.title,
          inputs: JSON.stringify(record.inputs),
          generation: JSON.stringify(record.generation),
          plan: JSON.stringify(record.plan),
          markdown: record.markdown,
        },
      });
      return record;
    });
  }

  async getLessonPlans(ids: readonly string[]): Promise<(LessonPlanRecord | undefined)[]> {
    if (ids.length === 0) return [];
    const rows = await this.read<{ props: Props }>(CYPHER.lessonPlans.byIds, { ids: [...ids] });
    const byId = new Map(rows.map((row) => [String(row.props.id), toLessonPlan(row.props)]));
    return ids.map((id) => byId.get(id));
  }

  async listLessonPlans(classId: string, page: Page): Promise<{ nodes: LessonPlanRecord[]; totalCount: number }> {
    const [row] = await this.read<{ totalCount: unknown; nodes: Props[] }>(CYPHER.lessonPlans.ofClass, {
      classId,
      offset: neo4j.int(page.offset),
      limit: neo4j.int(page.limit),
    });
    return { nodes: (row?.nodes ?? []).map(toLessonPlan), totalCount: Number(row?.totalCount ?? 0) };
  }
}
