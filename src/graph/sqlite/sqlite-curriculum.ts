/** The curriculum half of the SQLite store. */
import type Database from "better-sqlite3";
import type {
  CurriculumData,
  CurriculumKind,
  Domain,
  Item,
  ItemTemplate,
  KnowledgePoint,
  Misconception,
  Resource,
  Stage,
  Subject,
  Unit,
} from "../../curriculum/model.js";
import { CURRICULUM_KINDS, emptyCurriculum } from "../../curriculum/model.js";
import type {
  CurriculumChangeSet,
  CurriculumFingerprints,
  CurriculumRow,
  CurriculumStore,
  GraphSnapshot,
  ImportRecord,
  KnowledgePointFilter,
  Page,
} from "../store.js";
import { CurriculumDocumentCache } from "./curriculum-document-cache.js";
import { CURRICULUM_TABLES, type CurriculumTable } from "./curriculum-tables.js";

type SqlValue = string | number | null;

/** Rows per multi-row INSERT; at most 10 columns, so far below SQLite's limit on bound parameters. */
const BATCH_ROWS = 64;
/** Imports writing this many entities or more get IMPORT_CACHE_SIZE (in KiB when negative) while they are written. */
const LARGE_IMPORT_ROWS = 10_000;
const IMPORT_CACHE_SIZE = -131_072;
/** The curriculum's revision: every import adds a row (see applyCurriculumChanges). */
const REVISION_SQL = "SELECT coalesce(max(id), 0) FROM curriculum_imports";
/** Keys per DELETE … IN (json_each(?)). */
const KEY_CHUNK = 10_000;

/** Buffers the values of up to BATCH_ROWS rows and hands them to `write` in one go. */
class RowWriter {
  private readonly params: SqlValue[];
  private filled = 0;

  constructor(
    private readonly width: number,
    private readonly write: (rows: number, params: SqlValue[]) => void,
  ) {
    this.params = new Array<SqlValue>(width * BATCH_ROWS).fill(null);
  }

  add(value: SqlValue): void {
    this.params[this.filled++] = value;
    if (this.filled === this.params.length) this.flush();
  }

  /** Writes the rows buffered so far; call once after the last row. */
  flush(): void {
    if (this.filled === 0) return;
    const rows = this.filled / this.width;
    this.write(rows, rows === BATCH_ROWS ? this.params : this.params.slice(0, this.filled));
    this.filled = 0;
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class SqliteCurriculumStore implements CurriculumStore {
  private readonly documents = new CurriculumDocumentCache();

  constructor(private readonly db: Database.Database) {}

  async curriculumFingerprints(): Promise<CurriculumFingerprints> {
    const result = {} as CurriculumFingerprints;
    for (const kind of CURRICULUM_KINDS) {
      const map = new Map<string, { subjectId: string; hash: string }>();
      const rows = this.db.prepare(`SELECT key, subject_id, hash FROM ${CURRICULUM_TABLES[kind].table}`).raw().all() as [
        string,
        string,
        string,
      ][];
      for (const [key, subjectId, hash] of rows) map.set(key, { subjectId, hash });
      result[kind] = map;
    }
    return result;
  }

  async applyCurriculumChanges(changes: CurriculumChangeSet): Promise<void> {
    const apply = this.db.transaction(() => {
      for (const kind of CURRICULUM_KINDS) {
        this.removeEntities(kind, changes.removals[kind]);
        this.upsertEntities(kind, changes.upserts[kind]);
      }
      this.db
        .prepare("INSERT INTO curriculum_imports (imported_at, record) VALUES (?, ?)")
        .run(changes.record.importedAt, JSON.stringify(changes.record));
    });
    // A large import dirties more pages than the default cache (2 MB) holds; spilling them to the
    // WAL mid-transaction writes pages again and again. A bigger cache for the import's duration
    // (128 MB at most, taken only as pages are dirtied) halves SQLite's own insert time.
    const cacheSize = this.db.pragma("cache_size", { simple: true }) as number;
    const rows = CURRICULUM_KINDS.reduce((n, kind) => n + changes.upserts[kind].length, 0);
    if (rows >= LARGE_IMPORT_ROWS) this.db.pragma(`cache_size = ${IMPORT_CACHE_SIZE}`);
    try {
      apply.immediate();
    } finally {
      if (rows >= LARGE_IMPORT_ROWS) this.db.pragma(`cache_size = ${cacheSize}`);
    }
  }

  /** Prepared statements by SQL text, reused across imports (a store's statements are few and fixed). */
  private readonly statements = new Map<string, Database.Statement>();

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * A writer of rows into `table`, BATCH_ROWS rows per multi-row INSERT: one statement run costs
   * far less than one per row. Rows keep their order, and so their rowids.
   */
  private rowWriter(table: string, columns: readonly string[], onConflict = ""): RowWriter {
    const row = `(${columns.map(() => "?").join(", ")})`;
    const insert = (rows: number) =>
      this.statement(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${Array(rows).fill(row).join(", ")}${onConflict}`);
    let full: Database.Statement | undefined;
    return new RowWriter(columns.length, (rows, params) => {
      if (rows < BATCH_ROWS) insert(rows).run(params);
      else {
        full ??= insert(BATCH_ROWS);
        full.run(params);
      }
    });
  }

  /** Runs `sql`, whose one parameter is a JSON array, over `keys` in chunks. */
  private forKeys(sql: string, keys: readonly string[]): void {
    for (let start = 0; start < keys.length; start += KEY_CHUNK)
      this.statement(sql).run(JSON.stringify(keys.slice(start, start + KEY_CHUNK)));
  }

  private removeEntities(kind: CurriculumKind, keys: string[]): void {
    if (keys.length === 0) return;
    const spec = CURRICULUM_TABLES[kind] as CurriculumTable<CurriculumKind>;
    this.forKeys(`DELETE FROM ${spec.table} WHERE key IN (SELECT value FROM json_each(?))`, keys);
    for (const link of spec.links)
      this.forKeys(`DELETE FROM ${link.table} WHERE ${link.ownerColumn} IN (SELECT value FROM json_each(?))`, keys);
  }

  private upsertEntities<K extends CurriculumKind>(kind: K, rows: CurriculumRow<K>[]): void {
    if (rows.length === 0) return;
    const spec = CURRICULUM_TABLES[kind] as unknown as CurriculumTable<K>;
    const columns = ["key", "subject_id", "hash", "doc", ...spec.columns];
    const updates = columns.slice(1).map((c) => `${c} = excluded.${c}`);
    const entities = this.rowWriter(spec.table, columns, ` ON CONFLICT (key) DO UPDATE SET ${updates.join(", ")}`);
    // Entities stored before have their link rows replaced; new ones have none to clear.
    const stored = rows.filter((row) => !row.isNew).map((row) => row.key);
    const links = spec.links.map((link) => {
      if (stored.length > 0)
        this.forKeys(`DELETE FROM ${link.table} WHERE ${link.ownerColumn} IN (SELECT value FROM json_each(?))`, stored);
      return { link, writer: this.rowWriter(link.table, [link.ownerColumn, ...link.columns]) };
    });
    for (const { key, subjectId, hash, entity, doc } of rows) {
      entities.add(key);
      entities.add(subjectId);
      entities.add(hash);
      entities.add(doc);
      for (const value of spec.values(entity)) entities.add(value);
      for (const { link, writer } of links) {
        for (const linkRow of link.rows(entity)) {
          writer.add(key);
          for (const value of linkRow) writer.add(value);
        }
      }
    }
    entities.flush();
    for (const { writer } of links) writer.flush();
  }

  async loadGraphSnapshot(): Promise<GraphSnapshot> {
    const all = <T>(sql: string) => this.db.prepare(sql).all() as T[];
    return {
      units: all<{ id: string; subjectId: string; grade: number; order: number; stageId: string }>(
        "SELECT key AS id, subject_id AS subjectId, grade, ord AS \"order\", doc ->> '$.stageId' AS stageId FROM units",
      ),
      knowledgePoints: all(
        `SELECT key AS id, subject_id AS subjectId, unit_id AS unitId, grade, difficulty_band AS difficultyBand, ord AS "order"
         FROM knowledge_points`,
      ),
      prerequisites: all("SELECT from_id AS fromId, to_id AS toId, strength FROM prerequisites"),
      items: all("SELECT key AS id, difficulty, type FROM items"),
      itemKnowledgePoints: all("SELECT item_id AS itemId, knowledge_point_id AS knowledgePointId, weight FROM item_knowledge_points"),
      itemMisconceptions: all("SELECT item_id AS itemId, misconception_id AS misconceptionId FROM item_misconceptions"),
      misconceptionKnowledgePoints: all(
        "SELECT misconception_id AS misconceptionId, knowledge_point_id AS knowledgePointId FROM misconception_knowledge_points",
      ),
      resourceKnowledgePoints: all(
        "SELECT resource_id AS resourceId, knowledge_point_id AS knowledgePointId FROM resource_knowledge_points",
      ),
    };
  }

  async exportCurriculum(subjectIds?: string[]): Promise<CurriculumData> {
    const data = emptyCurriculum();
    const filter = subjectIds ? "WHERE subject_id IN (SELECT value FROM json_each(?))" : "";
    for (const kind of CURRICULUM_KINDS) {
      const statement = this.db.prepare(`SELECT doc FROM ${CURRICULUM_TABLES[kind].table} ${filter} ORDER BY rowid`).pluck();
      const docs = (subjectIds ? statement.all(JSON.stringify(subjectIds)) : statement.all()) as string[];
      (data[kind] as unknown[]) = docs.map((doc) => JSON.parse(doc));
    }
    return data;
  }

  async lastImport(): Promise<ImportRecord | undefined> {
    const record = this.db.prepare("SELECT record FROM curriculum_imports ORDER BY id DESC LIMIT 1").pluck().get() as string | undefined;
    return record ? (JSON.parse(record) as ImportRecord) : undefined;
  }

  async curriculumRevision(): Promise<number> {
    return this.statement(REVISION_SQL).pluck().get() as number;
  }

  private docs<T>(sql: string, ...params: unknown[]): T[] {
    return (
      this.statement(sql)
        .pluck()
        .all(...params) as string[]
    ).map((doc) => JSON.parse(doc) as T);
  }

  async listSubjects(): Promise<Subject[]> {
    return this.docs("SELECT doc FROM subjects ORDER BY key");
  }
  async listStages(subjectId: string): Promise<Stage[]> {
    return this.docs("SELECT doc FROM stages WHERE subject_id = ? ORDER BY ord", subjectId);
  }
  async listDomains(subjectId: string): Promise<Domain[]> {
    return this.docs("SELECT doc FROM domains WHERE subject_id = ? ORDER BY ord", subjectId);
  }
  async listUnits(subjectId: string, grade?: number): Promise<Unit[]> {
    return this.docs("SELECT doc FROM units WHERE subject_id = @subject AND (@grade IS NULL OR grade = @grade) ORDER BY grade, ord", {
      subject: subjectId,
      grade: grade ?? null,
    });
  }

  /** Documents by key, in the order asked, undefined where unknown; parsed once per curriculum revision. */
  private byIds<T>(table: string, ids: readonly string[]): (T | undefined)[] {
    if (ids.length === 0) return [];
    const cache = this.documents.atRevision(this.statement(REVISION_SQL).pluck().get() as number);
    const documents = ids.map((id) => cache.get(table, id) as T | undefined);
    const missing = ids.filter((_, i) => documents[i] === undefined);
    if (missing.length === 0) return documents;
    const rows = this.statement(`SELECT key, doc FROM ${table} WHERE key IN (SELECT value FROM json_each(?))`)
      .raw()
      .all(JSON.stringify(missing)) as [string, string][];
    const read = new Map(rows.map(([key, doc]) => [key, cache.put(table, key, doc) as T]));
    return ids.map((id, i) => documents[i] ?? read.get(id));
  }

  async getSubjects(ids: readonly string[]) {
    return this.byIds<Subject>("subjects", ids);
  }
  async getUnits(ids: readonly string[]) {
    return this.byIds<Unit>("units", ids);
  }
  async getKnowledgePoints(ids: readonly string[]) {
    return this.byIds<KnowledgePoint>("knowledge_points", ids);
  }
  async getItems(ids: readonly string[]) {
    return this.byIds<Item>("items", ids);
  }
  async getItemTemplates(ids: readonly string[]) {
    return this.byIds<ItemTemplate>("item_templates", ids);
  }
  async getMisconceptions(ids: readonly string[]) {
    return this.byIds<Misconception>("misconceptions", ids);
  }
  async getResources(ids: readonly string[]) {
    return this.byIds<Resource>("resources", ids);
  }

  async searchKnowledgePoints(filter: KnowledgePointFilter, page: Page): Promise<{ nodes: KnowledgePoint[]; totalCount: number }> {
    const where = `(@subject IS NULL OR k.subject_id = @subject) AND (@grade IS NULL OR k.grade = @grade)
      AND (@unit IS NULL OR k.unit_id = @unit)
      AND (@text IS NULL OR k.name_zh LIKE @text ESCAPE '\\' OR k.name_en LIKE @text ESCAPE '\\')`;
    const text = filter.text?.trim();
    const params = {
      subject: filter.subjectId ?? null,
      grade: filter.grade ?? null,
      unit: filter.unitId ?? null,
      text: text ? `%${escapeLike(text)}%` : null,
    };
    const totalCount = this.statement(`SELECT count(*) FROM knowledge_points k WHERE ${where}`).pluck().get(params) as number;
    if (totalCount === 0) return { nodes: [], totalCount };
    const nodes = this.docs<KnowledgePoint>(
      `SELECT k.doc FROM knowledge_points k LEFT JOIN units u ON u.key = k.unit_id WHERE ${where}
       ORDER BY k.subject_id, k.grade, u.ord, k.ord, k.key LIMIT @limit OFFSET @offset`,
      { ...params, limit: page.limit, offset: page.offset },
    );
    return { nodes, totalCount };
  }
}
