/**
 * The in-memory layout BKT works on: every (knowledge point, student) sequence of observations
 * laid out contiguously in typed arrays, sequences grouped by knowledge point. EM, prediction
 * and cross-validation walk these arrays without allocating; worker threads share them through
 * SharedArrayBuffers instead of copying.
 */

/** The typed arrays of a dataset: all that fitting needs, and what worker threads share. */
export interface TraceArrays {
  /** Number of distinct items (0 when the data has no item column). */
  itemCount: number;
  /** Per observation: 1 correct, 0 wrong, −1 an opportunity with no observation. */
  observations: Int8Array;
  /** Per observation: item index, or −1 without items. */
  itemOf: Int32Array;
  /** Sequence s holds observations [sequenceStart[s], sequenceStart[s + 1]). */
  sequenceStart: Int32Array;
  sequenceStudent: Int32Array;
  /** Skill k holds sequences [skillSequenceStart[k], skillSequenceStart[k + 1]). */
  skillSequenceStart: Int32Array;
}

export interface TraceDataset extends TraceArrays {
  /** Knowledge point (skill) names by index. */
  skills: string[];
  /** Student ids by index. */
  students: string[];
  /** Item ids by index; empty when the data has no item column. */
  items: string[];
}

/** The arrays alone (no names), for a worker thread. */
export function traceArrays(dataset: TraceDataset): TraceArrays {
  const { observations, itemOf, sequenceStart, sequenceStudent, skillSequenceStart, itemCount } = dataset;
  return { observations, itemOf, sequenceStart, sequenceStudent, skillSequenceStart, itemCount };
}

/** Rows as read from a file, one entry per kept row, before ordering. */
export interface TraceRows {
  skills: string[];
  students: string[];
  items: string[];
  skill: Int32Array;
  student: Int32Array;
  item: Int32Array;
  correct: Int8Array;
  /** Sort key within a student; ties keep file order. */
  order: Float64Array;
  length: number;
}

function sharedInt32(length: number, shared: boolean): Int32Array {
  return shared ? new Int32Array(new SharedArrayBuffer(Math.max(4, length * 4))).subarray(0, length) : new Int32Array(length);
}

/**
 * Orders rows by (skill, student, order, file position) with two stable counting sorts after
 * one sort by order, and lays them out as sequences. `shared` backs the arrays with
 * SharedArrayBuffers for worker threads.
 */
export function layoutTraces(rows: TraceRows, shared = false): TraceDataset {
  const n = rows.length;
  let byOrder: Int32Array = new Int32Array(n);
  for (let i = 0; i < n; i++) byOrder[i] = i;
  if (!orderedWithinStudents(rows)) {
    const order = rows.order;
    byOrder.sort((a, b) => (order[a] as number) - (order[b] as number) || a - b);
  }
  byOrder = countingSort(byOrder, rows.student, rows.students.length);
  const sorted = countingSort(byOrder, rows.skill, rows.skills.length);

  const observations = shared ? new Int8Array(new SharedArrayBuffer(Math.max(1, n))).subarray(0, n) : new Int8Array(n);
  const itemOf = sharedInt32(n, shared);
  let sequences = 0;
  for (let i = 0; i < n; i++) {
    const r = sorted[i] as number;
    const previous = i > 0 ? (sorted[i - 1] as number) : -1;
    if (previous < 0 || rows.skill[previous] !== rows.skill[r] || rows.student[previous] !== rows.student[r]) sequences++;
    observations[i] = rows.correct[r] as number;
    itemOf[i] = rows.item[r] as number;
  }
  const sequenceStart = sharedInt32(sequences + 1, shared);
  const sequenceStudent = sharedInt32(sequences, shared);
  const skillSequenceStart = sharedInt32(rows.skills.length + 1, shared);
  let s = -1;
  let skill = -1;
  for (let i = 0; i < n; i++) {
    const r = sorted[i] as number;
    const previous = i > 0 ? (sorted[i - 1] as number) : -1;
    if (previous < 0 || rows.skill[previous] !== rows.skill[r] || rows.student[previous] !== rows.student[r]) {
      s++;
      sequenceStart[s] = i;
      sequenceStudent[s] = rows.student[r] as number;
      const k = rows.skill[r] as number;
      while (skill < k) skillSequenceStart[++skill] = s;
    }
  }
  sequenceStart[sequences] = n;
  while (skill < rows.skills.length) skillSequenceStart[++skill] = sequences;
  return {
    skills: rows.skills,
    students: rows.students,
    items: rows.items,
    itemCount: rows.items.length,
    observations,
    itemOf,
    sequenceStart,
    sequenceStudent,
    skillSequenceStart,
  };
}

/** True when each student's rows already appear in non-decreasing order: no sort needed. */
function orderedWithinStudents(rows: TraceRows): boolean {
  const last = new Float64Array(rows.students.length).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < rows.length; i++) {
    const student = rows.student[i] as number;
    const order = rows.order[i] as number;
    if (order < (last[student] as number)) return false;
    last[student] = order;
  }
  return true;
}

/** Stable counting sort of `indices` by `key[index]` in [0, buckets). */
function countingSort(indices: Int32Array, key: Int32Array, buckets: number): Int32Array {
  const counts = new Int32Array(buckets + 1);
  for (let i = 0; i < indices.length; i++) {
    const b = (key[indices[i] as number] as number) + 1;
    counts[b] = (counts[b] as number) + 1;
  }
  for (let b = 0; b < buckets; b++) (counts[b + 1] as number) += counts[b] as number;
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i] as number;
    const b = key[index] as number;
    const position = counts[b] as number;
    out[position] = index;
    counts[b] = position + 1;
  }
  return out;
}

/** Sizes of a dataset, for reports. */
export function datasetStats(dataset: TraceDataset) {
  return {
    rows: dataset.observations.length,
    students: dataset.students.length,
    skills: dataset.skills.length,
    items: dataset.items.length,
    sequences: dataset.sequenceStudent.length,
  };
}

/**
 * How cross-validation splits students into folds.
 * - `student`: each student lands in one fold for every knowledge point, so no fold ever trains
 *   on a student it tests. Required by any model that shares something across a student's points.
 * - `skill-student`: students are dealt into folds separately for each knowledge point, as pyBKT
 *   does. Since a BKT model is per point, this is as sound for per-point variants, and every
 *   point's folds are balanced, which lowers the variance of the estimate.
 * Both test every student's every sequence exactly once.
 */
export const FOLD_SPLITS = ["student", "skill-student"] as const;
export type FoldSplit = (typeof FOLD_SPLITS)[number];

/** Seeded shuffled round-robin of `count` members into folds: sizes differ by at most one. */
function dealIntoFolds(count: number, folds: number, random: { next(): number }): Int8Array {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    const tmp = order[i] as number;
    order[i] = order[j] as number;
    order[j] = tmp;
  }
  const fold = new Int8Array(count);
  for (let i = 0; i < count; i++) fold[order[i] as number] = i % folds;
  return fold;
}

/**
 * The fold of every (student, knowledge point) sequence. Sequences of one student and point are
 * never split: a student's history on a point is tested whole, from its first answer.
 */
export function assignFolds(dataset: TraceArrays, folds: number, split: FoldSplit, random: { next(): number }): Int8Array {
  const sequences = dataset.sequenceStudent.length;
  const sequenceFold = new Int8Array(sequences);
  if (split === "student") {
    let students = 0;
    for (let s = 0; s < sequences; s++) students = Math.max(students, (dataset.sequenceStudent[s] as number) + 1);
    const studentFold = dealIntoFolds(students, folds, random);
    for (let s = 0; s < sequences; s++) sequenceFold[s] = studentFold[dataset.sequenceStudent[s] as number] as number;
    return sequenceFold;
  }
  // Within a point each student has exactly one sequence, so dealing the point's sequences deals its students.
  const skills = dataset.skillSequenceStart.length - 1;
  for (let k = 0; k < skills; k++) {
    const from = dataset.skillSequenceStart[k] as number;
    const to = dataset.skillSequenceStart[k + 1] as number;
    sequenceFold.set(dealIntoFolds(to - from, folds, random), from);
  }
  return sequenceFold;
}
