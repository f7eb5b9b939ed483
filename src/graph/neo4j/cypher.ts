/**
 * Every Cypher statement the Neo4j backend runs, in one registry, so that the test suite can
 * lint each one with Neo4j's own parser and semantic analysis (tests/graph/cypher-lint.test.ts)
 * against the schema declared here. Statements that differ only by label are generated from
 * the label tables below and registered under their own names, so the lint sees every text.
 *
 * Graph model (docs/graph-model.md): every curriculum node carries `id`, `subjectId`, `hash`
 * (content hash for import diffs) and `doc` (the entity as JSON), plus the properties queries
 * filter on; relationships carry the structure the in-memory index is built from.
 */
import type { CurriculumKind } from "../../curriculum/model.js";

/** Node label of each curriculum kind that is a node (prerequisites are relationships). */
export const NODE_LABELS = {
  subjects: "Subject",
  stages: "Stage",
  domains: "Domain",
  units: "Unit",
  knowledgePoints: "KnowledgePoint",
  itemTemplates: "ItemTemplate",
  items: "Item",
  misconceptions: "Misconception",
  resources: "Resource",
} as const satisfies Partial<Record<CurriculumKind, string>>;

export type NodeKind = keyof typeof NODE_LABELS;
export type NodeLabel = (typeof NODE_LABELS)[NodeKind];

/** Outgoing structural relationships written with each node kind: [type, target label]. */
export const NODE_RELATIONSHIPS = {
  stages: [["PART_OF", "Subject"]],
  domains: [["PART_OF", "Subject"]],
  units: [
    ["PART_OF", "Subject"],
    ["IN_STAGE", "Stage"],
  ],
  knowledgePoints: [["PART_OF", "Unit"]],
  items: [
    ["ASSESSES", "KnowledgePoint"],
    ["REVEALS", "Misconception"],
    ["INSTANCE_OF", "ItemTemplate"],
  ],
  misconceptions: [["AFFECTS", "KnowledgePoint"]],
  resources: [["TEACHES", "KnowledgePoint"]],
} as const satisfies Partial<Record<NodeKind, readonly (readonly [string, NodeLabel])[]>>;

export type RelationshipSpec = readonly [string, NodeLabel];

/** The schema the lint checks statements against: what the database is declared to hold. */
export const DECLARED_SCHEMA = {
  labels: [...Object.values(NODE_LABELS), "CurriculumImport", "BktParameterSet", "BktParameters"],
  relationshipTypes: [
    "PART_OF",
    "IN_STAGE",
    "PREREQUISITE_OF",
    "ASSESSES",
    "REVEALS",
    "INSTANCE_OF",
    "AFFECTS",
    "TEACHES",
    "HAS_PARAMETERS",
  ],
  propertyKeys: [
    "id",
    "subjectId",
    "hash",
    "doc",
    "ord",
    "grade",
    "unitId",
    "stageId",
    "nameZh",
    "nameEn",
    "difficultyBand",
    "type",
    "difficulty",
    "templateId",
    "strength",
    "weight",
    "fromId",
    "toId",
    "props",
    "revision",
    "importedAt",
    "record",
    "targetId",
    "seq",
    "variant",
    "fittedAt",
    "savedAt",
    "createdBy",
    "activation",
    "activatedAt",
    "setId",
    "knowledgePointId",
    "prior",
    "learn",
    "forget",
    "slip",
    "guess",
    "items",
    "itemLearn",
  ],
  /** Example values, so the lint knows each parameter and its type. */
  parameters: {
    rows: [],
    ids: [],
    subjectIds: [],
    subjectId: "math",
    grade: 1,
    unitId: "u",
    text: "x",
    offset: 0,
    limit: 10,
    importedAt: "2026-01-01T00:00:00Z",
    record: "{}",
    id: "bkt-x",
    variant: "standard",
    fittedAt: "2026-01-01T00:00:00Z",
    savedAt: "2026-01-01T00:00:00Z",
    activatedAt: "2026-01-01T00:00:00Z",
    createdBy: "analyst",
    knowledgePointId: "k",
  },
};

const statements = new Map<string, string>();

function register(name: string, text: string): string {
  if (statements.has(name)) throw new Error(`duplicate Cypher statement name ${name}`);
  statements.set(name, text.replace(/\s+/g, " ").trim());
  return statements.get(name) as string;
}

/** Every registered statement by name (for the lint test). */
export function allStatements(): ReadonlyMap<string, string> {
  return statements;
}

const labels = Object.entries(NODE_LABELS) as [NodeKind, NodeLabel][];

/** Schema set-up, idempotent (IF NOT EXISTS), run on every start. */
export const SCHEMA_STATEMENTS: string[] = [
  ...labels.map(([, label]) =>
    register(`constraint.${label}`, `CREATE CONSTRAINT ${label.toLowerCase()}_id IF NOT EXISTS FOR (n:${label}) REQUIRE n.id IS UNIQUE`),
  ),
  ...labels.map(([, label]) =>
    register(`index.${label}.subject`, `CREATE INDEX ${label.toLowerCase()}_subject IF NOT EXISTS FOR (n:${label}) ON (n.subjectId)`),
  ),
  register("index.KnowledgePoint.grade", "CREATE INDEX knowledgepoint_grade IF NOT EXISTS FOR (n:KnowledgePoint) ON (n.grade)"),
  register("index.KnowledgePoint.unit", "CREATE INDEX knowledgepoint_unit IF NOT EXISTS FOR (n:KnowledgePoint) ON (n.unitId)"),
  register("index.KnowledgePoint.nameZh", "CREATE TEXT INDEX knowledgepoint_name_zh IF NOT EXISTS FOR (n:KnowledgePoint) ON (n.nameZh)"),
  register("index.KnowledgePoint.nameEn", "CREATE TEXT INDEX knowledgepoint_name_en IF NOT EXISTS FOR (n:KnowledgePoint) ON (n.nameEn)"),
  register(
    "constraint.CurriculumImport",
    "CREATE CONSTRAINT curriculumimport_revision IF NOT EXISTS FOR (n:CurriculumImport) REQUIRE n.revision IS UNIQUE",
  ),
  register(
    "constraint.BktParameterSet",
    "CREATE CONSTRAINT bktparameterset_id IF NOT EXISTS FOR (n:BktParameterSet) REQUIRE n.id IS UNIQUE",
  ),
  register(
    "constraint.BktParameterSet.seq",
    "CREATE CONSTRAINT bktparameterset_seq IF NOT EXISTS FOR (n:BktParameterSet) REQUIRE n.seq IS UNIQUE",
  ),
  register(
    "constraint.BktParameterSet.activation",
    "CREATE CONSTRAINT bktparameterset_activation IF NOT EXISTS FOR (n:BktParameterSet) REQUIRE n.activation IS UNIQUE",
  ),
  register(
    "constraint.BktParameters",
    "CREATE CONSTRAINT bktparameters_set_point IF NOT EXISTS FOR (n:BktParameters) REQUIRE (n.setId, n.knowledgePointId) IS UNIQUE",
  ),
  register("index.BktParameters.point", "CREATE INDEX bktparameters_point IF NOT EXISTS FOR (n:BktParameters) ON (n.knowledgePointId)"),
];

/** Columns of one point's parameters, returned as `p` by the BKT reads below. */
const BKT_POINT_COLUMNS = `p.knowledgePointId AS knowledgePointId, p.prior AS prior, p.learn AS learn, p.forget AS forget,
  p.slip AS slip, p.guess AS guess, p.items AS items, p.itemLearn AS itemLearn`;

export const CYPHER = {
  ping: register("ping", "RETURN 1 AS ok"),

  fingerprints: Object.fromEntries(
    labels.map(([kind, label]) => [
      kind,
      register(`fingerprints.${label}`, `MATCH (n:${label}) RETURN n.id AS key, n.subjectId AS subjectId, n.hash AS hash`),
    ]),
  ) as Record<NodeKind, string>,
  prerequisiteFingerprints: register(
    "fingerprints.PREREQUISITE_OF",
    "MATCH (:KnowledgePoint)-[r:PREREQUISITE_OF]->(:KnowledgePoint) RETURN r.id AS key, r.subjectId AS subjectId, r.hash AS hash",
  ),

  /** $ids: node ids to remove, with every relationship they have. */
  removeNodes: Object.fromEntries(
    labels.map(([kind, label]) => [kind, register(`remove.${label}`, `UNWIND $ids AS id MATCH (n:${label} {id: id}) DETACH DELETE n`)]),
  ) as Record<NodeKind, string>,
  /** $rows: [{fromId, toId}] */
  removePrerequisites: register(
    "remove.PREREQUISITE_OF",
    "UNWIND $rows AS row MATCH (:KnowledgePoint {id: row.fromId})-[r:PREREQUISITE_OF]->(:KnowledgePoint {id: row.toId}) DELETE r",
  ),
  /** $rows: [{id, props}]; `SET n = props` replaces every property, so a changed entity leaves nothing stale. */
  upsertNodes: Object.fromEntries(
    labels.map(([kind, label]) => [
      kind,
      register(`upsert.${label}`, `UNWIND $rows AS row MERGE (n:${label} {id: row.id}) SET n = row.props`),
    ]),
  ) as Record<NodeKind, string>,
  /** $rows: [{fromId, toId, props}] */
  upsertPrerequisites: register(
    "upsert.PREREQUISITE_OF",
    `UNWIND $rows AS row
     MATCH (a:KnowledgePoint {id: row.fromId})
     MATCH (b:KnowledgePoint {id: row.toId})
     MERGE (a)-[r:PREREQUISITE_OF]->(b)
     SET r = row.props`,
  ),
  /** Per node kind and relationship: clear an owner's relationships ($ids), then link ($rows: [{id, targetId, weight}]). */
  clearRelationships: {} as Record<string, string>,
  createRelationships: {} as Record<string, string>,

  recordImport: register(
    "import.record",
    `OPTIONAL MATCH (last:CurriculumImport)
     WITH coalesce(max(last.revision), 0) + 1 AS revision
     CREATE (:CurriculumImport {revision: revision, importedAt: $importedAt, record: $record})`,
  ),
  lastImport: register("import.last", "MATCH (n:CurriculumImport) RETURN n.record AS record ORDER BY n.revision DESC LIMIT 1"),
  revision: register("import.revision", "MATCH (n:CurriculumImport) RETURN coalesce(max(n.revision), 0) AS revision"),

  snapshot: {
    units: register(
      "snapshot.units",
      "MATCH (u:Unit) RETURN u.id AS id, u.subjectId AS subjectId, u.grade AS grade, u.ord AS `order`, u.stageId AS stageId",
    ),
    knowledgePoints: register(
      "snapshot.knowledgePoints",
      `MATCH (k:KnowledgePoint)
       RETURN k.id AS id, k.subjectId AS subjectId, k.unitId AS unitId, k.grade AS grade,
              k.difficultyBand AS difficultyBand, k.ord AS \`order\``,
    ),
    prerequisites: register(
      "snapshot.prerequisites",
      "MATCH (a:KnowledgePoint)-[r:PREREQUISITE_OF]->(b:KnowledgePoint) RETURN a.id AS fromId, b.id AS toId, r.strength AS strength",
    ),
    items: register("snapshot.items", "MATCH (i:Item) RETURN i.id AS id, i.difficulty AS difficulty, i.type AS type"),
    itemKnowledgePoints: register(
      "snapshot.itemKnowledgePoints",
      "MATCH (i:Item)-[r:ASSESSES]->(k:KnowledgePoint) RETURN i.id AS itemId, k.id AS knowledgePointId, r.weight AS weight",
    ),
    itemMisconceptions: register(
      "snapshot.itemMisconceptions",
      "MATCH (i:Item)-[:REVEALS]->(m:Misconception) RETURN i.id AS itemId, m.id AS misconceptionId",
    ),
    misconceptionKnowledgePoints: register(
      "snapshot.misconceptionKnowledgePoints",
      "MATCH (m:Misconception)-[:AFFECTS]->(k:KnowledgePoint) RETURN m.id AS misconceptionId, k.id AS knowledgePointId",
    ),
    resourceKnowledgePoints: register(
      "snapshot.resourceKnowledgePoints",
      "MATCH (r:Resource)-[:TEACHES]->(k:KnowledgePoint) RETURN r.id AS resourceId, k.id AS knowledgePointId",
    ),
  },

  /** $subjectIds: null for all subjects. */
  exportNodes: Object.fromEntries(
    labels.map(([kind, label]) => [
      kind,
      register(
        `export.${label}`,
        `MATCH (n:${label}) WHERE $subjectIds IS NULL OR n.subjectId IN $subjectIds RETURN n.doc AS doc ORDER BY n.id`,
      ),
    ]),
  ) as Record<NodeKind, string>,
  exportPrerequisites: register(
    "export.PREREQUISITE_OF",
    `MATCH (:KnowledgePoint)-[r:PREREQUISITE_OF]->(:KnowledgePoint)
     WHERE $subjectIds IS NULL OR r.subjectId IN $subjectIds
     RETURN r.doc AS doc ORDER BY r.id`,
  ),

  listSubjects: register("list.subjects", "MATCH (n:Subject) RETURN n.doc AS doc ORDER BY n.id"),
  listStages: register("list.stages", "MATCH (n:Stage {subjectId: $subjectId}) RETURN n.doc AS doc ORDER BY n.ord"),
  listDomains: register("list.domains", "MATCH (n:Domain {subjectId: $subjectId}) RETURN n.doc AS doc ORDER BY n.ord"),
  listUnits: register(
    "list.units",
    "MATCH (n:Unit {subjectId: $subjectId}) WHERE $grade IS NULL OR n.grade = $grade RETURN n.doc AS doc ORDER BY n.grade, n.ord",
  ),
  /** $ids: the ids to fetch. */
  getNodes: Object.fromEntries(
    labels.map(([kind, label]) => [
      kind,
      register(`get.${label}`, `UNWIND $ids AS id MATCH (n:${label} {id: id}) RETURN n.id AS id, n.doc AS doc`),
    ]),
  ) as Record<NodeKind, string>,
  /**
   * BKT parameter sets (docs/graph-model.md): (:BktParameterSet)-[:HAS_PARAMETERS]->(:BktParameters).
   * Points are named by `knowledgePointId`, never linked to KnowledgePoint nodes: parameters may be
   * fitted on points outside the curriculum, and a curriculum import must not delete history.
   */
  bkt: {
    exists: register("bkt.exists", "MATCH (s:BktParameterSet {id: $id}) RETURN s.id AS id"),
    createSet: register(
      "bkt.createSet",
      `OPTIONAL MATCH (last:BktParameterSet)
       WITH coalesce(max(last.seq), 0) + 1 AS seq
       CREATE (:BktParameterSet {id: $id, seq: seq, variant: $variant, fittedAt: $fittedAt, savedAt: $savedAt,
                                 createdBy: $createdBy, record: $record})`,
    ),
    /** $rows: [{knowledgePointId, prior, learn, forget, slip, guess, items, itemLearn}]; null items are not stored. */
    createPoints: register(
      "bkt.createPoints",
      `MATCH (s:BktParameterSet {id: $id})
       UNWIND $rows AS row
       CREATE (s)-[:HAS_PARAMETERS]->(:BktParameters {setId: $id, knowledgePointId: row.knowledgePointId,
         prior: row.prior, learn: row.learn, forget: row.forget, slip: row.slip, guess: row.guess,
         items: row.items, itemLearn: row.itemLearn})`,
    ),
    /** The set gets the next activation number; the highest one per point is current. */
    activate: register(
      "bkt.activate",
      `MATCH (s:BktParameterSet {id: $id})
       OPTIONAL MATCH (other:BktParameterSet)
       WITH s, coalesce(max(other.activation), 0) + 1 AS activation
       SET s.activation = activation, s.activatedAt = $activatedAt
       RETURN s.id AS id`,
    ),
    /** $id: one set, or null for all of them, the most recently saved first. */
    sets: register(
      "bkt.sets",
      `MATCH (s:BktParameterSet) WHERE $id IS NULL OR s.id = $id
       RETURN s.id AS id, s.variant AS variant, s.fittedAt AS fittedAt, s.savedAt AS savedAt, s.createdBy AS createdBy,
              s.activation AS activation, s.activatedAt AS activatedAt, s.record AS record,
              COUNT { (s)-[:HAS_PARAMETERS]->(:BktParameters) } AS pointCount,
              CASE WHEN s.activation IS NULL THEN 0 ELSE COUNT {
                MATCH (s)-[:HAS_PARAMETERS]->(p:BktParameters)
                WHERE NOT EXISTS {
                  MATCH (t:BktParameterSet)-[:HAS_PARAMETERS]->(:BktParameters {knowledgePointId: p.knowledgePointId})
                  WHERE t.activation > s.activation
                }
              } END AS currentPointCount
       ORDER BY s.seq DESC`,
    ),
    /** $ids: knowledge point ids; one row per point that an activated set has. */
    current: register(
      "bkt.current",
      `UNWIND $ids AS id
       MATCH (s:BktParameterSet)-[:HAS_PARAMETERS]->(p:BktParameters {knowledgePointId: id})
       WHERE s.activation IS NOT NULL
       WITH id, s, p ORDER BY s.activation DESC
       WITH id, head(collect(s)) AS s, head(collect(p)) AS p
       RETURN s.id AS setId, s.variant AS variant, s.fittedAt AS fittedAt, s.activatedAt AS activatedAt, ${BKT_POINT_COLUMNS}`,
    ),
    history: register(
      "bkt.history",
      `MATCH (s:BktParameterSet)-[:HAS_PARAMETERS]->(p:BktParameters {knowledgePointId: $knowledgePointId})
       RETURN s.id AS setId, s.variant AS variant, s.fittedAt AS fittedAt, s.savedAt AS savedAt,
              s.activation AS activation, s.activatedAt AS activatedAt, ${BKT_POINT_COLUMNS}
       ORDER BY s.seq DESC`,
    ),
    revision: register("bkt.revision", "MATCH (s:BktParameterSet) RETURN coalesce(max(s.activation), 0) AS revision"),
  },

  searchKnowledgePoints: register(
    "search.knowledgePoints",
    `MATCH (k:KnowledgePoint)
     WHERE ($subjectId IS NULL OR k.subjectId = $subjectId)
       AND ($grade IS NULL OR k.grade = $grade)
       AND ($unitId IS NULL OR k.unitId = $unitId)
       AND ($text IS NULL OR k.nameZh CONTAINS $text OR toLower(k.nameEn) CONTAINS toLower($text))
     OPTIONAL MATCH (k)-[:PART_OF]->(u:Unit)
     WITH k, u ORDER BY k.subjectId, k.grade, u.ord, k.ord, k.id
     WITH collect(k.doc) AS matched
     RETURN size(matched) AS totalCount, matched[$offset..($offset + $limit)] AS docs`,
  ),
};

for (const [kind, relationships] of Object.entries(NODE_RELATIONSHIPS) as [NodeKind, readonly RelationshipSpec[]][]) {
  const label = NODE_LABELS[kind];
  for (const [type, target] of relationships) {
    const key = `${kind}.${type}`;
    CYPHER.clearRelationships[key] = register(
      `clear.${label}.${type}`,
      `UNWIND $ids AS id MATCH (:${label} {id: id})-[r:${type}]->(:${target}) DELETE r`,
    );
    CYPHER.createRelationships[key] = register(
      `link.${label}.${type}`,
      `UNWIND $rows AS row
       MATCH (a:${label} {id: row.id})
       MATCH (b:${target} {id: row.targetId})
       CREATE (a)-[:${type} {weight: row.weight}]->(b)`,
    );
  }
}
