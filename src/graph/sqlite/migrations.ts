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
  // 3: learners (docs/graph-model.md, "The learner side"). Schools are tenants; ids of classes,
  // teachers and students are unique across schools. Attempts are append-only and name items and
  // points by id (no reference to curriculum rows). `seq` is the student's recorded order (students.
  // attempt_count + 1), unique per student like the idempotency key. Mastery is one row per
  // (student, point), updated in place. response, misconception_ids and mastery are JSON.
  `
  CREATE TABLE schools (
    id TEXT PRIMARY KEY, name TEXT, created_at TEXT NOT NULL
  ) STRICT;
  CREATE TABLE classes (
    id TEXT PRIMARY KEY,
    school_id TEXT NOT NULL REFERENCES schools (id),
    name TEXT NOT NULL,
    grade INTEGER,
    subject_id TEXT,
    UNIQUE (school_id, name)
  ) STRICT;
  CREATE TABLE teachers (
    id TEXT PRIMARY KEY, school_id TEXT NOT NULL REFERENCES schools (id), display_name TEXT
  ) STRICT;
  CREATE INDEX teachers_by_school ON teachers (school_id, id);
  CREATE TABLE students (
    id TEXT PRIMARY KEY,
    school_id TEXT NOT NULL REFERENCES schools (id),
    display_name TEXT,
    attempt_count INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  CREATE INDEX students_by_school ON students (school_id, id);
  CREATE TABLE class_students (
    class_id TEXT NOT NULL REFERENCES classes (id),
    student_id TEXT NOT NULL REFERENCES students (id),
    PRIMARY KEY (class_id, student_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX class_students_by_student ON class_students (student_id, class_id);
  CREATE TABLE class_teachers (
    class_id TEXT NOT NULL REFERENCES classes (id),
    teacher_id TEXT NOT NULL REFERENCES teachers (id),
    PRIMARY KEY (class_id, teacher_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX class_teachers_by_teacher ON class_teachers (teacher_id, class_id);
  CREATE TABLE attempts (
    id TEXT PRIMARY KEY,
    student_id TEXT NOT NULL REFERENCES students (id),
    seq INTEGER NOT NULL,
    school_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    payload_hash TEXT NOT NULL,
    response TEXT NOT NULL,
    correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
    misconception_ids TEXT NOT NULL,
    response_time_ms INTEGER,
    answered_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    predicted_correct REAL NOT NULL,
    mastery TEXT NOT NULL,
    UNIQUE (student_id, idempotency_key),
    UNIQUE (student_id, seq)
  ) STRICT;
  CREATE TABLE mastery (
    student_id TEXT NOT NULL REFERENCES students (id),
    knowledge_point_id TEXT NOT NULL,
    probability REAL NOT NULL CHECK (probability BETWEEN 0 AND 1),
    attempts INTEGER NOT NULL,
    correct INTEGER NOT NULL,
    last_practised_at TEXT NOT NULL,
    parameter_set_id TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (student_id, knowledge_point_id)
  ) STRICT, WITHOUT ROWID;
  `,
  // 4: the recommender's state — Elo calibration of items (global) and students, target success rates.
  `
  ALTER TABLE students ADD COLUMN ability REAL NOT NULL DEFAULT 0;
  ALTER TABLE students ADD COLUMN ability_attempts INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE students ADD COLUMN target_success REAL CHECK (target_success > 0 AND target_success < 1);
  ALTER TABLE classes ADD COLUMN target_success REAL CHECK (target_success > 0 AND target_success < 1);
  CREATE TABLE item_calibration (
    item_id TEXT PRIMARY KEY,
    difficulty_offset REAL NOT NULL,
    attempts INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  `,
  // 5: lesson plans, append-only; (series, version) numbers the versions of one plan.
  `
  CREATE TABLE lesson_plans (
    id TEXT PRIMARY KEY,
    school_id TEXT NOT NULL REFERENCES schools (id),
    class_id TEXT NOT NULL,
    series TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('zh', 'en')),
    title TEXT NOT NULL,
    inputs TEXT NOT NULL,
    generation TEXT NOT NULL,
    plan TEXT NOT NULL,
    markdown TEXT NOT NULL,
    UNIQUE (series, version)
  ) STRICT;
  CREATE INDEX lesson_plans_by_class ON lesson_plans (class_id);
  `,
];
