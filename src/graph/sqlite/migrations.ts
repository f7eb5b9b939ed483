/**
 * Schema migrations, applied in order and recorded in PRAGMA user_version. Append only: a
 * released migration is never edited, so every data directory can be brought up to date.
 *
 * Curriculum tables share one shape: `key` (entity id), `subject_id`, `hash` (content hash for
 * import diffs), `doc` (the normalized entity as JSON, returned as is), plus the columns that
 * queries filter or sort on. There are no foreign keys between curriculum tables: an import
 * is validated as a whole before it is written, and learner data never depends on curriculum
 * rows existing (an attempt keeps working after its item is retired).
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE subjects (
    key TEXT PRIMARY KEY, subject_id TEXT NOT NULL, hash TEXT NOT NULL, doc TEXT NOT NULL
  ) STRICT;
  CREATE TABLE stages (
    key TEXT PRIMARY KEY, subject_id TEXT NOT NULL, hash TEXT NOT NULL, doc TEXT NOT NULL,
    ord INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE domains (
    key TEXT PRIMARY KEY, subject_id TEXT NOT NULL, hash TEXT NOT NULL, doc TEXT NOT NULL,
    ord INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE units (
    key TEXT PRIMARY KEY, subject_id TEXT NOT NULL, hash TEXT NOT NULL, doc TEXT NOT NULL,
    grade INTEGER NOT NULL, ord INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX units_by_subject ON units (subject_id, grade, ord);
  CREATE TABLE knowledge_points (
    key TEXT PRIMARY KEY, subject_id TEXT NOT NULL, hash TEXT NOT NULL, doc TEXT NOT NULL,
    unit_id TEXT NOT NULL, grade INTEGER NOT NULL, ord INTEGER NOT NULL,
    name_zh TEXT NOT NULL, name_en TEXT NOT NULL, difficulty_band INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX knowledge_points_by_subject ON knowledge_points (subject_id, grade);
  CREATE INDEX knowledge_points_by_unit ON knowledge_points (unit_id, ord);
  CREATE TABLE prerequisites (
    key TEXT PRIMARY KEY, subject_id TEXT NOT NULL, hash TEXT NOT NULL, doc TEXT NOT NULL,
    from_id TEXT NOT NULL, to_id TEXT NOT NULL, strength REAL NOT NULL
  ) STRICT;
  CREATE INDEX prerequisites_by_subject ON prerequisites (subject_id);
  CREATE TABLE item_templates (
    key TEXT PRIMARY KEY, subject_id TEXT NOT NULL, hash TEXT NOT NULL, doc TEXT NOT NULL
  ) STRICT;
  CREATE TABLE items (
    key TEXT PRIMARY KEY, subject_id TEXT NOT NULL, hash TEXT NOT NULL, doc TEXT NOT NULL,
    type TEXT NOT NULL, difficulty INTEGER NOT NULL, template_id TEXT
  ) STRICT;
  CREATE INDEX items_by_subject ON items (subject_id);
  CREATE TABLE item_knowledge_points (
    item_id TEXT NOT NULL, knowledge_point_id TEXT NOT NULL, weight REAL NOT NULL,
    PRIMARY KEY (item_id, knowledge_point_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX item_knowledge_points_by_point ON item_knowledge_points (knowledge_point_id);
  CREATE TABLE item_misconceptions (
    item_id TEXT NOT NULL, misconception_id TEXT NOT NULL,
    PRIMARY KEY (item_id, misconception_id)
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE misconceptions (
    key TEXT PRIMARY KEY, subject_id TEXT NOT NULL, hash TEXT NOT NULL, doc TEXT NOT NULL
  ) STRICT;
  CREATE TABLE misconception_knowledge_points (
    misconception_id TEXT NOT NULL, knowledge_point_id TEXT NOT NULL,
    PRIMARY KEY (misconception_id, knowledge_point_id)
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE resources (
    key TEXT PRIMARY KEY, subject_id TEXT NOT NULL, hash TEXT NOT NULL, doc TEXT NOT NULL
  ) STRICT;
  CREATE TABLE resource_knowledge_points (
    resource_id TEXT NOT NULL, knowledge_point_id TEXT NOT NULL,
    PRIMARY KEY (resource_id, knowledge_point_id)
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE curriculum_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT, imported_at TEXT NOT NULL, record TEXT NOT NULL
  ) STRICT;
  `,
  // 2: fitted BKT parameter sets, append-only. `seq` orders sets by saving; `activation` grows
  // with every activation (NULL: never activated), and per knowledge point the set with the
  // highest activation is current. `record` is the provenance JSON (source, fit, metrics).
  // knowledge_point_id is not a reference: parameters may be fitted on points outside the curriculum.
  `
  CREATE TABLE bkt_parameter_sets (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    variant TEXT NOT NULL,
    fitted_at TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    activation INTEGER UNIQUE,
    activated_at TEXT,
    record TEXT NOT NULL
  ) STRICT;
  CREATE TABLE bkt_parameters (
    set_id TEXT NOT NULL REFERENCES bkt_parameter_sets (id),
    knowledge_point_id TEXT NOT NULL,
    prior REAL NOT NULL CHECK (prior BETWEEN 0 AND 1),
    learn REAL NOT NULL CHECK (learn BETWEEN 0 AND 1),
    forget REAL NOT NULL CHECK (forget BETWEEN 0 AND 1),
    slip REAL NOT NULL CHECK (slip BETWEEN 0 AND 1),
    guess REAL NOT NULL CHECK (guess BETWEEN 0 AND 1),
    items TEXT,
    item_learn TEXT,
    PRIMARY KEY (set_id, knowledge_point_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX bkt_parameters_by_point ON bkt_parameters (knowledge_point_id, set_id);
  `,
];
