/**
 * What both backends do the same way for BKT parameter sets: validation before any write, set ids,
 * and the JSON provenance record stored beside the queried columns/properties.
 */
import { randomBytes } from "node:crypto";
import { isBktVariant } from "../bkt/parameters.js";
import type { BktPointParameters, NewBktParameterSet } from "./store.js";

/** Problems listed in the message; the error's `issues` keeps all of them. */
const ISSUES_IN_MESSAGE = 5;

export class InvalidBktParameterSetError extends Error {
  constructor(readonly issues: string[]) {
    const shown = issues.slice(0, ISSUES_IN_MESSAGE).join("; ");
    const more = issues.length > ISSUES_IN_MESSAGE ? ` (and ${issues.length - ISSUES_IN_MESSAGE} more)` : "";
    super(`invalid BKT parameter set: ${shown}${more}`);
    this.name = "InvalidBktParameterSetError";
  }
}

const isProbability = (value: unknown): value is number => typeof value === "number" && value >= 0 && value <= 1;

function checkPoint(point: BktPointParameters, issues: string[]): void {
  const where = `knowledge point ${JSON.stringify(point.knowledgePointId)}`;
  for (const key of ["prior", "learn", "forget", "slip", "guess"] as const) {
    if (!isProbability(point[key])) issues.push(`${where}: ${key} must be a probability in [0, 1], got ${String(point[key])}`);
  }
  for (const [item, values] of Object.entries(point.items ?? {})) {
    for (const key of ["guess", "slip"] as const) {
      if (!isProbability(values?.[key]))
        issues.push(`${where}: items.${item}.${key} must be a probability in [0, 1], got ${String(values?.[key])}`);
    }
  }
  for (const [item, learn] of Object.entries(point.itemLearn ?? {})) {
    if (!isProbability(learn)) issues.push(`${where}: itemLearn.${item} must be a probability in [0, 1], got ${String(learn)}`);
  }
}

/** Throws InvalidBktParameterSetError listing every problem; callers write only after it passed. */
export function validateParameterSet(set: NewBktParameterSet): void {
  const issues: string[] = [];
  if (set.id !== undefined && !/^[\w.:-]{1,200}$/.test(set.id))
    issues.push(`id must be 1–200 letters, digits, '.', ':', '_' or '-', got ${JSON.stringify(set.id)}`);
  if (!isBktVariant(String(set.variant))) issues.push(`unknown variant ${JSON.stringify(set.variant)}`);
  if (typeof set.fittedAt !== "string" || Number.isNaN(Date.parse(set.fittedAt)))
    issues.push(`fittedAt must be a date, got ${JSON.stringify(set.fittedAt)}`);
  if (!set.source || typeof set.source.data !== "string" || set.source.data === "")
    issues.push("source.data must name or describe the data");
  if (typeof set.createdBy !== "string" || set.createdBy === "") issues.push("createdBy must not be empty");
  if (set.points.length === 0) issues.push("a parameter set needs at least one knowledge point");
  const seen = new Set<string>();
  for (const point of set.points) {
    if (typeof point.knowledgePointId !== "string" || point.knowledgePointId === "") {
      issues.push("a knowledge point id must not be empty");
      continue;
    }
    if (seen.has(point.knowledgePointId)) issues.push(`knowledge point ${JSON.stringify(point.knowledgePointId)} appears more than once`);
    seen.add(point.knowledgePointId);
    checkPoint(point, issues);
  }
  if (issues.length > 0) throw new InvalidBktParameterSetError(issues);
}

/** `bkt-20260501T120000Z-3f9a1c`: sorts by creation time, random enough never to repeat. */
export function newParameterSetId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replace(/[-:]/g, "");
  return `bkt-${stamp}-${randomBytes(3).toString("hex")}`;
}

/** The provenance that is stored as one JSON record: only the queried fields are columns/properties. */
export interface ParameterSetDoc {
  source: NewBktParameterSet["source"];
  fit: NewBktParameterSet["fit"];
  metrics?: Record<string, unknown>;
}

export function parameterSetDoc(set: NewBktParameterSet): string {
  const doc: ParameterSetDoc = { source: set.source, fit: set.fit, ...(set.metrics ? { metrics: set.metrics } : {}) };
  return JSON.stringify(doc);
}

/** Per-item values are stored as JSON text (a Neo4j property cannot hold a map); null when absent. */
export function itemsJson(point: BktPointParameters): { items: string | null; itemLearn: string | null } {
  return {
    items: point.items ? JSON.stringify(point.items) : null,
    itemLearn: point.itemLearn ? JSON.stringify(point.itemLearn) : null,
  };
}

/** The inverse of itemsJson, leaving absent values out. */
export function parseItemsJson(
  items: string | null | undefined,
  itemLearn: string | null | undefined,
): Pick<BktPointParameters, "items" | "itemLearn"> {
  return {
    ...(items ? { items: JSON.parse(items) as NonNullable<BktPointParameters["items"]> } : {}),
    ...(itemLearn ? { itemLearn: JSON.parse(itemLearn) as NonNullable<BktPointParameters["itemLearn"]> } : {}),
  };
}
