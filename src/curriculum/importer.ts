/**
 * Curriculum import: validate everything, compare with what is stored by content hash, then
 * write the difference in one atomic change set. Re-importing the same files writes nothing
 * and reports everything unchanged.
 */
import type {
  CurriculumChangeSet,
  CurriculumFingerprints,
  CurriculumRow,
  ImportCounts,
  ImportSummary,
  KnowledgeGraphStore,
} from "../graph/store.js";
import { type CurriculumIssue, CurriculumValidationError } from "./errors.js";
import { loadPackages, type SourcePackage } from "./load.js";
import { CURRICULUM_KINDS, type CurriculumData, type CurriculumKind, entityKey } from "./model.js";
import { type CurriculumWarning, type ValidatedCurriculum, type ValidationContext, validatePackages } from "./validate.js";

/**
 * The content hash of an entity's JSON: 53 bits from two multiplicative 32-bit lanes. It only has
 * to tell two versions of the same entity apart (a chance of 2^-53 of missing a change), and it
 * is several times faster than a cryptographic hash on a 100,000-item import. The normalizer
 * builds every entity with a fixed key order, so equal content always serialises equally.
 */
export function contentHash(json: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

export interface ImportReport extends ImportSummary {
  subjects: string[];
  warnings: CurriculumWarning[];
  dryRun: boolean;
  /** Entities added, changed or removed (0 when the store already matches the files). */
  changeCount: number;
  /** Whether anything was written. */
  wrote: boolean;
}

const zeroCounts = (): ImportCounts => Object.fromEntries(CURRICULUM_KINDS.map((k) => [k, 0])) as ImportCounts;

/** What the store already holds for subjects outside the import, for cross-subject references. */
async function validationContext(store: KnowledgeGraphStore, importedSubjects: Set<string>): Promise<ValidationContext> {
  const snapshot = await store.curriculum.loadGraphSnapshot();
  const external = new Map<string, { subjectId: string; grade: number }>();
  for (const point of snapshot.knowledgePoints) {
    if (!importedSubjects.has(point.subjectId)) external.set(point.id, { subjectId: point.subjectId, grade: point.grade });
  }
  return {
    externalKnowledgePoints: external,
    externalPrerequisites: snapshot.prerequisites.filter((e) => external.has(e.toId)),
  };
}

/** Subjects the packages declare, read before validation so the store context can exclude them. */
function declaredSubjects(packages: SourcePackage[]): Set<string> {
  const ids = new Set<string>();
  for (const pkg of packages) {
    for (const file of pkg.files) {
      const subject = (file.content as { subject?: { id?: unknown } } | null)?.subject;
      if (subject && typeof subject.id === "string") ids.add(subject.id);
    }
  }
  return ids;
}

/** Loads and validates the curriculum at `path` against what the store holds. Throws CurriculumValidationError. */
export async function validateCurriculumPath(path: string, store?: KnowledgeGraphStore): Promise<ValidatedCurriculum> {
  const { packages, issues } = loadPackages(path);
  if (issues.length > 0) throw new CurriculumValidationError(issues);
  const context = store ? await validationContext(store, declaredSubjects(packages)) : {};
  return validatePackages(packages, context);
}

export function planChanges(validated: ValidatedCurriculum, stored: CurriculumFingerprints, importedAt: string): CurriculumChangeSet {
  const subjects = new Set(validated.subjectIds);
  const subjectOfPoint = new Map(validated.data.knowledgePoints.map((k) => [k.id, k.subjectId]));
  const upserts = {} as CurriculumChangeSet["upserts"];
  const removals = {} as CurriculumChangeSet["removals"];
  const summary: ImportSummary = { added: zeroCounts(), changed: zeroCounts(), removed: zeroCounts(), unchanged: zeroCounts() };
  const conflicts: CurriculumIssue[] = [];

  for (const kind of CURRICULUM_KINDS) {
    const existing = stored[kind];
    const seen = new Set<string>();
    const rows: CurriculumRow<CurriculumKind>[] = [];
    for (const entity of validated.data[kind] as CurriculumData[CurriculumKind][number][]) {
      const key = entityKey(kind, entity);
      const subjectId =
        kind === "subjects"
          ? key
          : kind === "prerequisites"
            ? (subjectOfPoint.get((entity as { toId: string }).toId) as string)
            : (entity as { subjectId: string }).subjectId;
      seen.add(key);
      const doc = JSON.stringify(entity);
      const hash = contentHash(doc);
      const before = existing.get(key);
      if (before && before.subjectId !== subjectId && !subjects.has(before.subjectId)) {
        conflicts.push({
          code: "DUPLICATE_ID",
          message: `"${key}" already belongs to subject "${before.subjectId}", which this import does not replace`,
          file: "",
          path: kind,
          id: key,
        });
        continue;
      }
      if (!before) summary.added[kind]++;
      else if (before.hash !== hash || before.subjectId !== subjectId) summary.changed[kind]++;
      else {
        summary.unchanged[kind]++;
        continue;
      }
      rows.push({ key, subjectId, hash, entity, doc, isNew: !before });
    }
    (upserts as Record<CurriculumKind, CurriculumRow<CurriculumKind>[]>)[kind] = rows;
    removals[kind] = [];
    for (const [key, { subjectId }] of existing) {
      if (subjects.has(subjectId) && !seen.has(key)) {
        removals[kind].push(key);
        summary.removed[kind]++;
      }
    }
  }
  if (conflicts.length > 0) throw new CurriculumValidationError(conflicts);
  return {
    subjectIds: [...subjects],
    upserts,
    removals,
    record: {
      importedAt,
      subjects: validated.data.subjects.map((s) => ({ id: s.id, ...(s.version ? { version: s.version } : {}) })),
      summary,
    },
  };
}

/** Prerequisite edges of other subjects that point at knowledge points this import removes. */
async function brokenByRemovals(store: KnowledgeGraphStore, changes: CurriculumChangeSet): Promise<CurriculumIssue[]> {
  const removed = new Set(changes.removals.knowledgePoints);
  if (removed.size === 0) return [];
  const snapshot = await store.curriculum.loadGraphSnapshot();
  const subjectOfPoint = new Map(snapshot.knowledgePoints.map((k) => [k.id, k.subjectId]));
  const importing = new Set(changes.subjectIds);
  return snapshot.prerequisites
    .filter((edge) => removed.has(edge.fromId) && !importing.has(subjectOfPoint.get(edge.toId) ?? ""))
    .map((edge) => ({
      code: "REMOVAL_BREAKS_REFERENCE" as const,
      message: `cannot remove knowledge point "${edge.fromId}": "${edge.toId}" (subject ${subjectOfPoint.get(edge.toId)}) lists it as a prerequisite`,
      file: "",
      path: "knowledgePoints",
      id: edge.fromId,
    }));
}

export interface ImportOptions {
  dryRun?: boolean;
  now?: () => Date;
}

/** Validates, diffs and writes the curriculum at `path`. Nothing is written if anything is wrong. */
export async function importCurriculum(store: KnowledgeGraphStore, path: string, options: ImportOptions = {}): Promise<ImportReport> {
  const validated = await validateCurriculumPath(path, store);
  return importValidated(store, validated, options);
}

export async function importValidated(
  store: KnowledgeGraphStore,
  validated: ValidatedCurriculum,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const changes = planChanges(validated, await store.curriculum.curriculumFingerprints(), (options.now?.() ?? new Date()).toISOString());
  const broken = await brokenByRemovals(store, changes);
  if (broken.length > 0) throw new CurriculumValidationError(broken);
  const total = (counts: ImportCounts) => Object.values(counts).reduce((a, b) => a + b, 0);
  const { added, changed, removed } = changes.record.summary;
  const changeCount = total(added) + total(changed) + total(removed);
  const write = !options.dryRun && changeCount > 0;
  if (write) await store.curriculum.applyCurriculumChanges(changes);
  return {
    ...changes.record.summary,
    subjects: changes.subjectIds,
    warnings: validated.warnings,
    dryRun: options.dryRun ?? false,
    changeCount,
    wrote: write,
  };
}
