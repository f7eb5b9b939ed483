/**
 * Turns parsed curriculum files into the normalized model, or reports every problem at once:
 * schema errors, duplicate ids, dangling references, prerequisite cycles (with the cycle),
 * answers naming no option, unknown misconceptions and templates that cannot be expanded.
 * Nothing is written anywhere until this has passed, which keeps imports all-or-nothing.
 */
import type { z } from "zod";
import { type CurriculumIssue, type CurriculumIssueCode, CurriculumValidationError, formatPath } from "./errors.js";
import { parseCurriculumFile } from "./fast-parse.js";
import { CURRICULUM_FORMAT, type CurriculumFileSpec, type ItemOptionSpecT, type ItemSpecT, type LocalizedTextSpec } from "./format.js";
import type { SourceFile, SourcePackage } from "./load.js";
import { isManifestFile } from "./load.js";
import {
  type CurriculumData,
  emptyCurriculum,
  type Item,
  type ItemKnowledgePoint,
  type ItemOption,
  type ItemTemplate,
  type KnowledgePoint,
  type LocalizedText,
  type Prerequisite,
} from "./model.js";
import { expandTemplate, TemplateError } from "./templates/expand.js";

export interface ValidationContext {
  /** Knowledge points already stored for subjects outside this import (cross-subject prerequisites may name them). */
  externalKnowledgePoints?: ReadonlyMap<string, { subjectId: string; grade: number }>;
  /** Prerequisite edges already stored that involve those points, so a cycle through them is caught too. */
  externalPrerequisites?: readonly Prerequisite[];
}

export interface CurriculumWarning {
  message: string;
  file: string;
  path: string;
  id?: string;
}

export interface ValidatedCurriculum {
  data: CurriculumData;
  warnings: CurriculumWarning[];
  /** Subjects this import defines; the store replaces exactly these. */
  subjectIds: string[];
}

interface Origin {
  source: SourceFile;
  path: (string | number)[];
  id?: string;
}

class IssueCollector {
  readonly issues: CurriculumIssue[] = [];
  readonly warnings: CurriculumWarning[] = [];

  add(code: CurriculumIssueCode, origin: Origin, message: string, subPath: (string | number)[] = []): void {
    const path = [...origin.path, ...subPath];
    const position = origin.source.locate(path);
    this.issues.push({
      code,
      message,
      file: origin.source.file,
      path: formatPath(path),
      ...(position ? { line: position.line, column: position.column } : {}),
      ...(origin.id ? { id: origin.id } : {}),
    });
  }

  warn(origin: Origin, message: string): void {
    this.warnings.push({ message, file: origin.source.file, path: formatPath(origin.path), ...(origin.id ? { id: origin.id } : {}) });
  }
}

/** The id of the innermost entity on a path, to name it in a schema error. */
function entityIdAlong(content: unknown, path: readonly PropertyKey[]): string | undefined {
  let node = content;
  let found: string | undefined;
  for (const key of path) {
    if (node === null || typeof node !== "object") break;
    node = (node as Record<PropertyKey, unknown>)[key];
    const id = node && typeof node === "object" ? (node as { id?: unknown }).id : undefined;
    if (typeof id === "string") found = id;
  }
  return found;
}

function valueAt(content: unknown, path: readonly PropertyKey[]): unknown {
  let node = content;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function schemaIssues(source: SourceFile, error: z.ZodError, collector: IssueCollector): void {
  for (const issue of error.issues) {
    const path = issue.path as (string | number)[];
    const missing = issue.code === "invalid_type" && valueAt(source.content, path) === undefined;
    const id = entityIdAlong(source.content, path);
    let message = missing ? `${String(path.at(-1))} is required` : issue.message;
    const parent = valueAt(source.content, path);
    if (issue.code === "unrecognized_keys" && parent && typeof parent === "object" && "zh" in parent && "en" in parent) {
      message += " — an unquoted comma inside { zh: …, en: … } ends the text; quote it or use block style";
    }
    collector.add("INVALID_VALUE", { source, path, ...(id ? { id } : {}) }, message);
  }
}

/**
 * Localized text in the normalized key order (zh, en). A parsed text object holds exactly those
 * two keys (the schema is strict), so one already in that order is used as it is, which saves
 * copying a few hundred thousand small objects on a large import. Nothing mutates entities.
 */
function text(value: LocalizedTextSpec): LocalizedText {
  for (const key in value) return key === "zh" ? value : { zh: value.zh, en: value.en };
  return { zh: value.zh, en: value.en };
}
const optionalText = (value: LocalizedTextSpec | undefined) => (value ? text(value) : undefined);

function normalizeKnowledgePointRefs(refs: (string | { id: string; weight?: number })[]): ItemKnowledgePoint[] {
  return refs.map((ref) => (typeof ref === "string" ? { id: ref, weight: 1 } : { id: ref.id, weight: ref.weight ?? 1 }));
}

function withOptional<T extends object, K extends string, V>(target: T, key: K, value: V | undefined): T & Partial<Record<K, V>> {
  if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  return target as T & Partial<Record<K, V>>;
}

/** Whether an object's keys are exactly `first` then `second`. */
function hasKeys(value: object, first: string, second: string): boolean {
  let index = 0;
  for (const key in value) {
    if (key !== (index === 0 ? first : second) || ++index > 2) return false;
  }
  return index === 2;
}

/** An option as stored: a parsed `{ id, text }` already in that form is used as it is (see `text`). */
function normalizeOption(option: ItemOptionSpecT): ItemOption {
  if (option.misconception !== undefined) return { id: option.id, text: text(option.text), misconceptionId: option.misconception };
  const normalized = text(option.text);
  return normalized === option.text && hasKeys(option, "id", "text") ? option : { id: option.id, text: normalized };
}

/**
 * Builds an item in its fixed key order (id, subjectId, stem, difficulty, knowledgePoints,
 * explanation?, type, then the type's fields): its JSON is its content hash.
 */
function normalizeItem(spec: ItemSpecT, subjectId: string): Item {
  const item: Record<string, unknown> = {
    id: spec.id,
    subjectId,
    stem: text(spec.stem),
    difficulty: spec.difficulty,
    knowledgePoints: normalizeKnowledgePointRefs(spec.knowledgePoints),
  };
  if (spec.explanation) item.explanation = text(spec.explanation);
  item.type = spec.type;
  switch (spec.type) {
    case "single_choice":
    case "multiple_choice":
      item.options = spec.options.map(normalizeOption);
      item.answer = spec.type === "single_choice" ? spec.answer : [...spec.answer];
      break;
    case "numeric":
      item.answer = { value: spec.answer.value, tolerance: spec.answer.tolerance };
      item.wrongAnswers = spec.wrongAnswers.map((w) => ({ value: w.value, misconceptionId: w.misconception }));
      break;
    case "short_answer":
      item.answer = { accept: [...spec.answer.accept] };
      break;
  }
  return item as unknown as Item;
}

function refId(ref: string | { id: string }): string {
  return typeof ref === "string" ? ref : ref.id;
}

/** Finds prerequisite cycles; each is returned once as the list of point ids around it. */
export function findCycles(pointIds: Iterable<string>, edges: readonly Prerequisite[]): string[][] {
  const dependents = new Map<string, string[]>();
  for (const edge of edges) {
    const list = dependents.get(edge.fromId);
    if (list) list.push(edge.toId);
    else dependents.set(edge.fromId, [edge.toId]);
  }
  const state = new Map<string, 1 | 2>(); // 1 = on the current path, 2 = finished
  const cycles: string[][] = [];
  for (const start of pointIds) {
    if (state.has(start)) continue;
    // Iterative DFS: deep prerequisite chains must not overflow the call stack.
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    const path: string[] = [start];
    state.set(start, 1);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as { id: string; next: number };
      const children = dependents.get(frame.id) ?? [];
      if (frame.next < children.length) {
        const child = children[frame.next++] as string;
        const childState = state.get(child);
        if (childState === 1) cycles.push([...path.slice(path.indexOf(child)), child]);
        else if (childState === undefined) {
          state.set(child, 1);
          stack.push({ id: child, next: 0 });
          path.push(child);
        }
      } else {
        state.set(frame.id, 2);
        stack.pop();
        path.pop();
      }
    }
  }
  return cycles;
}

export function validatePackages(packages: SourcePackage[], context: ValidationContext = {}): ValidatedCurriculum {
  const collector = new IssueCollector();
  const parsed: { pkg: SourcePackage; files: { source: SourceFile; spec: CurriculumFileSpec }[] }[] = [];
  for (const pkg of packages) {
    const files: { source: SourceFile; spec: CurriculumFileSpec }[] = [];
    for (const source of pkg.files) {
      const result = parseCurriculumFile(source.content);
      if (result.success) files.push({ source, spec: result.data });
      else schemaIssues(source, result.error, collector);
    }
    parsed.push({ pkg, files });
  }
  if (collector.issues.length > 0) throw new CurriculumValidationError(collector.issues);

  const data = emptyCurriculum();
  const origins = {
    points: new Map<string, Origin>(),
    items: new Map<string, Origin>(),
    misconceptions: new Map<string, Origin>(),
    ids: new Map<string, Map<string, Origin>>(),
  };
  const prerequisiteOrigins: { edge: Prerequisite; origin: Origin }[] = [];
  const unitChecks: { origin: Origin; stageId: string; domain: string; grade: number; subjectId: string }[] = [];
  const pointDomainChecks: { origin: Origin; domain: string; subjectId: string }[] = [];
  const itemOrigins: { item: Item; origin: Origin }[] = [];
  const templateOrigins: { template: ItemTemplate; origin: Origin }[] = [];
  const stageGrades = new Map<string, { subjectId: string; grades: number[] }>();
  // Point references are resolved after every file is read, so definitions may come in any order.
  // `under` names the list below the origin's path; the path is only built for an issue.
  const pendingPointRefs: { refs: readonly (string | { id: string })[]; origin: Origin; under?: string }[] = [];
  /** Top-level prerequisite links: their dependent point must be in the declaring package. */
  const linkedTargets: { origin: Origin; toId: string; subjectId: string }[] = [];
  const checkPointRefs = (refs: readonly (string | { id: string })[], origin: Origin, under?: string) =>
    pendingPointRefs.push(under === undefined ? { refs, origin } : { refs, origin, under });
  const domainCodes = new Map<string, Set<string>>();
  /** Packages to warn about if they end up with no knowledge points (e.g. their files were not found). */
  const emptyCheck: { origin: Origin; root: string; subjectId: string; fileCount: number }[] = [];

  const claim = (kind: string, id: string, origin: Origin): boolean => {
    let seen = origins.ids.get(kind);
    if (!seen) {
      seen = new Map();
      origins.ids.set(kind, seen);
    }
    const first = seen.get(id);
    if (first) {
      const at = first.source.locate(first.path);
      collector.add(
        "DUPLICATE_ID",
        origin,
        `duplicate ${kind} id "${id}" (first defined in ${first.source.file}${at ? `:${at.line}` : ""})`,
      );
      return false;
    }
    seen.set(id, origin);
    return true;
  };

  for (const { pkg, files } of parsed) {
    const manifests = files.filter((f) => f.spec.subject);
    if (manifests.length !== 1) {
      const where = manifests[1]?.source ?? files[0]?.source;
      if (where) {
        collector.add(
          "MISSING_MANIFEST",
          { source: where, path: manifests.length > 1 ? ["subject"] : [] },
          manifests.length > 1
            ? `a package has exactly one file with "subject"; ${manifests.map((m) => m.source.file).join(" and ")} both have one`
            : `the package ${pkg.root} has no file declaring "format" and "subject"`,
        );
      }
      continue;
    }
    const manifest = manifests[0] as { source: SourceFile; spec: CurriculumFileSpec };
    const subjectSpec = manifest.spec.subject as NonNullable<CurriculumFileSpec["subject"]>;
    if (manifest.spec.format !== CURRICULUM_FORMAT) {
      collector.add("INVALID_VALUE", { source: manifest.source, path: ["format"] }, `format must be "${CURRICULUM_FORMAT}"`);
    }
    const subjectId = subjectSpec.id;
    const subjectOrigin = { source: manifest.source, path: ["subject"], id: subjectId };
    if (claim("subject", subjectId, subjectOrigin)) {
      emptyCheck.push({ origin: subjectOrigin, root: pkg.root, subjectId, fileCount: files.length });
      data.subjects.push(
        withOptional(
          withOptional({ id: subjectId, name: text(subjectSpec.name) }, "standard", optionalText(subjectSpec.standard)),
          "version",
          manifest.spec.version,
        ),
      );
    }
    const codes = new Set<string>();
    domainCodes.set(subjectId, codes);
    // Stage and domain order count within this package only: a subject's entities (and so their
    // content hashes) must not depend on which other subjects are in the same import.
    let stageOrder = 0;
    let domainOrder = 0;

    for (const { source, spec } of files) {
      if (spec.format !== undefined && !spec.subject) {
        collector.add(
          "INVALID_VALUE",
          { source, path: ["format"] },
          `"format" belongs in the package's manifest (${isManifestFile(source.file) ? "this file has no subject" : "subject.yaml"})`,
        );
      }
      spec.stages.forEach((stage, index) => {
        const origin = { source, path: ["stages", index], id: stage.id };
        if (!claim("stage", stage.id, origin)) return;
        stageGrades.set(stage.id, { subjectId, grades: stage.grades });
        data.stages.push({ id: stage.id, subjectId, name: text(stage.name), grades: [...stage.grades], order: stageOrder++ });
      });
      spec.domains.forEach((domain, index) => {
        const entries = [
          {
            code: domain.code,
            name: domain.name,
            parentCode: undefined as string | undefined,
            path: ["domains", index] as (string | number)[],
          },
        ];
        domain.subdomains.forEach((sub, subIndex) => {
          entries.push({ code: sub.code, name: sub.name, parentCode: domain.code, path: ["domains", index, "subdomains", subIndex] });
        });
        for (const entry of entries) {
          if (!claim(`domain code in ${subjectId}`, entry.code, { source, path: entry.path })) continue;
          codes.add(entry.code);
          data.domains.push(
            withOptional({ code: entry.code, subjectId, name: text(entry.name), order: domainOrder++ }, "parentCode", entry.parentCode),
          );
        }
      });
      spec.units.forEach((unit, unitIndex) => {
        const unitOrigin = { source, path: ["units", unitIndex], id: unit.id };
        if (claim("unit", unit.id, unitOrigin)) {
          data.units.push(
            withOptional(
              withOptional(
                withOptional(
                  {
                    id: unit.id,
                    subjectId,
                    name: text(unit.name),
                    grade: unit.grade,
                    stageId: unit.stage,
                    domain: unit.domain,
                    order: unit.order,
                  },
                  "description",
                  optionalText(unit.description),
                ),
                "semester",
                unit.semester,
              ),
              "classHours",
              unit.classHours,
            ),
          );
          unitChecks.push({ origin: unitOrigin, stageId: unit.stage, domain: unit.domain, grade: unit.grade, subjectId });
        }
        unit.knowledgePoints.forEach((point, pointIndex) => {
          const origin = { source, path: ["units", unitIndex, "knowledgePoints", pointIndex], id: point.id };
          if (!claim("knowledge point", point.id, origin)) return;
          origins.points.set(point.id, origin);
          const knowledgePoint: KnowledgePoint = {
            id: point.id,
            subjectId,
            unitId: unit.id,
            name: text(point.name),
            description: text(point.description),
            grade: point.grade ?? unit.grade,
            domain: point.domain ?? unit.domain,
            standardCode: point.standardCode,
            difficultyBand: point.difficultyBand,
            order: pointIndex,
          };
          data.knowledgePoints.push(knowledgePoint);
          if (point.domain)
            pointDomainChecks.push({ origin: { ...origin, path: [...origin.path, "domain"] }, domain: point.domain, subjectId });
          point.prerequisites.forEach((ref, refIndex) => {
            const edge =
              typeof ref === "string"
                ? { fromId: ref, toId: point.id, strength: 1 }
                : { fromId: ref.id, toId: point.id, strength: ref.strength };
            const edgeOrigin = { source, path: [...origin.path, "prerequisites", refIndex], id: point.id };
            if (edge.fromId === point.id) {
              collector.add("PREREQUISITE_CYCLE", edgeOrigin, "a knowledge point cannot be its own prerequisite");
              return;
            }
            data.prerequisites.push(edge);
            prerequisiteOrigins.push({ edge, origin: edgeOrigin });
          });
        });
      });
      spec.prerequisites.forEach((link, index) => {
        const origin = { source, path: ["prerequisites", index], id: link.to };
        const edge = { fromId: link.from, toId: link.to, strength: link.strength };
        if (edge.fromId === edge.toId) {
          collector.add("PREREQUISITE_CYCLE", origin, "a knowledge point cannot be its own prerequisite");
          return;
        }
        data.prerequisites.push(edge);
        prerequisiteOrigins.push({ edge, origin });
        linkedTargets.push({ origin, toId: link.to, subjectId });
      });
      spec.items.forEach((itemSpec, index) => {
        const origin = { source, path: ["items", index], id: itemSpec.id };
        if (!claim("item", itemSpec.id, origin)) return;
        const item = normalizeItem(itemSpec, subjectId);
        data.items.push(item);
        itemOrigins.push({ item, origin });
      });
      spec.itemTemplates.forEach((templateSpec, index) => {
        const origin = { source, path: ["itemTemplates", index], id: templateSpec.id };
        if (!claim("item template", templateSpec.id, origin)) return;
        const template: ItemTemplate = withOptional(
          {
            id: templateSpec.id,
            subjectId,
            type: templateSpec.type,
            knowledgePoints: normalizeKnowledgePointRefs(templateSpec.knowledgePoints),
            difficulty: templateSpec.difficulty,
            count: templateSpec.count,
            seed: templateSpec.seed,
            // Sorted: the entity's JSON is its content hash, so key order must not depend on the file.
            parameters: Object.fromEntries(
              Object.entries(templateSpec.parameters).sort(([a], [b]) => (a < b ? -1 : 1)),
            ) as ItemTemplate["parameters"],
            constraints: [...templateSpec.constraints],
            stem: text(templateSpec.stem),
            answer: templateSpec.answer,
            answerFormat: templateSpec.answerFormat,
            distractors: templateSpec.distractors.map((d) => ({ expr: d.expr, misconception: d.misconception })),
          },
          "explanation",
          optionalText(templateSpec.explanation),
        );
        data.itemTemplates.push(template);
        templateOrigins.push({ template, origin });
      });
      spec.misconceptions.forEach((m, index) => {
        const origin = { source, path: ["misconceptions", index], id: m.id };
        if (!claim("misconception", m.id, origin)) return;
        origins.misconceptions.set(m.id, origin);
        data.misconceptions.push(
          withOptional(
            { id: m.id, subjectId, name: text(m.name), description: text(m.description), knowledgePointIds: [...m.knowledgePoints] },
            "remedy",
            optionalText(m.remedy),
          ),
        );
      });
      spec.resources.forEach((r, index) => {
        const origin = { source, path: ["resources", index], id: r.id };
        if (!claim("resource", r.id, origin)) return;
        data.resources.push(
          withOptional(
            withOptional(
              { id: r.id, subjectId, kind: r.kind, title: text(r.title), body: text(r.body), knowledgePointIds: [...r.knowledgePoints] },
              "url",
              r.url,
            ),
            "durationMinutes",
            r.durationMinutes,
          ),
        );
        checkPointRefs(r.knowledgePoints, { source, path: ["resources", index, "knowledgePoints"], id: r.id });
      });
    }
  }

  const pointGrade = new Map<string, number>();
  for (const point of data.knowledgePoints) pointGrade.set(point.id, point.grade);
  const subjectsWithPoints = new Set(data.knowledgePoints.map((k) => k.subjectId));
  for (const { origin, root, subjectId, fileCount } of emptyCheck) {
    if (!subjectsWithPoints.has(subjectId)) {
      collector.warn(
        origin,
        `the package ${root} (subject ${subjectId}) has no knowledge points: ${fileCount} file${fileCount === 1 ? "" : "s"} read; ` +
          "are its units in files (.yaml, .yml or .json) below the package directory?",
      );
    }
  }
  const pointExists = (id: string) => pointGrade.has(id) || (context.externalKnowledgePoints?.has(id) ?? false);
  const misconceptionExists = (id: string) => origins.misconceptions.has(id);

  for (const check of unitChecks) {
    const stage = stageGrades.get(check.stageId);
    if (!stage || stage.subjectId !== check.subjectId) {
      collector.add("UNKNOWN_REFERENCE", check.origin, `unknown stage "${check.stageId}"`, ["stage"]);
    } else if (!stage.grades.includes(check.grade)) {
      collector.add(
        "INVALID_VALUE",
        check.origin,
        `grade ${check.grade} is not in stage ${check.stageId} (grades ${stage.grades.join(", ")})`,
        ["grade"],
      );
    }
    if (!domainCodes.get(check.subjectId)?.has(check.domain)) {
      collector.add("UNKNOWN_REFERENCE", check.origin, `unknown domain code "${check.domain}"`, ["domain"]);
    }
  }
  for (const check of pointDomainChecks) {
    if (!domainCodes.get(check.subjectId)?.has(check.domain))
      collector.add("UNKNOWN_REFERENCE", check.origin, `unknown domain code "${check.domain}"`);
  }
  for (const { edge, origin } of prerequisiteOrigins) {
    if (!pointExists(edge.fromId)) {
      collector.add("UNKNOWN_REFERENCE", origin, `unknown prerequisite knowledge point "${edge.fromId}"`);
      continue;
    }
    const fromGrade = pointGrade.get(edge.fromId) ?? context.externalKnowledgePoints?.get(edge.fromId)?.grade;
    const toGrade = pointGrade.get(edge.toId);
    if (fromGrade !== undefined && toGrade !== undefined && fromGrade > toGrade) {
      collector.warn(origin, `prerequisite "${edge.fromId}" is taught in grade ${fromGrade}, after this grade-${toGrade} point`);
    }
  }
  const subjectOfPoint = new Map(data.knowledgePoints.map((k) => [k.id, k.subjectId]));
  for (const link of linkedTargets) {
    const owner = subjectOfPoint.get(link.toId);
    if (owner === undefined) collector.add("UNKNOWN_REFERENCE", link.origin, `unknown knowledge point "${link.toId}"`, ["to"]);
    else if (owner !== link.subjectId) {
      collector.add(
        "INVALID_VALUE",
        link.origin,
        `"to" must be a point of this package (${link.subjectId}); "${link.toId}" belongs to ${owner}`,
        ["to"],
      );
    }
  }
  const seenEdges = new Set<string>();
  for (const { edge, origin } of prerequisiteOrigins) {
    const key = `${edge.fromId}->${edge.toId}`;
    if (seenEdges.has(key)) collector.add("DUPLICATE_ID", origin, `the prerequisite ${edge.fromId} → ${edge.toId} is declared twice`);
    seenEdges.add(key);
  }
  for (const m of data.misconceptions) {
    const origin = origins.misconceptions.get(m.id) as Origin;
    checkPointRefs(m.knowledgePointIds, origin, "knowledgePoints");
  }
  for (const { item, origin } of itemOrigins) {
    checkItem(item, origin);
  }
  for (const { template, origin } of templateOrigins) {
    checkPointRefs(template.knowledgePoints, origin, "knowledgePoints");
    template.distractors.forEach((d, index) => {
      if (!misconceptionExists(d.misconception))
        collector.add("UNKNOWN_REFERENCE", origin, `unknown misconception "${d.misconception}"`, ["distractors", index, "misconception"]);
    });
    let instances: Item[];
    try {
      instances = expandTemplate(template);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      collector.add("TEMPLATE_ERROR", origin, error.message);
      continue;
    }
    for (const instance of instances) {
      if (claim("item", instance.id, origin)) data.items.push(instance);
    }
  }
  for (const { refs, origin, under } of pendingPointRefs) {
    // Most lists hold one or two points: compare them pairwise rather than build a set.
    const seen = refs.length > 8 ? new Set<string>() : undefined;
    for (let index = 0; index < refs.length; index++) {
      const id = refId(refs[index] as string | { id: string });
      const known = pointExists(id);
      let listed = false;
      if (seen) {
        listed = seen.has(id);
        seen.add(id);
      } else for (let j = 0; j < index && !listed; j++) listed = refId(refs[j] as string | { id: string }) === id;
      if (known && !listed) continue;
      const listOrigin = under === undefined ? origin : { ...origin, path: [...origin.path, under] };
      if (!known) collector.add("UNKNOWN_REFERENCE", listOrigin, `unknown knowledge point "${id}"`, [index]);
      if (listed) collector.add("DUPLICATE_ID", listOrigin, `knowledge point "${id}" is listed twice`, [index]);
    }
  }

  /** Whether a choice item passes every check below; answers the common case without allocating. */
  function choiceItemIsClean(item: Item & { type: "single_choice" | "multiple_choice" }): boolean {
    const { options } = item;
    for (let i = 0; i < options.length; i++) {
      const option = options[i] as (typeof options)[number];
      for (let j = 0; j < i; j++) if ((options[j] as (typeof options)[number]).id === option.id) return false;
      if (option.misconceptionId !== undefined) {
        if (!misconceptionExists(option.misconceptionId)) return false;
        if (item.type === "single_choice" ? item.answer === option.id : item.answer.includes(option.id)) return false;
      }
    }
    const answers = item.type === "single_choice" ? [item.answer] : item.answer;
    for (let i = 0; i < answers.length; i++) {
      if (!options.some((o) => o.id === answers[i])) return false;
      for (let j = 0; j < i; j++) if (answers[j] === answers[i]) return false;
    }
    return true;
  }

  function checkItem(item: Item, origin: Origin): void {
    checkPointRefs(item.knowledgePoints, origin, "knowledgePoints");
    if (item.type === "single_choice" || item.type === "multiple_choice") {
      if (choiceItemIsClean(item)) return;
      const optionIds = new Set<string>();
      item.options.forEach((option, index) => {
        if (optionIds.has(option.id))
          collector.add("DUPLICATE_ID", origin, `option id "${option.id}" is used twice`, ["options", index, "id"]);
        optionIds.add(option.id);
        if (option.misconceptionId && !misconceptionExists(option.misconceptionId)) {
          collector.add("UNKNOWN_REFERENCE", origin, `unknown misconception "${option.misconceptionId}"`, [
            "options",
            index,
            "misconception",
          ]);
        }
      });
      const answers = item.type === "single_choice" ? [item.answer] : item.answer;
      answers.forEach((answer, index) => {
        if (!optionIds.has(answer)) {
          collector.add(
            "INVALID_ANSWER",
            origin,
            `answer "${answer}" is not one of the options (${[...optionIds].join(", ")})`,
            item.type === "single_choice" ? ["answer"] : ["answer", index],
          );
        }
      });
      if (new Set(answers).size !== answers.length)
        collector.add("INVALID_ANSWER", origin, "an option is listed twice in the answer", ["answer"]);
      item.options.forEach((option, index) => {
        if (option.misconceptionId && answers.includes(option.id)) {
          collector.add("INVALID_ANSWER", origin, `the correct option "${option.id}" cannot indicate a misconception`, [
            "options",
            index,
            "misconception",
          ]);
        }
      });
    } else if (item.type === "numeric") {
      item.wrongAnswers.forEach((wrong, index) => {
        if (!misconceptionExists(wrong.misconceptionId))
          collector.add("UNKNOWN_REFERENCE", origin, `unknown misconception "${wrong.misconceptionId}"`, [
            "wrongAnswers",
            index,
            "misconception",
          ]);
        if (Math.abs(wrong.value - item.answer.value) <= item.answer.tolerance) {
          collector.add("INVALID_ANSWER", origin, `wrong answer ${wrong.value} is accepted as correct`, ["wrongAnswers", index, "value"]);
        }
      });
    }
  }

  const allEdges = [...data.prerequisites, ...(context.externalPrerequisites ?? [])];
  const cyclePoints = new Set([...pointGrade.keys(), ...(context.externalKnowledgePoints?.keys() ?? [])]);
  for (const cycle of findCycles(cyclePoints, allEdges)) {
    const [first, second] = cycle as [string, string];
    const edgeOrigin =
      prerequisiteOrigins.find((p) => p.edge.fromId === first && p.edge.toId === second)?.origin ?? origins.points.get(second);
    const origin = edgeOrigin ?? ({ source: parsed[0]?.files[0]?.source, path: [] } as unknown as Origin);
    collector.add("PREREQUISITE_CYCLE", origin, `prerequisite cycle: ${cycle.join(" → ")}`);
  }

  if (collector.issues.length > 0) throw new CurriculumValidationError(collector.issues);
  return { data, warnings: collector.warnings, subjectIds: data.subjects.map((s) => s.id) };
}
