/**
 * The BKT parameters the product uses, per knowledge point: the current fitted ones (the most
 * recently activated parameter set that has the point), or DEFAULT_PARAMETERS for a point never
 * fitted. Online mastery updates (submitAnswer) ask `parametersFor`; answers are cached in memory
 * and dropped whenever this service saves or activates a set, or `refreshIfStale` notices that
 * another process (`pathwise bkt publish`, a refit job) activated one.
 */
import { statSync } from "node:fs";
import { basename, resolve } from "node:path";
import { readModelFile } from "../bkt/model-file.js";
import { DEFAULT_PARAMETERS, isDegenerate } from "../bkt/parameters.js";
import type {
  BktFitSummary,
  BktParameterSetRecord,
  BktParameterSource,
  BktPointParameters,
  CurrentBktParameters,
  KnowledgeGraphStore,
  NewBktParameterSet,
} from "../graph/store.js";
import type { Logger } from "../logger.js";

export type MasteryParameters = (CurrentBktParameters & { source: "fitted" }) | (BktPointParameters & { source: "default" });

export interface PublishOptions {
  /** Make the set current for its points (default true). */
  activate?: boolean;
}

export interface ImportParameterFileOptions extends PublishOptions {
  /** Who publishes: a user or job name. Default "unknown". */
  createdBy?: string;
  /** Evaluation or cross-validation output (`bkt evaluate` / `bkt crossvalidate`) to keep with the set. */
  metrics?: Record<string, unknown>;
  /** Describes the data when params.json does not name it (fit.data.file). */
  dataDescription?: string;
}

export interface PublishReport {
  set: BktParameterSetRecord;
  /** Points of the set that are curriculum knowledge points. */
  matched: string[];
  /** Points the curriculum does not have (fitted on external data): stored all the same. */
  unknown: string[];
  warnings: string[];
}

const asNumber = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value : undefined);
const asObject = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** The `fit` block of params.json (written by `bkt fit`) as provenance. */
export function provenanceFromFit(
  fit: Record<string, unknown> | undefined,
  paramsFile: string,
  dataDescription?: string,
): { fittedAt?: string; source: BktParameterSource; fit: BktFitSummary } {
  const report = asObject(fit);
  const data = asObject(report.data);
  const file = typeof data.file === "string" && data.file !== "" ? data.file : undefined;
  const rows = asNumber(data.rows) ?? asNumber(report.rows);
  const students = asNumber(data.students);
  const warnings = Array.isArray(report.warnings) ? report.warnings.length : (asNumber(report.warnings) ?? 0);
  const logLikelihood = asNumber(report.logLikelihood);
  const iterations = asNumber(report.iterations);
  const fittedAt = typeof report.fittedAt === "string" && !Number.isNaN(Date.parse(report.fittedAt)) ? report.fittedAt : undefined;
  return {
    ...(fittedAt ? { fittedAt } : {}),
    source: {
      data: dataDescription ?? file ?? `not recorded in ${basename(paramsFile)}`,
      ...(rows !== undefined ? { rows } : {}),
      ...(students !== undefined ? { students } : {}),
      paramsFile: resolve(paramsFile),
    },
    fit: {
      ...(logLikelihood !== undefined ? { logLikelihood } : {}),
      ...(iterations !== undefined ? { iterations } : {}),
      warnings,
    },
  };
}

export class MasteryModelService {
  private readonly cache = new Map<string, Promise<MasteryParameters>>();
  private revision = -1;

  constructor(
    readonly store: KnowledgeGraphStore,
    private readonly logger: Logger,
  ) {}

  /** The parameters to update a knowledge point's mastery with. */
  async parametersFor(knowledgePointId: string): Promise<MasteryParameters> {
    return (await this.parametersForMany([knowledgePointId]))[0] as MasteryParameters;
  }

  /** The same for several points (an item assessing several), in the order asked, in one store read. */
  async parametersForMany(knowledgePointIds: readonly string[]): Promise<MasteryParameters[]> {
    const missing = [...new Set(knowledgePointIds.filter((id) => !this.cache.has(id)))];
    if (missing.length > 0) {
      const fetched = this.store.bktParameters.currentParameters(missing);
      for (const [i, id] of missing.entries()) {
        const entry = fetched.then((rows) => {
          const current = rows[i];
          return current
            ? { ...current, source: "fitted" as const }
            : { knowledgePointId: id, ...DEFAULT_PARAMETERS, source: "default" as const };
        });
        this.cache.set(id, entry);
        // A failed read is not cached: the next call asks the store again.
        entry.catch(() => {
          if (this.cache.get(id) === entry) this.cache.delete(id);
        });
      }
    }
    return Promise.all(knowledgePointIds.map((id) => this.cache.get(id) as Promise<MasteryParameters>));
  }

  /** Drops every cached answer. */
  invalidate(): void {
    this.cache.clear();
  }

  /** Drops the cache if any process activated a parameter set since the last check; true if it did. */
  async refreshIfStale(): Promise<boolean> {
    const revision = await this.store.bktParameters.parameterRevision();
    if (revision === this.revision) return false;
    this.revision = revision;
    this.invalidate();
    return true;
  }

  /** Saves (and by default activates) a set, then reports how its points match the curriculum. */
  async publish(set: NewBktParameterSet, options: PublishOptions = {}): Promise<PublishReport> {
    const saved = await this.store.bktParameters.saveParameterSet(set, { activate: options.activate ?? true });
    this.invalidate();
    const ids = set.points.map((p) => p.knowledgePointId);
    const found = await this.store.curriculum.getKnowledgePoints(ids);
    const matched = ids.filter((_, i) => found[i] !== undefined);
    const unknown = ids.filter((_, i) => found[i] === undefined);
    const warnings: string[] = [];
    const degenerate = set.points.filter((p) => isDegenerate(p)).map((p) => p.knowledgePointId);
    if (degenerate.length > 0) {
      warnings.push(`${degenerate.length} point(s) have slip + guess ≥ 1, so a correct answer lowers mastery: ${degenerate.join(", ")}`);
    }
    if (unknown.length > 0) {
      // Reported to the caller in `unknown`; a log line at info keeps command output readable.
      this.logger.info({ setId: saved.id, unknown: unknown.length }, "parameter set has knowledge points the curriculum does not have");
    }
    this.logger.info({ setId: saved.id, points: ids.length, activated: saved.activation !== undefined }, "BKT parameter set saved");
    return { set: saved, matched, unknown, warnings };
  }

  async activate(id: string): Promise<BktParameterSetRecord> {
    const set = await this.store.bktParameters.activateParameterSet(id);
    this.invalidate();
    this.logger.info({ setId: id }, "BKT parameter set activated");
    return set;
  }

  /**
   * Publishes a params.json written by `pathwise bkt fit` (or another tool writing the same
   * format): its skills are knowledge point ids, its `fit` block becomes the set's provenance.
   */
  async importParameterFile(path: string, options: ImportParameterFileOptions = {}): Promise<PublishReport> {
    const model = readModelFile(path);
    const provenance = provenanceFromFit(model.fit, path, options.dataDescription);
    const warnings: string[] = [];
    let fittedAt = provenance.fittedAt;
    if (!fittedAt) {
      fittedAt = statSync(path).mtime.toISOString();
      warnings.push(`${basename(path)} has no fit.fittedAt; used the file's modification time`);
    }
    const report = await this.publish(
      {
        variant: model.variant,
        fittedAt,
        source: provenance.source,
        fit: provenance.fit,
        ...(options.metrics ? { metrics: options.metrics } : {}),
        createdBy: options.createdBy ?? "unknown",
        points: Object.entries(model.skills).map(([knowledgePointId, skill]) => ({ knowledgePointId, ...skill })),
      },
      { activate: options.activate ?? true },
    );
    return { ...report, warnings: [...warnings, ...report.warnings] };
  }
}
