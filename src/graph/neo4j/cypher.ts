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
  labels: [
    ...Object.values(NODE_LABELS),
    "CurriculumImport",
    "BktParameterSet",
    "BktParameters",
    "School",
    "Class",
    "Teacher",
    "Student",
    "Attempt",
    "Mastery",
    "ItemCalibration",
    "LessonPlan",
  ],
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
    "MEMBER_OF",
    "TEACHER_OF",
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
    "name",
    "createdAt",
    "schoolId",
    "displayName",
    "attemptCount",
    "lastAnswerAt",
    "studentId",
    "itemId",
    "idempotencyKey",
    "payloadHash",
    "response",
    "correct",
    "misconceptionIds",
    "responseTimeMs",
    "answeredAt",
    "recordedAt",
    "predictedCorrect",
    "mastery",
    "probability",
    "attempts",
    "lastPractisedAt",
    "parameterSetId",
    "updatedAt",
    "classId",
    "teacherId",
    "ability",
    "abilityAttempts",
    "targetSuccessRate",
    "offset",
    "series",
    "version",
    "createdBy",
    "language",
    "title",
    "inputs",
    "generation",
    "plan",
    "markdown",
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
    name: "7A",
    schoolId: "school",
    classId: "class",
    teacherId: "teacher",
    studentId: "student",
    idempotencyKey: "key",
    recordedAt: "2026-01-01T00:00:00Z",
    createdAt: "2026-01-01T00:00:00Z",
    seq: 1,
    before: 10,
    props: {},
    keys: [],
    itemIds: [],
    itemId: "item",
    difficultyDelta: 0.1,
    abilityDelta: 0.1,
    rate: 0.7,
    series: "series",
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

/** Learner labels that have an `id` (Mastery is keyed by (studentId, knowledgePointId)). */
export const LEARNER_LABELS = ["School", "Class", "Teacher", "Student", "Attempt"] as const;
export type LearnerLabel = (typeof LEARNER_LABELS)[number];

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
  // Learners (docs/graph-model.md, "The learner side").
  ...LEARNER_LABELS.map((label) =>
    register(`constraint.${label}`, `CREATE CONSTRAINT ${label.toLowerCase()}_id IF NOT EXISTS FOR (n:${label}) REQUIRE n.id IS UNIQUE`),
  ),
  ...(["Class", "Teacher", "Student"] as const).map((label) =>
    register(`index.${label}.school`, `CREATE INDEX ${label.toLowerCase()}_school IF NOT EXISTS FOR (n:${label}) ON (n.schoolId)`),
  ),
  register(
    "constraint.Attempt.key",
    "CREATE CONSTRAINT attempt_student_key IF NOT EXISTS FOR (n:Attempt) REQUIRE (n.studentId, n.idempotencyKey) IS UNIQUE",
  ),
  register(
    "constraint.Attempt.seq",
    "CREATE CONSTRAINT attempt_student_seq IF NOT EXISTS FOR (n:Attempt) REQUIRE (n.studentId, n.seq) IS UNIQUE",
  ),
  register(
    "constraint.Mastery",
    "CREATE CONSTRAINT mastery_student_point IF NOT EXISTS FOR (n:Mastery) REQUIRE (n.studentId, n.knowledgePointId) IS UNIQUE",
  ),
  register("constraint.LessonPlan.id", "CREATE CONSTRAINT lesson_plan_id IF NOT EXISTS FOR (n:LessonPlan) REQUIRE n.id IS UNIQUE"),
  register(
    "constraint.LessonPlan.version",
    "CREATE CONSTRAINT lesson_plan_version IF NOT EXISTS FOR (n:LessonPlan) REQUIRE (n.series, n.version) IS UNIQUE",
  ),
  register("index.LessonPlan.classId", "CREATE INDEX lesson_plan_class IF NOT EXISTS FOR (n:LessonPlan) ON (n.classId)"),
  register(
    "constraint.ItemCalibration",
    "CREATE CONSTRAINT item_calibration_item IF NOT EXISTS FOR (n:ItemCalibration) REQUIRE n.itemId IS UNIQUE",
  ),
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

  /**
   * Learners (docs/graph-model.md): School, Class, Teacher, Student carry `schoolId`; enrolment is
   * (:Student)-[:MEMBER_OF]->(:Class) and (:Teacher)-[:TEACHER_OF]->(:Class). Attempt and Mastery
   * name the student, item and point by id and have no relationships, so writing an answer locks
   * nothing shared by other students.
   */
  learners: {
    upsertSchool: register(
      "learners.upsertSchool",
      `OPTIONAL MATCH (old:School {id: $id})
       WITH old IS NULL AS created
       MERGE (s:School {id: $id})
       ON CREATE SET s.createdAt = $createdAt
       SET s.name = coalesce($name, s.name)
       RETURN created`,
    ),
    /** $ids: nodes by id, with all their properties. */
    get: Object.fromEntries(
      LEARNER_LABELS.map((label) => [
        label,
        register(`learners.get.${label}`, `UNWIND $ids AS id MATCH (n:${label} {id: id}) RETURN properties(n) AS props`),
      ]),
    ) as Record<LearnerLabel, string>,
    listSchoolIds: register("learners.listSchoolIds", "MATCH (s:School) RETURN s.id AS id ORDER BY id LIMIT $limit"),
    /** Attempt and Mastery nodes carry the student id, so they go with the school's students. */
    deleteSchool: register(
      "learners.deleteSchool",
      `MATCH (school:School {id: $schoolId})
       OPTIONAL MATCH (st:Student {schoolId: $schoolId})
       WITH school, collect(st.id) AS studentIds
       OPTIONAL MATCH (a:Attempt) WHERE a.studentId IN studentIds
       WITH school, studentIds, collect(a) AS attempts
       OPTIONAL MATCH (m:Mastery) WHERE m.studentId IN studentIds
       WITH school, studentIds, attempts, collect(m) AS masteries
       OPTIONAL MATCH (n) WHERE (n:Class OR n:Teacher OR n:Student OR n:LessonPlan) AND n.schoolId = $schoolId
       WITH school, studentIds, attempts, masteries, collect(n) AS people
       FOREACH (x IN attempts | DELETE x)
       FOREACH (x IN masteries | DELETE x)
       FOREACH (x IN people | DETACH DELETE x)
       DETACH DELETE school
       RETURN size(studentIds) AS students, size(attempts) AS attempts`,
    ),
    listClasses: register(
      "learners.list.Class",
      "MATCH (n:Class {schoolId: $schoolId}) RETURN properties(n) AS props ORDER BY n.grade, n.name, n.id",
    ),
    listTeachers: register("learners.list.Teacher", "MATCH (n:Teacher {schoolId: $schoolId}) RETURN properties(n) AS props ORDER BY n.id"),
    listStudents: register("learners.list.Student", "MATCH (n:Student {schoolId: $schoolId}) RETURN properties(n) AS props ORDER BY n.id"),
    /** $rows: [{id, name}]; classes of the school that already use a name under another id. */
    classNameHolders: register(
      "learners.classNameHolders",
      `UNWIND $rows AS row
       MATCH (c:Class {schoolId: $schoolId, name: row.name}) WHERE c.id <> row.id
       RETURN row.name AS name, c.id AS id`,
    ),
    /** $rows: [{id, name, grade, subjectId}]; a null grade or subject keeps the stored one. */
    upsertClasses: register(
      "learners.upsertClasses",
      `UNWIND $rows AS row
       MERGE (c:Class {id: row.id})
       ON CREATE SET c.schoolId = $schoolId
       SET c.name = row.name, c.grade = coalesce(row.grade, c.grade), c.subjectId = coalesce(row.subjectId, c.subjectId)`,
    ),
    /** $rows: [{id, displayName}]; a null display name keeps the stored one. */
    upsertTeachers: register(
      "learners.upsertTeachers",
      `UNWIND $rows AS row
       MERGE (n:Teacher {id: row.id})
       ON CREATE SET n.schoolId = $schoolId
       SET n.displayName = coalesce(row.displayName, n.displayName)`,
    ),
    upsertStudents: register(
      "learners.upsertStudents",
      `UNWIND $rows AS row
       MERGE (n:Student {id: row.id})
       ON CREATE SET n.schoolId = $schoolId, n.attemptCount = 0
       SET n.displayName = coalesce(row.displayName, n.displayName)`,
    ),
    /** $rows: [{classId, studentId}]; returns how many links existed before. */
    enrol: register(
      "learners.enrol",
      `UNWIND $rows AS row
       MATCH (s:Student {id: row.studentId})
       MATCH (c:Class {id: row.classId})
       OPTIONAL MATCH (s)-[old:MEMBER_OF]->(c)
       WITH s, c, old
       MERGE (s)-[:MEMBER_OF]->(c)
       RETURN count(old) AS unchanged`,
    ),
    /** $rows: [{classId, teacherId}] */
    assignTeachers: register(
      "learners.assignTeachers",
      `UNWIND $rows AS row
       MATCH (t:Teacher {id: row.teacherId})
       MATCH (c:Class {id: row.classId})
       OPTIONAL MATCH (t)-[old:TEACHER_OF]->(c)
       WITH t, c, old
       MERGE (t)-[:TEACHER_OF]->(c)
       RETURN count(old) AS unchanged`,
    ),
    studentsOfClass: register(
      "learners.studentsOfClass",
      "MATCH (s:Student)-[:MEMBER_OF]->(:Class {id: $classId}) RETURN s.id AS id ORDER BY id",
    ),
    teachersOfClass: register(
      "learners.teachersOfClass",
      "MATCH (t:Teacher)-[:TEACHER_OF]->(:Class {id: $classId}) RETURN t.id AS id ORDER BY id",
    ),
    classesOfStudent: register(
      "learners.classesOfStudent",
      "MATCH (:Student {id: $studentId})-[:MEMBER_OF]->(c:Class) RETURN c.id AS id ORDER BY id",
    ),
    classesOfTeacher: register(
      "learners.classesOfTeacher",
      "MATCH (:Teacher {id: $teacherId})-[:TEACHER_OF]->(c:Class) RETURN c.id AS id ORDER BY id",
    ),
    /**
     * Takes the student's write lock for the rest of the transaction (a property write locks the
     * node): every answer of one student is serialized here, before its idempotency check and
     * its read of mastery.
     */
    lockStudent: register(
      "learners.lockStudent",
      `MATCH (s:Student {id: $studentId})
       SET s.lastAnswerAt = $recordedAt
       RETURN s.schoolId AS schoolId, coalesce(s.attemptCount, 0) AS attemptCount,
              coalesce(s.ability, 0.0) AS ability, coalesce(s.abilityAttempts, 0) AS abilityAttempts`,
    ),
    itemCalibration: register(
      "learners.itemCalibration",
      "OPTIONAL MATCH (c:ItemCalibration {itemId: $itemId}) RETURN coalesce(c.offset, 0.0) AS offset, coalesce(c.attempts, 0) AS attempts",
    ),
    /** Increments, not assignments: concurrent answers on one item by different students commute. */
    applyCalibration: register(
      "learners.applyCalibration",
      `MATCH (s:Student {id: $studentId})
       SET s.ability = coalesce(s.ability, 0.0) + $abilityDelta, s.abilityAttempts = coalesce(s.abilityAttempts, 0) + 1
       MERGE (c:ItemCalibration {itemId: $itemId})
       SET c.offset = coalesce(c.offset, 0.0) + $difficultyDelta, c.attempts = coalesce(c.attempts, 0) + 1`,
    ),
    /** $itemIds: item ids, or null for all. */
    itemCalibrations: register(
      "learners.itemCalibrations",
      `MATCH (c:ItemCalibration) WHERE $itemIds IS NULL OR c.itemId IN $itemIds
       RETURN c.itemId AS itemId, c.offset AS offset, c.attempts AS attempts ORDER BY c.itemId`,
    ),
    recommendationProfile: register(
      "learners.recommendationProfile",
      `MATCH (s:Student {id: $studentId})
       OPTIONAL MATCH (s)-[:MEMBER_OF]->(c:Class) WHERE c.targetSuccessRate IS NOT NULL
       WITH s, c ORDER BY c.id
       RETURN coalesce(s.ability, 0.0) AS ability, coalesce(s.abilityAttempts, 0) AS abilityAttempts,
              s.targetSuccessRate AS targetSuccessRate,
              collect(CASE WHEN c IS NULL THEN null ELSE {classId: c.id, targetSuccessRate: c.targetSuccessRate} END) AS classTargets`,
    ),
    setClassTarget: register(
      "learners.setClassTarget",
      "MATCH (c:Class {id: $classId}) SET c.targetSuccessRate = $rate RETURN count(c) AS found",
    ),
    setStudentTarget: register(
      "learners.setStudentTarget",
      "MATCH (s:Student {id: $studentId}) SET s.targetSuccessRate = $rate RETURN count(s) AS found",
    ),
    attemptByKey: register(
      "learners.attemptByKey",
      "MATCH (a:Attempt {studentId: $studentId, idempotencyKey: $idempotencyKey}) RETURN properties(a) AS props",
    ),
    /** $keys: [{studentId, idempotencyKey}] */
    attemptsByKeys: register(
      "learners.attemptsByKeys",
      `UNWIND $keys AS key
       MATCH (a:Attempt {studentId: key.studentId, idempotencyKey: key.idempotencyKey})
       RETURN properties(a) AS props`,
    ),
    /** $ids: knowledge point ids. */
    masteryOf: register(
      "learners.masteryOf",
      `UNWIND $ids AS id
       MATCH (m:Mastery {studentId: $studentId, knowledgePointId: id})
       RETURN properties(m) AS props`,
    ),
    /** $props: the attempt's properties (response and mastery as JSON text); $seq: its sequence. */
    createAttempt: register(
      "learners.createAttempt",
      `MATCH (s:Student {id: $studentId})
       SET s.attemptCount = $seq
       CREATE (:Attempt $props)`,
    ),
    /** $rows: [{knowledgePointId, probability, attempts, correct, lastPractisedAt, parameterSetId, updatedAt}] */
    writeMastery: register(
      "learners.writeMastery",
      `UNWIND $rows AS row
       MERGE (m:Mastery {studentId: $studentId, knowledgePointId: row.knowledgePointId})
       SET m.probability = row.probability, m.attempts = row.attempts, m.correct = row.correct,
           m.lastPractisedAt = row.lastPractisedAt, m.parameterSetId = row.parameterSetId, m.updatedAt = row.updatedAt`,
    ),
    history: register(
      "learners.history",
      `MATCH (a:Attempt {studentId: $studentId}) WHERE a.seq < $before
       RETURN properties(a) AS props ORDER BY a.seq DESC LIMIT $limit`,
    ),
    attemptCount: register("learners.attemptCount", "MATCH (a:Attempt {studentId: $studentId}) RETURN count(a) AS total"),
    /** $ids: knowledge point ids, or null for all. */
    studentMastery: register(
      "learners.studentMastery",
      `MATCH (m:Mastery {studentId: $studentId}) WHERE $ids IS NULL OR m.knowledgePointId IN $ids
       RETURN properties(m) AS props ORDER BY m.knowledgePointId`,
    ),
    classMastery: register(
      "learners.classMastery",
      `MATCH (s:Student)-[:MEMBER_OF]->(:Class {id: $classId})
       MATCH (m:Mastery {studentId: s.id}) WHERE $ids IS NULL OR m.knowledgePointId IN $ids
       RETURN properties(m) AS props ORDER BY m.studentId, m.knowledgePointId`,
    ),
  },

  lessonPlans: {
    lastVersion: register(
      "lessonPlans.lastVersion",
      "OPTIONAL MATCH (p:LessonPlan {series: $series}) RETURN coalesce(max(p.version), 0) AS version",
    ),
    /** $props: the plan's properties (inputs, generation and plan as JSON text). */
    create: register("lessonPlans.create", "CREATE (:LessonPlan $props)"),
    byIds: register("lessonPlans.byIds", "UNWIND $ids AS id MATCH (p:LessonPlan {id: id}) RETURN properties(p) AS props"),
    ofClass: register(
      "lessonPlans.ofClass",
      `MATCH (p:LessonPlan {classId: $classId})
       WITH p ORDER BY p.createdAt DESC, p.version DESC
       WITH collect(properties(p)) AS plans
       RETURN size(plans) AS totalCount, plans[$offset..($offset + $limit)] AS nodes`,
    ),
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
