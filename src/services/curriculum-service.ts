/**
 * Owns the live KnowledgeGraphIndex: built from the store at start, rebuilt after every import,
 * and rebuilt when another process (the CLI, a worker) has imported since (see refreshIfStale).
 * Callers read `index` each time rather than keeping it, because a rebuild replaces it.
 */
import { type ImportOptions, type ImportReport, importValidated, validateCurriculumPath } from "../curriculum/importer.js";
import { KnowledgeGraphIndex } from "../graph/knowledge-graph-index.js";
import type { KnowledgeGraphStore } from "../graph/store.js";
import type { Logger } from "../logger.js";

export class CurriculumService {
  private current: KnowledgeGraphIndex | undefined;
  private revision = -1;

  constructor(
    readonly store: KnowledgeGraphStore,
    private readonly logger: Logger,
  ) {}

  get index(): KnowledgeGraphIndex {
    if (!this.current) throw new Error("the knowledge graph index is not loaded yet");
    return this.current;
  }

  async reloadIndex(): Promise<KnowledgeGraphIndex> {
    const revision = await this.store.curriculum.curriculumRevision();
    const started = performance.now();
    const index = KnowledgeGraphIndex.build(await this.store.curriculum.loadGraphSnapshot());
    this.current = index;
    this.revision = revision;
    this.logger.info(
      { points: index.pointCount, items: index.itemCount, ms: Math.round(performance.now() - started) },
      "knowledge graph index built",
    );
    return index;
  }

  /** Builds the index unless it is already built (e.g. by the import that seeded the store). */
  async ensureIndex(): Promise<KnowledgeGraphIndex> {
    return this.current ?? this.reloadIndex();
  }

  /** Rebuilds the index if the stored curriculum changed since it was built. */
  async refreshIfStale(): Promise<boolean> {
    if ((await this.store.curriculum.curriculumRevision()) === this.revision) return false;
    await this.reloadIndex();
    return true;
  }

  async importPath(path: string, options: ImportOptions = {}): Promise<ImportReport> {
    const validated = await validateCurriculumPath(path, this.store);
    const report = await importValidated(this.store, validated, options);
    if (report.wrote) await this.reloadIndex();
    return report;
  }

  /** Imports the seed curriculum when the store holds no subject yet (first start). */
  async seedIfEmpty(seedPath: string): Promise<ImportReport | undefined> {
    if ((await this.store.curriculum.listSubjects()).length > 0) return undefined;
    this.logger.info({ seedPath }, "empty store: importing the seed curriculum");
    return this.importPath(seedPath);
  }
}
