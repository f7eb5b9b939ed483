/**
 * The normalized curriculum: flat entity records, as validated from files and as held by the
 * stores. Files nest points in units for authoring; stores and the graph index want flat rows.
 */
import type { ResourceKind } from "./format.js";

export interface LocalizedText {
  zh: string;
  en: string;
}

export type Language = keyof LocalizedText;

export interface Subject {
  id: string;
  name: LocalizedText;
  standard?: LocalizedText;
  version?: string;
}

export interface Stage {
  id: string;
  subjectId: string;
  name: LocalizedText;
  grades: number[];
  order: number;
}

export interface Domain {
  /** Codes are unique within a subject; sub-domains carry their parent's code. */
  code: string;
  subjectId: string;
  name: LocalizedText;
  parentCode?: string;
  order: number;
}

export interface Unit {
  id: string;
  subjectId: string;
  name: LocalizedText;
  description?: LocalizedText;
  grade: number;
  semester?: 1 | 2;
  stageId: string;
  domain: string;
  order: number;
  classHours?: number;
}

export interface KnowledgePoint {
  id: string;
  subjectId: string;
  unitId: string;
  name: LocalizedText;
  description: LocalizedText;
  grade: number;
  domain: string;
  standardCode: string;
  difficultyBand: number;
  /** Position within its unit, for stable listing. */
  order: number;
}

/** `fromId` is a prerequisite of `toId`: (from)-[:PREREQUISITE_OF {strength}]->(to). */
export interface Prerequisite {
  fromId: string;
  toId: string;
  strength: number;
}

export interface ItemOption {
  id: string;
  text: LocalizedText;
  misconceptionId?: string;
}

export interface WrongAnswer {
  value: number;
  misconceptionId: string;
}

export interface ItemKnowledgePoint {
  id: string;
  weight: number;
}

interface ItemBase {
  id: string;
  subjectId: string;
  stem: LocalizedText;
  difficulty: number;
  explanation?: LocalizedText;
  knowledgePoints: ItemKnowledgePoint[];
  /** Set on instances generated from an item template, with the parameters that produced them. */
  templateId?: string;
  templateParameters?: Record<string, number>;
}

export type Item =
  | (ItemBase & { type: "single_choice"; options: ItemOption[]; answer: string })
  | (ItemBase & { type: "multiple_choice"; options: ItemOption[]; answer: string[] })
  | (ItemBase & {
      type: "numeric";
      answer: { value: number; tolerance: number };
      wrongAnswers: WrongAnswer[];
    })
  | (ItemBase & { type: "short_answer"; answer: { accept: string[] } });

export type ItemType = Item["type"];

export interface ItemTemplate {
  id: string;
  subjectId: string;
  type: "single_choice" | "numeric";
  knowledgePoints: ItemKnowledgePoint[];
  difficulty: number;
  count: number;
  seed: number;
  parameters: Record<string, { int: [number, number] } | { choice: number[] }>;
  constraints: string[];
  stem: LocalizedText;
  answer: string;
  answerFormat: "auto" | "integer" | "fraction" | "mixed" | "decimal";
  distractors: { expr: string; misconception: string }[];
  explanation?: LocalizedText;
}

export interface Misconception {
  id: string;
  subjectId: string;
  name: LocalizedText;
  description: LocalizedText;
  knowledgePointIds: string[];
  remedy?: LocalizedText;
}

export interface Resource {
  id: string;
  subjectId: string;
  kind: ResourceKind;
  title: LocalizedText;
  body: LocalizedText;
  url?: string;
  durationMinutes?: number;
  knowledgePointIds: string[];
}

export interface CurriculumData {
  subjects: Subject[];
  stages: Stage[];
  domains: Domain[];
  units: Unit[];
  knowledgePoints: KnowledgePoint[];
  prerequisites: Prerequisite[];
  items: Item[];
  itemTemplates: ItemTemplate[];
  misconceptions: Misconception[];
  resources: Resource[];
}

export const CURRICULUM_KINDS = [
  "subjects",
  "stages",
  "domains",
  "units",
  "knowledgePoints",
  "prerequisites",
  "itemTemplates",
  "items",
  "misconceptions",
  "resources",
] as const satisfies readonly (keyof CurriculumData)[];

export type CurriculumKind = (typeof CURRICULUM_KINDS)[number];

export function emptyCurriculum(): CurriculumData {
  return {
    subjects: [],
    stages: [],
    domains: [],
    units: [],
    knowledgePoints: [],
    prerequisites: [],
    items: [],
    itemTemplates: [],
    misconceptions: [],
    resources: [],
  };
}

/** The key that identifies an entity of a kind within the store. */
export function entityKey(kind: CurriculumKind, entity: CurriculumData[CurriculumKind][number]): string {
  switch (kind) {
    case "domains": {
      const domain = entity as Domain;
      return `${domain.subjectId}:${domain.code}`;
    }
    case "prerequisites": {
      const edge = entity as Prerequisite;
      return `${edge.fromId}->${edge.toId}`;
    }
    default:
      return (entity as { id: string }).id;
  }
}

/** Which subject owns an entity; a prerequisite edge belongs to the subject of its dependent point. */
export function subjectOfEntity(
  kind: CurriculumKind,
  entity: CurriculumData[CurriculumKind][number],
  subjectOfPoint: (id: string) => string | undefined,
): string | undefined {
  if (kind === "subjects") return (entity as Subject).id;
  if (kind === "prerequisites") return subjectOfPoint((entity as Prerequisite).toId);
  return (entity as { subjectId: string }).subjectId;
}

/** The misconceptions an item can reveal, from its options and its known wrong numeric answers. */
export function misconceptionsOfItem(item: Item): string[] {
  const ids = new Set<string>();
  if (item.type === "single_choice" || item.type === "multiple_choice") {
    for (const option of item.options) if (option.misconceptionId) ids.add(option.misconceptionId);
  } else if (item.type === "numeric") {
    for (const wrong of item.wrongAnswers) ids.add(wrong.misconceptionId);
  }
  return [...ids];
}
