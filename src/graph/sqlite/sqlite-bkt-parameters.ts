/** The BKT parameter half of the SQLite store: tables bkt_parameter_sets and bkt_parameters (migration 2). */
import type Database from "better-sqlite3";
import type { BktVariant } from "../../bkt/parameters.js";
import {
  itemsJson,
  newParameterSetId,
  type ParameterSetDoc,
  parameterSetDoc,
  parseItemsJson,
  validateParameterSet,
} from "../bkt-parameter-set.js";
import type {
  BktParameterHistoryEntry,
  BktParameterSetRecord,
  BktParameterStore,
  BktPointParameters,
  CurrentBktParameters,
  NewBktParameterSet,
} from "../store.js";

interface SetRow {
  id: string;
  variant: BktVariant;
  fitted_at: string;
  saved_at: string;
  created_by: string;
  activation: number | null;
  activated_at: string | null;
  record: string;
  point_count: number;
  current_count: number;
}

interface PointRow {
  knowledge_point_id: string;
  prior: number;
  learn: number;
  forget: number;
  slip: number;
  guess: number;
  items: string | null;
  item_learn: string | null;
}

/** Sets with their point counts; "current" = no later-activated set has the same point. */
const SELECT_SETS = `
  SELECT s.id, s.variant, s.fitted_at, s.saved_at, s.created_by, s.activation, s.activated_at, s.record,
    (SELECT count(*) FROM bkt_parameters p WHERE p.set_id = s.id) AS point_count,
    CASE WHEN s.activation IS NULL THEN 0 ELSE (
      SELECT count(*) FROM bkt_parameters p
      WHERE p.set_id = s.id AND NOT EXISTS (
        SELECT 1 FROM bkt_parameters q JOIN bkt_parameter_sets t ON t.id = q.set_id
        WHERE q.knowledge_point_id = p.knowledge_point_id AND t.activation > s.activation)
    ) END AS current_count
  FROM bkt_parameter_sets s`;

function toRecord(row: SetRow): BktParameterSetRecord {
  const doc = JSON.parse(row.record) as ParameterSetDoc;
  return {
    id: row.id,
    variant: row.variant,
    fittedAt: row.fitted_at,
    savedAt: row.saved_at,
    createdBy: row.created_by,
    ...doc,
    ...(row.activation !== null ? { activation: row.activation } : {}),
    ...(row.activated_at !== null ? { activatedAt: row.activated_at } : {}),
    pointCount: row.point_count,
    currentPointCount: row.current_count,
  };
}

function toPoint(row: PointRow): BktPointParameters {
  return {
    knowledgePointId: row.knowledge_point_id,
    prior: row.prior,
    learn: row.learn,
    forget: row.forget,
    slip: row.slip,
    guess: row.guess,
    ...parseItemsJson(row.items, row.item_learn),
  };
}

export class SqliteBktParameterStore implements BktParameterStore {
  constructor(private readonly db: Database.Database) {}

  async saveParameterSet(set: NewBktParameterSet, options: { activate?: boolean } = {}): Promise<BktParameterSetRecord> {
    validateParameterSet(set);
    const id = set.id ?? newParameterSetId();
    const save = this.db.transaction(() => {
      if (this.db.prepare("SELECT 1 FROM bkt_parameter_sets WHERE id = ?").get(id)) {
        throw new Error(`a BKT parameter set with id ${id} already exists; sets are never overwritten`);
      }
      this.db
        .prepare(
          `INSERT INTO bkt_parameter_sets (id, variant, fitted_at, saved_at, created_by, record)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(id, set.variant, set.fittedAt, new Date().toISOString(), set.createdBy, parameterSetDoc(set));
      const insert = this.db.prepare(
        `INSERT INTO bkt_parameters (set_id, knowledge_point_id, prior, learn, forget, slip, guess, items, item_learn)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const point of set.points) {
        const json = itemsJson(point);
        insert.run(id, point.knowledgePointId, point.prior, point.learn, point.forget, point.slip, point.guess, json.items, json.itemLearn);
      }
      if (options.activate ?? true) this.activate(id);
    });
    save.immediate();
    return this.requireSet(id);
  }

  async activateParameterSet(id: string): Promise<BktParameterSetRecord> {
    this.db.transaction(() => this.activate(id)).immediate();
    return this.requireSet(id);
  }

  /** Inside a write transaction: the set gets the next activation number. */
  private activate(id: string): void {
    const changed = this.db
      .prepare(
        `UPDATE bkt_parameter_sets
         SET activation = (SELECT coalesce(max(activation), 0) + 1 FROM bkt_parameter_sets), activated_at = ?
         WHERE id = ?`,
      )
      .run(new Date().toISOString(), id).changes;
    if (changed === 0) throw new Error(`unknown BKT parameter set: ${id}`);
  }

  private requireSet(id: string): BktParameterSetRecord {
    const row = this.db.prepare(`${SELECT_SETS} WHERE s.id = ?`).get(id) as SetRow | undefined;
    if (!row) throw new Error(`unknown BKT parameter set: ${id}`);
    return toRecord(row);
  }

  async currentParameters(knowledgePointIds: readonly string[]): Promise<(CurrentBktParameters | undefined)[]> {
    if (knowledgePointIds.length === 0) return [];
    const rows = this.db
      .prepare(
        `WITH ranked AS (
           SELECT p.*, s.id AS set_id, s.variant, s.fitted_at, s.activated_at,
                  row_number() OVER (PARTITION BY p.knowledge_point_id ORDER BY s.activation DESC) AS rank
           FROM bkt_parameters p JOIN bkt_parameter_sets s ON s.id = p.set_id
           WHERE p.knowledge_point_id IN (SELECT value FROM json_each(?)) AND s.activation IS NOT NULL)
         SELECT * FROM ranked WHERE rank = 1`,
      )
      .all(JSON.stringify(knowledgePointIds)) as (PointRow & {
      set_id: string;
      variant: BktVariant;
      fitted_at: string;
      activated_at: string;
    })[];
    const found = new Map(
      rows.map((row) => [
        row.knowledge_point_id,
        { ...toPoint(row), setId: row.set_id, variant: row.variant, fittedAt: row.fitted_at, activatedAt: row.activated_at },
      ]),
    );
    return knowledgePointIds.map((id) => found.get(id));
  }

  async listParameterSets(): Promise<BktParameterSetRecord[]> {
    return (this.db.prepare(`${SELECT_SETS} ORDER BY s.seq DESC`).all() as SetRow[]).map(toRecord);
  }

  async getParameterSet(id: string): Promise<BktParameterSetRecord | undefined> {
    const row = this.db.prepare(`${SELECT_SETS} WHERE s.id = ?`).get(id) as SetRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  async parameterHistory(knowledgePointId: string): Promise<BktParameterHistoryEntry[]> {
    const rows = this.db
      .prepare(
        `SELECT p.*, s.variant, s.fitted_at, s.saved_at, s.activation, s.activated_at
         FROM bkt_parameters p JOIN bkt_parameter_sets s ON s.id = p.set_id
         WHERE p.knowledge_point_id = ? ORDER BY s.seq DESC`,
      )
      .all(knowledgePointId) as (PointRow & {
      set_id: string;
      variant: BktVariant;
      fitted_at: string;
      saved_at: string;
      activation: number | null;
      activated_at: string | null;
    })[];
    const latest = Math.max(0, ...rows.map((row) => row.activation ?? 0));
    return rows.map((row) => ({
      ...toPoint(row),
      setId: row.set_id,
      variant: row.variant,
      fittedAt: row.fitted_at,
      savedAt: row.saved_at,
      ...(row.activated_at !== null ? { activatedAt: row.activated_at } : {}),
      current: row.activation !== null && row.activation === latest,
    }));
  }

  async parameterRevision(): Promise<number> {
    return (this.db.prepare("SELECT coalesce(max(activation), 0) FROM bkt_parameter_sets").pluck().get() as number) ?? 0;
  }
}
