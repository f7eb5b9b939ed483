/** The curriculum half of the Neo4j store; statements come from ./cypher.ts only. */
import type { ManagedTransaction } from "neo4j-driver";
import neo4j from "neo4j-driver";
import type {
  CurriculumData,
  Domain,
  Item,
  ItemTemplate,
  KnowledgePoint,
  Misconception,
  Prerequisite,
  Resource,
  Stage,
  Subject,
  Unit,
} from "../../curriculum/model.js";
import { CURRICULUM_KINDS, emptyCurriculum, misconceptionsOfItem } from "../../curriculum/model.js";
import type {
  CurriculumChangeSet,
  CurriculumFingerprints,
  CurriculumRow,
  CurriculumStore,
  EntityOf,
  GraphSnapshot,
  ImportRecord,
  KnowledgePointFilter,
  Page,
} from "../store.js";
import { CYPHER, NODE_LABELS, NODE_RELATIONSHIPS, type NodeKind } from "./cypher.js";
import { Neo4jSubStore } from "./neo4j-sub-store.js";

/** Rows per UNWIND batch: large enough to amortise round trips, small enough for modest heaps. */
export const WRITE_BATCH_SIZE = 1000;

type Props = Record<string, string | number | boolean>;

/** The filterable properties each node kind carries besides id, subjectId, hash and doc. */
function nodeProperties(kind: NodeKind, entity: unknown): Props {
  switch (kind) {
    case "stages":
      return { ord: (entity as Stage).order };
    case "domains":
      return { ord: (entity as Domain).order };
    case "units": {
      const unit = entity as Unit;
      return { grade: unit.grade, ord: unit.order, stageId: unit.stageId };
    }
    case "knowledgePoints": {
      const point = entity as KnowledgePoint;
      return {
        unitId: point.unitId,
        grade: point.grade,
        ord: point.order,
        nameZh: point.name.zh,
        nameEn: point.name.en,
        difficultyBand: point.difficultyBand,
      };
    }
    case "items": {
      const item = entity as Item;
      return { type: item.type, difficulty: item.difficulty, ...(item.templateId ? { templateId: item.templateId } : {}) };
    }
    default:
      return {};
  }
}

/** Outgoing relationships of one entity: per relationship type, the targets with a weight. */
function relationshipTargets(kind: NodeKind, entity: unknown, subjectId: string): Record<string, { targetId: string; weight: number }[]> {
  const one = (targetId: string) => [{ targetId, weight: 1 }];
  switch (kind) {
    case "stages":
    case "domains":
      return { PART_OF: one(subjectId) };
    case "units":
      return { PART_OF: one(subjectId), IN_STAGE: one((entity as Unit).stageId) };
    case "knowledgePoints":
      return { PART_OF: one((entity as KnowledgePoint).unitId) };
    case "items": {
      const item = entity as Item;
      return {
        ASSESSES: item.knowledgePoints.map((k) => ({ targetId: k.id, weight: k.weight })),
        REVEALS: misconceptionsOfItem(item).map((id) => ({ targetId: id, weight: 1 })),
        INSTANCE_OF: item.templateId ? one(item.templateId) : [],
      };
    }
    case "misconceptions":
      return { AFFECTS: (entity as Misconception).knowledgePointIds.map((id) => ({ targetId: id, weight: 1 })) };
    case "resources":
      return { TEACHES: (entity as Resource).knowledgePointIds.map((id) => ({ targetId: id, weight: 1 })) };
    default:
      return {};
  }
}

async function runBatched(tx: ManagedTransaction, statement: string, name: "rows" | "ids", values: unknown[]): Promise<void> {
  for (let start = 0; start < values.length; start += WRITE_BATCH_SIZE) {
    await tx.run(statement, { [name]: values.slice(start, start + WRITE_BATCH_SIZE) });
  }
}

const nodeKinds = Object.keys(NODE_LABELS) as NodeKind[];

export class Neo4jCurriculumStore extends Neo4jSubStore implements CurriculumStore {
  async curriculumFingerprints(): Promise<CurriculumFingerprints> {
    const result = {} as CurriculumFingerprints;
    for (const kind of CURRICULUM_KINDS) {
      const statement = kind === "prerequisites" ? CYPHER.prerequisiteFingerprints : CYPHER.fingerprints[kind];
      const rows = await this.read<{ key: string; subjectId: string; hash: string }>(statement);
      result[kind] = new Map(rows.map((r) => [r.key, { subjectId: r.subjectId, hash: r.hash }]));
    }
    return result;
  }

  async applyCurriculumChanges(changes: CurriculumChangeSet): Promise<void> {
    const session = this.driver.session({ defaultAccessMode: neo4j.session.WRITE, ...(this.database ? { database: this.database } : {}) });
    try {
      // One managed transaction: the whole import commits or none of it does. The driver may
      // replay this function on a transient error; every statement is safe to replay.
      await session.executeWrite(async (tx) => {
        const removedEdges = changes.removals.prerequisites.map((key) => {
          const [fromId, toId] = key.split("->");
          return { fromId, toId };
        });
        await runBatched(tx, CYPHER.removePrerequisites, "rows", removedEdges);
        for (const kind of nodeKinds) await runBatched(tx, CYPHER.removeNodes[kind], "ids", changes.removals[kind]);

        for (const kind of nodeKinds) {
          const rows = (changes.upserts[kind] as CurriculumRow<NodeKind>[]).map(({ key, subjectId, hash, entity, doc }) => ({
            id: key,
            props: { id: key, subjectId, hash, doc, ...nodeProperties(kind, entity) },
          }));
          await runBatched(tx, CYPHER.upsertNodes[kind], "rows", rows);
        }
        const edges = changes.upserts.prerequisites.map(({ key, subjectId, hash, entity, doc }) => ({
          fromId: (entity as Prerequisite).fromId,
          toId: (entity as Prerequisite).toId,
          props: { id: key, subjectId, hash, doc, strength: (entity as Prerequisite).strength },
        }));
        await runBatched(tx, CYPHER.upsertPrerequisites, "rows", edges);

        // Relationships last: every node they connect now exists, whatever its kind.
        for (const [kind, relationships] of Object.entries(NODE_RELATIONSHIPS) as [NodeKind, readonly (readonly [string, string])[]][]) {
          const rows = changes.upserts[kind] as CurriculumRow<NodeKind>[];
          if (rows.length === 0) continue;
          const targets = rows.map((row) => ({ id: row.key, links: relationshipTargets(kind, row.entity, row.subjectId) }));
          for (const [type] of relationships) {
            const key = `${kind}.${type}`;
            await runBatched(
              tx,
              CYPHER.clearRelationships[key] as string,
              "ids",
              targets.map((t) => t.id),
            );
            const links = targets.flatMap((t) => (t.links[type] ?? []).map((link) => ({ id: t.id, ...link })));
            await runBatched(tx, CYPHER.createRelationships[key] as string, "rows", links);
          }
        }
        await tx.run(CYPHER.recordImport, { importedAt: changes.record.importedAt, record: JSON.stringify(changes.record) });
      });
    } finally {
      await session.close();
    }
  }

  async loadGraphSnapshot(): Promise<GraphSnapshot> {
    const s = CYPHER.snapshot;
    const [
      units,
      knowledgePoints,
      prerequisites,
      items,
      itemKnowledgePoints,
      itemMisconceptions,
      misconceptionKnowledgePoints,
      resourceKnowledgePoints,
    ] = await Promise.all([
      this.read<GraphSnapshot["units"][number]>(s.units),
      this.read<GraphSnapshot["knowledgePoints"][number]>(s.knowledgePoints),
      this.read<Prerequisite>(s.prerequisites),
      this.read<GraphSnapshot["items"][number]>(s.items),
      this.read<GraphSnapshot["itemKnowledgePoints"][number]>(s.itemKnowledgePoints),
      this.read<GraphSnapshot["itemMisconceptions"][number]>(s.itemMisconceptions),
      this.read<GraphSnapshot["misconceptionKnowledgePoints"][number]>(s.misconceptionKnowledgePoints),
      this.read<GraphSnapshot["resourceKnowledgePoints"][number]>(s.resourceKnowledgePoints),
    ]);
    return {
      units,
      knowledgePoints,
      prerequisites,
      items,
      itemKnowledgePoints,
      itemMisconceptions,
      misconceptionKnowledgePoints,
      resourceKnowledgePoints,
    };
  }

  async exportCurriculum(subjectIds?: string[]): Promise<CurriculumData> {
    const data = emptyCurriculum();
    const params = { subjectIds: subjectIds ?? null };
    for (const kind of nodeKinds) {
      const rows = await this.read<{ doc: string }>(CYPHER.exportNodes[kind], params);
      (data[kind] as unknown[]) = rows.map((r) => JSON.parse(r.doc));
    }
    data.prerequisites = (await this.read<{ doc: string }>(CYPHER.exportPrerequisites, params)).map((r) => JSON.parse(r.doc));
    return data;
  }

  async lastImport(): Promise<ImportRecord | undefined> {
    const [row] = await this.read<{ record: string }>(CYPHER.lastImport);
    return row ? (JSON.parse(row.record) as ImportRecord) : undefined;
  }

  async curriculumRevision(): Promise<number> {
    const [row] = await this.read<{ revision: number }>(CYPHER.revision);
    return Number(row?.revision ?? 0);
  }

  private async docs<T>(statement: string, params: Record<string, unknown> = {}): Promise<T[]> {
    return (await this.read<{ doc: string }>(statement, params)).map((r) => JSON.parse(r.doc) as T);
  }

  async listSubjects(): Promise<Subject[]> {
    return this.docs(CYPHER.listSubjects);
  }
  async listStages(subjectId: string): Promise<Stage[]> {
    return this.docs(CYPHER.listStages, { subjectId });
  }
  async listDomains(subjectId: string): Promise<Domain[]> {
    return this.docs(CYPHER.listDomains, { subjectId });
  }
  async listUnits(subjectId: string, grade?: number): Promise<Unit[]> {
    return this.docs(CYPHER.listUnits, { subjectId, grade: grade ?? null });
  }

  private async byIds<K extends NodeKind>(kind: K, ids: readonly string[]): Promise<(EntityOf<K> | undefined)[]> {
    if (ids.length === 0) return [];
    const rows = await this.read<{ id: string; doc: string }>(CYPHER.getNodes[kind], { ids: [...ids] });
    const found = new Map(rows.map((r) => [r.id, r.doc]));
    return ids.map((id) => {
      const doc = found.get(id);
      return doc === undefined ? undefined : (JSON.parse(doc) as EntityOf<K>);
    });
  }

  async getSubjects(ids: readonly string[]) {
    return this.byIds("subjects", ids) as Promise<(Subject | undefined)[]>;
  }
  async getUnits(ids: readonly string[]) {
    return this.byIds("units", ids) as Promise<(Unit | undefined)[]>;
  }
  async getKnowledgePoints(ids: readonly string[]) {
    return this.byIds("knowledgePoints", ids) as Promise<(KnowledgePoint | undefined)[]>;
  }
  async getItems(ids: readonly string[]) {
    return this.byIds("items", ids) as Promise<(Item | undefined)[]>;
  }
  async getItemTemplates(ids: readonly string[]) {
    return this.byIds("itemTemplates", ids) as Promise<(ItemTemplate | undefined)[]>;
  }
  async getMisconceptions(ids: readonly string[]) {
    return this.byIds("misconceptions", ids) as Promise<(Misconception | undefined)[]>;
  }
  async getResources(ids: readonly string[]) {
    return this.byIds("resources", ids) as Promise<(Resource | undefined)[]>;
  }

  async searchKnowledgePoints(filter: KnowledgePointFilter, page: Page): Promise<{ nodes: KnowledgePoint[]; totalCount: number }> {
    const text = filter.text?.trim();
    const [row] = await this.read<{ totalCount: number; docs: string[] }>(CYPHER.searchKnowledgePoints, {
      subjectId: filter.subjectId ?? null,
      grade: filter.grade === undefined ? null : neo4j.int(filter.grade),
      unitId: filter.unitId ?? null,
      text: text || null,
      offset: neo4j.int(page.offset),
      limit: neo4j.int(page.limit),
    });
    return { nodes: (row?.docs ?? []).map((doc) => JSON.parse(doc) as KnowledgePoint), totalCount: Number(row?.totalCount ?? 0) };
  }
}
