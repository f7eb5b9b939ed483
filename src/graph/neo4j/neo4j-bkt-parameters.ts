/** The BKT parameter half of the Neo4j store; statements come from ./cypher.ts (CYPHER.bkt) only. */
import type { ManagedTransaction } from "neo4j-driver";
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
import { CYPHER } from "./cypher.js";
import { WRITE_BATCH_SIZE } from "./neo4j-curriculum.js";
import { Neo4jSubStore } from "./neo4j-sub-store.js";

interface SetRow {
  id: string;
  variant: BktVariant;
  fittedAt: string;
  savedAt: string;
  createdBy: string;
  activation: number | null;
  activatedAt: string | null;
  record: string;
  pointCount: number;
  currentPointCount: number;
}

interface PointRow {
  knowledgePointId: string;
  prior: number;
  learn: number;
  forget: number;
  slip: number;
  guess: number;
  items: string | null;
  itemLearn: string | null;
}

function toRecord(row: SetRow): BktParameterSetRecord {
  const doc = JSON.parse(row.record) as ParameterSetDoc;
  return {
    id: row.id,
    variant: row.variant,
    fittedAt: row.fittedAt,
    savedAt: row.savedAt,
    createdBy: row.createdBy,
    ...doc,
    ...(row.activation !== null ? { activation: Number(row.activation) } : {}),
    ...(row.activatedAt !== null ? { activatedAt: row.activatedAt } : {}),
    pointCount: Number(row.pointCount),
    currentPointCount: Number(row.currentPointCount),
  };
}

function toPoint(row: PointRow): BktPointParameters {
  return {
    knowledgePointId: row.knowledgePointId,
    prior: row.prior,
    learn: row.learn,
    forget: row.forget,
    slip: row.slip,
    guess: row.guess,
    ...parseItemsJson(row.items, row.itemLearn),
  };
}

export class Neo4jBktParameterStore extends Neo4jSubStore implements BktParameterStore {
  /** Read back inside the writing transaction, so a cluster's lagging secondary cannot answer it. */
  private async setIn(tx: ManagedTransaction, id: string): Promise<BktParameterSetRecord> {
    const result = await tx.run(CYPHER.bkt.sets, { id });
    const record = result.records[0];
    if (!record) throw new Error(`unknown BKT parameter set: ${id}`);
    return toRecord(record.toObject() as SetRow);
  }

  private async activateIn(tx: ManagedTransaction, id: string): Promise<void> {
    const result = await tx.run(CYPHER.bkt.activate, { id, activatedAt: new Date().toISOString() });
    if (result.records.length === 0) throw new Error(`unknown BKT parameter set: ${id}`);
  }

  async saveParameterSet(set: NewBktParameterSet, options: { activate?: boolean } = {}): Promise<BktParameterSetRecord> {
    validateParameterSet(set);
    const id = set.id ?? newParameterSetId();
    const savedAt = new Date().toISOString();
    const rows = set.points.map((point) => ({
      knowledgePointId: point.knowledgePointId,
      prior: point.prior,
      learn: point.learn,
      forget: point.forget,
      slip: point.slip,
      guess: point.guess,
      ...itemsJson(point),
    }));
    return this.write(async (tx) => {
      if ((await tx.run(CYPHER.bkt.exists, { id })).records.length > 0) {
        throw new Error(`a BKT parameter set with id ${id} already exists; sets are never overwritten`);
      }
      await tx.run(CYPHER.bkt.createSet, {
        id,
        variant: set.variant,
        fittedAt: set.fittedAt,
        savedAt,
        createdBy: set.createdBy,
        record: parameterSetDoc(set),
      });
      for (let start = 0; start < rows.length; start += WRITE_BATCH_SIZE) {
        await tx.run(CYPHER.bkt.createPoints, { id, rows: rows.slice(start, start + WRITE_BATCH_SIZE) });
      }
      if (options.activate ?? true) await this.activateIn(tx, id);
      return this.setIn(tx, id);
    });
  }

  async activateParameterSet(id: string): Promise<BktParameterSetRecord> {
    return this.write(async (tx) => {
      await this.activateIn(tx, id);
      return this.setIn(tx, id);
    });
  }

  async currentParameters(knowledgePointIds: readonly string[]): Promise<(CurrentBktParameters | undefined)[]> {
    if (knowledgePointIds.length === 0) return [];
    const rows = await this.read<PointRow & { setId: string; variant: BktVariant; fittedAt: string; activatedAt: string }>(
      CYPHER.bkt.current,
      { ids: [...new Set(knowledgePointIds)] },
    );
    const found = new Map(
      rows.map((row) => [
        row.knowledgePointId,
        { ...toPoint(row), setId: row.setId, variant: row.variant, fittedAt: row.fittedAt, activatedAt: row.activatedAt },
      ]),
    );
    return knowledgePointIds.map((id) => found.get(id));
  }

  async listParameterSets(): Promise<BktParameterSetRecord[]> {
    return (await this.read<SetRow>(CYPHER.bkt.sets, { id: null })).map(toRecord);
  }

  async getParameterSet(id: string): Promise<BktParameterSetRecord | undefined> {
    const [row] = await this.read<SetRow>(CYPHER.bkt.sets, { id });
    return row ? toRecord(row) : undefined;
  }

  async parameterHistory(knowledgePointId: string): Promise<BktParameterHistoryEntry[]> {
    const rows = await this.read<
      PointRow & {
        setId: string;
        variant: BktVariant;
        fittedAt: string;
        savedAt: string;
        activation: number | null;
        activatedAt: string | null;
      }
    >(CYPHER.bkt.history, { knowledgePointId });
    const latest = Math.max(0, ...rows.map((row) => Number(row.activation ?? 0)));
    return rows.map((row) => ({
      ...toPoint(row),
      setId: row.setId,
      variant: row.variant,
      fittedAt: row.fittedAt,
      savedAt: row.savedAt,
      ...(row.activatedAt !== null ? { activatedAt: row.activatedAt } : {}),
      current: row.activation !== null && Number(row.activation) === latest,
    }));
  }

  async parameterRevision(): Promise<number> {
    const [row] = await this.read<{ revision: number }>(CYPHER.bkt.revision);
    return Number(row?.revision ?? 0);
  }
}
