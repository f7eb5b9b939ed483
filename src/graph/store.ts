/**
 * The one store interface behind which SQLite (embedded default) and Neo4j (production) sit.
 * A contract test suite (tests/graph/store-contract.ts) runs against every backend.
 *
 * Division of labour: the store persists entities and answers look-ups and searches; the graph's
 * structure (prerequisites, item and resource links) is also loaded once into the in-memory
 * KnowledgeGraphIndex, which serves every traversal. The store is composed of one sub-store
 * per concern (curriculum, learners, ...) so that each backend keeps them in separate modules.
 */
import type {
  CurriculumData,
  CurriculumKind,
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
} from "../curriculum/model.js";

export type EntityOf<K extends CurriculumKind> = CurriculumData[K][number];

/** One entity to write, with its store key, owning subject, serialised form and content hash. */
export interface CurriculumRow<K extends CurriculumKind> {
  key: string;
  subjectId: string;
  hash: string;
  entity: EntityOf<K>;
  /** JSON of `entity`, serialised once by the importer and stored as is. */
  doc: string;
  /** The store holds no entity with this key yet, so there are no old links to clear. */
  isNew: boolean;
}

/** Content hashes of stored entities, keyed by kind then entity key, with the owning subject. */
export type CurriculumFingerprints = {
  [K in CurriculumKind]: Map<string, { subjectId: string; hash: string }>;
};

export interface CurriculumChangeSet {
  /** Subjects being replaced; entities of theirs not in `upserts` are in `removals`. */
  subjectIds: string[];
  upserts: { [K in CurriculumKind]: CurriculumRow<K>[] };
  removals: { [K in CurriculumKind]: string[] };
  record: ImportRecord;
}

export interface ImportRecord {
  importedAt: string;
  subjects: { id: string; version?: string }[];
  summary: ImportSummary;
}

export type ImportCounts = Record<CurriculumKind, number>;

export interface ImportSummary {
  added: ImportCounts;
  changed: ImportCounts;
  removed: ImportCounts;
  unchanged: ImportCounts;
}

/** The structure of the curriculum graph, for building the in-memory index. */
export interface GraphSnapshot {
  units: Pick<Unit, "id" | "subjectId" | "grade" | "order" | "stageId">[];
  knowledgePoints: Pick<KnowledgePoint, "id" | "subjectId" | "unitId" | "grade" | "difficultyBand" | "order">[];
  prerequisites: Prerequisite[];
  items: { id: string; difficulty: number; type: Item["type"] }[];
  itemKnowledgePoints: { itemId: string; knowledgePointId: string; weight: number }[];
  itemMisconceptions: { itemId: string; misconceptionId: string }[];
  misconceptionKnowledgePoints: { misconceptionId: string; knowledgePointId: string }[];
  resourceKnowledgePoints: { resourceId: string; knowledgePointId: string }[];
}

export interface KnowledgePointFilter {
  /** Substring of the Chinese or English name (case-insensitive for English). */
  text?: string;
  subjectId?: string;
  grade?: number;
  unitId?: string;
}

export interface Page {
  limit: number;
  offset: number;
}

export interface CurriculumStore {
  curriculumFingerprints(): Promise<CurriculumFingerprints>;
  /** Applies a whole change set atomically: all of it or none of it. */
  applyCurriculumChanges(changes: CurriculumChangeSet): Promise<void>;
  loadGraphSnapshot(): Promise<GraphSnapshot>;
  exportCurriculum(subjectIds?: string[]): Promise<CurriculumData>;
  lastImport(): Promise<ImportRecord | undefined>;
  /** Grows with every applied import, so another process can tell its index is stale. */
  curriculumRevision(): Promise<number>;

  listSubjects(): Promise<Subject[]>;
  listStages(subjectId: string): Promise<Stage[]>;
  listDomains(subjectId: string): Promise<Domain[]>;
  listUnits(subjectId: string, grade?: number): Promise<Unit[]>;
  /** Entities by id in the order asked, undefined where unknown (the shape DataLoader wants). */
  getSubjects(ids: readonly string[]): Promise<(Subject | undefined)[]>;
  getUnits(ids: readonly string[]): Promise<(Unit | undefined)[]>;
  getKnowledgePoints(ids: readonly string[]): Promise<(KnowledgePoint | undefined)[]>;
  getItems(ids: readonly string[]): Promise<(Item | undefined)[]>;
  getItemTemplates(ids: readonly string[]): Promise<(ItemTemplate | undefined)[]>;
  getMisconceptions(ids: readonly string[]): Promise<(Misconception | undefined)[]>;
  getResources(ids: readonly string[]): Promise<(Resource | undefined)[]>;
  searchKnowledgePoints(filter: KnowledgePointFilter, page: Page): Promise<{ nodes: KnowledgePoint[]; totalCount: number }>;
}

export interface KnowledgeGraphStore {
  readonly backend: "sqlite" | "neo4j";
  readonly curriculum: CurriculumStore;
  /** Creates tables, constraints and indexes; safe to run on every start. */
  migrate(): Promise<void>;
  /** Throws when the store cannot answer (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
