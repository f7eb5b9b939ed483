/**
 * A fast path for parsing curriculum files against the format's zod schema. Zod builds a fresh
 * copy of every object it parses and is slow on files with 100,000 items, so units, knowledge
 * points and choice items are checked by hand here, reusing the parsed objects whenever the
 * schema would return them unchanged (no trimmed text, no default to fill in).
 *
 * The hand-written checks are conservative: they accept a value only if the schema in format.ts
 * accepts it and return exactly what the schema would return. Anything else (an invalid value, an
 * unusual shape, an item type without a fast path) goes to zod: per entity where zod's result can
 * be used as is, and for the whole file as soon as anything is invalid, so every error message,
 * path and order comes from zod exactly as before. tests/curriculum/fast-parse.test.ts checks
 * that both paths agree.
 */
import type { z } from "zod";
import {
  CURRICULUM_FORMAT,
  CurriculumFile,
  type CurriculumFileSpec,
  ItemSpec,
  type ItemSpecT,
  type KnowledgePointSpecT,
  type LocalizedTextSpec,
  type UnitSpecT,
} from "./format.js";

const INVALID: unique symbol = Symbol("invalid");
type Checked<T> = T | typeof INVALID;

type Plain = Record<string, unknown>;

const ID_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
const OPTION_ID_PATTERN = /^[A-Za-z0-9]{1,8}$/;

function isPlain(value: unknown): value is Plain {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** How many enumerable keys an object has; with the known keys counted, this rejects unknown ones (strict objects). */
function keyCount(value: object): number {
  let count = 0;
  for (const _ in value) count++;
  return count;
}

const isEntityId = (value: unknown): value is string => typeof value === "string" && value.length <= 120 && ID_PATTERN.test(value);
const isCode = (value: unknown): value is string => typeof value === "string" && value.length >= 1 && value.length <= 40;
const isInt = (value: unknown, min: number, max: number): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max;
/** (0, 1], as for strengths and weights. */
const isUnitFraction = (value: unknown): value is number => typeof value === "number" && value > 0 && value <= 1;

function localizedText(value: unknown): Checked<LocalizedTextSpec> {
  if (!isPlain(value)) return INVALID;
  const { zh, en } = value;
  if (typeof zh !== "string" || typeof en !== "string" || keyCount(value) !== 2) return INVALID;
  const trimmedZh = zh.trim();
  const trimmedEn = en.trim();
  if (trimmedZh.length === 0 || trimmedEn.length === 0) return INVALID;
  return trimmedZh === zh && trimmedEn === en ? (value as unknown as LocalizedTextSpec) : { zh: trimmedZh, en: trimmedEn };
}

/**
 * A list of id references, each an id or `{ id, <number field> }` with the field defaulting to 1:
 * prerequisite refs (`strength`) and item knowledge-point refs (`weight`).
 */
function refList<F extends "strength" | "weight">(
  value: unknown,
  field: F,
  minLength: number,
): Checked<(string | ({ id: string } & Record<F, number>))[]> {
  if (!Array.isArray(value) || value.length < minLength) return INVALID;
  let out: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const ref: unknown = value[i];
    let result: unknown = ref;
    if (typeof ref === "string") {
      if (!isEntityId(ref)) return INVALID;
    } else {
      if (!isPlain(ref) || !isEntityId(ref.id)) return INVALID;
      const number = ref[field];
      if (number === undefined) {
        if (keyCount(ref) !== 1) return INVALID;
        result = { id: ref.id, [field]: 1 };
      } else if (!isUnitFraction(number) || keyCount(ref) !== 2) return INVALID;
    }
    if (result !== ref && !out) out = value.slice(0, i);
    out?.push(result);
  }
  return (out ?? value) as (string | ({ id: string } & Record<F, number>))[];
}

function knowledgePoint(value: unknown): Checked<KnowledgePointSpecT> {
  if (!isPlain(value)) return INVALID;
  const { id, grade, domain, standardCode, difficultyBand, prerequisites } = value;
  if (!isEntityId(id) || typeof standardCode !== "string" || standardCode.length < 1 || standardCode.length > 60) return INVALID;
  let known = 4;
  if (grade !== undefined) {
    if (!isInt(grade, 1, 12)) return INVALID;
    known++;
  }
  if (domain !== undefined) {
    if (!isCode(domain)) return INVALID;
    known++;
  }
  if (difficultyBand !== undefined) {
    if (!isInt(difficultyBand, 1, 5)) return INVALID;
    known++;
  }
  let refs: Checked<KnowledgePointSpecT["prerequisites"]> = [];
  if (prerequisites !== undefined) {
    refs = refList(prerequisites, "strength", 0);
    if (refs === INVALID) return INVALID;
    known++;
  }
  const name = localizedText(value.name);
  const description = localizedText(value.description);
  if (name === INVALID || description === INVALID || keyCount(value) !== known) return INVALID;
  if (name === value.name && description === value.description && difficultyBand !== undefined && refs === prerequisites) {
    return value as unknown as KnowledgePointSpecT;
  }
  const point: Plain = { id, name, description };
  if (grade !== undefined) point.grade = grade;
  if (domain !== undefined) point.domain = domain;
  point.standardCode = standardCode;
  point.difficultyBand = difficultyBand ?? 3;
  point.prerequisites = refs;
  return point as unknown as KnowledgePointSpecT;
}

function unit(value: unknown): Checked<UnitSpecT> {
  if (!isPlain(value)) return INVALID;
  const { id, grade, semester, stage, domain, order, classHours, knowledgePoints } = value;
  if (!isEntityId(id) || !isInt(grade, 1, 12) || !isEntityId(stage) || !isCode(domain) || !isInt(order, 0, Number.MAX_SAFE_INTEGER)) {
    return INVALID;
  }
  const name = localizedText(value.name);
  if (name === INVALID) return INVALID;
  const out: Plain = { id, name };
  let known = 6;
  if (value.description !== undefined) {
    const description = localizedText(value.description);
    if (description === INVALID) return INVALID;
    out.description = description;
    known++;
  }
  out.grade = grade;
  if (semester !== undefined) {
    if (semester !== 1 && semester !== 2) return INVALID;
    out.semester = semester;
    known++;
  }
  out.stage = stage;
  out.domain = domain;
  out.order = order;
  if (classHours !== undefined) {
    if (typeof classHours !== "number" || !Number.isFinite(classHours) || classHours <= 0) return INVALID;
    out.classHours = classHours;
    known++;
  }
  const points: KnowledgePointSpecT[] = [];
  if (knowledgePoints !== undefined) {
    if (!Array.isArray(knowledgePoints)) return INVALID;
    for (const raw of knowledgePoints) {
      const point = knowledgePoint(raw);
      if (point === INVALID) return INVALID;
      points.push(point);
    }
    known++;
  }
  if (keyCount(value) !== known) return INVALID;
  out.knowledgePoints = points;
  return out as unknown as UnitSpecT;
}

function choiceOptions(value: unknown): Checked<unknown[]> {
  if (!Array.isArray(value) || value.length < 2) return INVALID;
  let out: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const option: unknown = value[i];
    if (!isPlain(option) || typeof option.id !== "string" || !OPTION_ID_PATTERN.test(option.id)) return INVALID;
    let known = 2;
    if (option.misconception !== undefined) {
      if (!isEntityId(option.misconception)) return INVALID;
      known++;
    }
    const text = localizedText(option.text);
    if (text === INVALID || keyCount(option) !== known) return INVALID;
    const result = text === option.text ? option : { ...option, text };
    if (result !== option && !out) out = value.slice(0, i);
    out?.push(result);
  }
  return out ?? value;
}

/** Single- and multiple-choice items; other types return undefined and are left to zod. */
function choiceItem(value: Plain): Checked<ItemSpecT> | undefined {
  const { id, type, difficulty, answer } = value;
  if (type !== "single_choice" && type !== "multiple_choice") return undefined;
  if (!isEntityId(id) || !isInt(difficulty, 1, 5)) return INVALID;
  if (type === "single_choice") {
    if (typeof answer !== "string" || answer.length < 1) return INVALID;
  } else {
    if (!Array.isArray(answer) || answer.length < 1) return INVALID;
    for (const a of answer) if (typeof a !== "string" || a.length < 1) return INVALID;
  }
  const stem = localizedText(value.stem);
  const knowledgePoints = refList(value.knowledgePoints, "weight", 1);
  const options = choiceOptions(value.options);
  if (stem === INVALID || knowledgePoints === INVALID || options === INVALID) return INVALID;
  let known = 7;
  let explanation: Checked<LocalizedTextSpec> | undefined;
  if (value.explanation !== undefined) {
    explanation = localizedText(value.explanation);
    if (explanation === INVALID) return INVALID;
    known++;
  }
  if (keyCount(value) !== known) return INVALID;
  if (stem === value.stem && knowledgePoints === value.knowledgePoints && options === value.options && explanation === value.explanation) {
    return value as unknown as ItemSpecT;
  }
  const item: Plain = { id, stem, knowledgePoints, difficulty };
  if (explanation !== undefined) item.explanation = explanation;
  item.type = type;
  item.options = options;
  item.answer = answer;
  return item as unknown as ItemSpecT;
}

function item(value: unknown): Checked<ItemSpecT> {
  if (!isPlain(value)) return INVALID;
  const fast = choiceItem(value);
  if (fast !== undefined) return fast;
  const result = ItemSpec.safeParse(value);
  return result.success ? result.data : INVALID;
}

function list<T>(value: unknown, entry: (value: unknown) => Checked<T>): Checked<T[]> {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return INVALID;
  const out: T[] = [];
  for (const raw of value) {
    const checked = entry(raw);
    if (checked === INVALID) return INVALID;
    out.push(checked);
  }
  return out;
}

const shape = CurriculumFile.shape;
const FILE_KEYS = new Set(Object.keys(shape));

function withZod<S extends z.ZodType>(schema: S, value: unknown): Checked<z.output<S>> {
  const result = schema.safeParse(value);
  return result.success ? result.data : INVALID;
}

function fastFile(content: unknown): Checked<CurriculumFileSpec> {
  if (!isPlain(content)) return INVALID;
  for (const key in content) if (!FILE_KEYS.has(key)) return INVALID;
  if (content.format !== undefined && content.format !== CURRICULUM_FORMAT) return INVALID;
  const subject = withZod(shape.subject, content.subject);
  const version = withZod(shape.version, content.version);
  const stages = withZod(shape.stages, content.stages);
  const domains = withZod(shape.domains, content.domains);
  const units = list(content.units, unit);
  const prerequisites = withZod(shape.prerequisites, content.prerequisites);
  const items = list(content.items, item);
  const itemTemplates = withZod(shape.itemTemplates, content.itemTemplates);
  const misconceptions = withZod(shape.misconceptions, content.misconceptions);
  const resources = withZod(shape.resources, content.resources);
  if (
    subject === INVALID ||
    version === INVALID ||
    stages === INVALID ||
    domains === INVALID ||
    units === INVALID ||
    prerequisites === INVALID ||
    items === INVALID ||
    itemTemplates === INVALID ||
    misconceptions === INVALID ||
    resources === INVALID
  ) {
    return INVALID;
  }
  const spec: CurriculumFileSpec = { stages, domains, units, prerequisites, items, itemTemplates, misconceptions, resources };
  if (content.format !== undefined) spec.format = CURRICULUM_FORMAT;
  if (subject !== undefined) spec.subject = subject;
  if (version !== undefined) spec.version = version;
  return spec;
}

/** Parses one file's content against the format; the same result as `CurriculumFile.safeParse`, faster on valid files. */
export function parseCurriculumFile(content: unknown): { success: true; data: CurriculumFileSpec } | { success: false; error: z.ZodError } {
  const fast = fastFile(content);
  if (fast !== INVALID) return { success: true, data: fast };
  const result = CurriculumFile.safeParse(content);
  return result.success ? { success: true, data: result.data } : { success: false, error: result.error };
}
