/** How each curriculum kind maps onto its SQLite table and link tables. */
import {
  type CurriculumKind,
  type Domain,
  type Item,
  type KnowledgePoint,
  type Misconception,
  misconceptionsOfItem,
  type Prerequisite,
  type Resource,
  type Stage,
  type Unit,
} from "../../curriculum/model.js";
import type { EntityOf } from "../store.js";

type SqlValue = string | number | null;

export interface LinkTable<K extends CurriculumKind> {
  table: string;
  /** The column naming the owning entity; its rows are replaced whenever the owner is written. */
  ownerColumn: string;
  columns: string[];
  rows(entity: EntityOf<K>): SqlValue[][];
}

export interface CurriculumTable<K extends CurriculumKind> {
  table: string;
  columns: string[];
  values(entity: EntityOf<K>): SqlValue[];
  links: LinkTable<K>[];
}

export const CURRICULUM_TABLES: { [K in CurriculumKind]: CurriculumTable<K> } = {
  subjects: { table: "subjects", columns: [], values: () => [], links: [] },
  stages: { table: "stages", columns: ["ord"], values: (s: Stage) => [s.order], links: [] },
  domains: { table: "domains", columns: ["ord"], values: (d: Domain) => [d.order], links: [] },
  units: { table: "units", columns: ["grade", "ord"], values: (u: Unit) => [u.grade, u.order], links: [] },
  knowledgePoints: {
    table: "knowledge_points",
    columns: ["unit_id", "grade", "ord", "name_zh", "name_en", "difficulty_band"],
    values: (k: KnowledgePoint) => [k.unitId, k.grade, k.order, k.name.zh, k.name.en, k.difficultyBand],
    links: [],
  },
  prerequisites: {
    table: "prerequisites",
    columns: ["from_id", "to_id", "strength"],
    values: (p: Prerequisite) => [p.fromId, p.toId, p.strength],
    links: [],
  },
  itemTemplates: { table: "item_templates", columns: [], values: () => [], links: [] },
  items: {
    table: "items",
    columns: ["type", "difficulty", "template_id"],
    values: (i: Item) => [i.type, i.difficulty, i.templateId ?? null],
    links: [
      {
        table: "item_knowledge_points",
        ownerColumn: "item_id",
        columns: ["knowledge_point_id", "weight"],
        rows: (i: Item) => i.knowledgePoints.map((k) => [k.id, k.weight]),
      },
      {
        table: "item_misconceptions",
        ownerColumn: "item_id",
        columns: ["misconception_id"],
        rows: (i: Item) => misconceptionsOfItem(i).map((id) => [id]),
      },
    ],
  },
  misconceptions: {
    table: "misconceptions",
    columns: [],
    values: () => [],
    links: [
      {
        table: "misconception_knowledge_points",
        ownerColumn: "misconception_id",
        columns: ["knowledge_point_id"],
        rows: (m: Misconception) => m.knowledgePointIds.map((id) => [id]),
      },
    ],
  },
  resources: {
    table: "resources",
    columns: [],
    values: () => [],
    links: [
      {
        table: "resource_knowledge_points",
        ownerColumn: "resource_id",
        columns: ["knowledge_point_id"],
        rows: (r: Resource) => r.knowledgePointIds.map((id) => [id]),
      },
    ],
  },
};
