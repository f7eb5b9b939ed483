/**
 * Independent vs conjunctive updates for items that assess several knowledge points, measured on
 * ASSISTments 2009 (AKT flat file). That file expands a multi-skill problem into consecutive rows
 * of one student, one per skill, with the same problem_id and the same `correct`; collapsing
 * such runs gives one answer with its set of skills.
 *
 * Protocol: students are dealt into 5 folds (seeded). For each fold, standard BKT is fitted per
 * skill (fitModel) on the other folds' expanded rows, as pyBKT would; then every held-out student
 * is forward-filtered answer by answer in order, twice — once with the independent update
 * (updateIndependent) and once with the conjunctive one (updateConjunctive), each method keeping
 * its own masteries. Every answer is predicted once per method before its update: a single-skill
 * answer by predictCorrect; a multi-skill one by the mean of the points' predictCorrect
 * (independent) or predictConjunctive (conjunctive).
 */
import { layoutTraces, type TraceRows } from "../src/bkt/dataset.js";
import { DEFAULT_EM_OPTIONS } from "../src/bkt/em.js";
import { fitModel } from "../src/bkt/fit.js";
import { computeMetrics, type PredictionMetrics } from "../src/bkt/metrics.js";
import {
  type AssessedPoint,
  predictConjunctive,
  predictCorrect,
  updateConjunctive,
  updateIndependent,
  updateMastery,
} from "../src/bkt/online.js";
import { type BktParameters, DEFAULT_PARAMETERS } from "../src/bkt/parameters.js";
import { SeededRandom } from "../src/bkt/random.js";
import { readTraceFile } from "../src/bkt/trace-file.js";
import { noProgress } from "./kt-datasets.js";

export interface MultiSkillReport {
  answers: number;
  multiSkillAnswers: number;
  /** Extra rows the expansion added (rows − answers). */
  expansionRows: number;
  skillsPerMultiAnswer: number;
  folds: number;
  independent: { multi: PredictionMetrics; all: PredictionMetrics; single: PredictionMetrics; expandedRows: PredictionMetrics };
  conjunctive: { multi: PredictionMetrics; all: PredictionMetrics; single: PredictionMetrics };
  seconds: number;
}

interface Answer {
  student: number;
  skills: number[];
  correct: number;
}

/** Collapses each student's runs of rows with the same item (and answer) into one answer. */
function collapse(rows: TraceRows): Answer[] {
  const index = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) index[i] = i;
  index.sort((a, b) => (rows.student[a] as number) - (rows.student[b] as number) || (rows.order[a] as number) - (rows.order[b] as number));
  const answers: Answer[] = [];
  let current: Answer | undefined;
  let currentItem = -1;
  for (let i = 0; i < index.length; i++) {
    const r = index[i] as number;
    const student = rows.student[r] as number;
    const skill = rows.skill[r] as number;
    const item = rows.item[r] as number;
    const correct = rows.correct[r] as number;
    if (correct < 0) continue;
    if (current && current.student === student && currentItem === item && current.correct === correct && !current.skills.includes(skill)) {
      current.skills.push(skill);
      continue;
    }
    current = { student, skills: [skill], correct };
    currentItem = item;
    answers.push(current);
  }
  return answers;
}

function subsetRows(rows: TraceRows, keep: (row: number) => boolean): TraceRows {
  const picked: number[] = [];
  for (let i = 0; i < rows.length; i++) if (keep(i)) picked.push(i);
  const take = <T extends Int32Array | Int8Array | Float64Array>(array: T): T => {
    const out = new (array.constructor as new (n: number) => T)(picked.length);
    for (let i = 0; i < picked.length; i++) out[i] = array[picked[i] as number] as number;
    return out;
  };
  return {
    skills: rows.skills,
    students: rows.students,
    items: rows.items,
    skill: take(rows.skill),
    student: take(rows.student),
    item: take(rows.item),
    correct: take(rows.correct),
    order: take(rows.order),
    length: picked.length,
  };
}

class Sink {
  predictions: number[] = [];
  labels: number[] = [];
  push(p: number, y: number) {
    this.predictions.push(p);
    this.labels.push(y);
  }
  metrics(): PredictionMetrics {
    return computeMetrics(Float64Array.from(this.predictions), Int8Array.from(this.labels));
  }
}

export async function compareMultiSkill(
  file: string,
  columns: { user: string; skill: string; correct: string; order: string; item: string },
  options: { folds: number; seed: number; threads: number; log: (message: string) => void },
): Promise<MultiSkillReport> {
  const started = performance.now();
  const { rows } = readTraceFile(file, { columns, orderExplicit: true });
  const answers = collapse(rows);
  const multi = answers.filter((a) => a.skills.length > 1);
  const studentFold = new Int8Array(rows.students.length);
  const random = new SeededRandom(options.seed);
  const order = random.shuffle(rows.students.map((_, i) => i));
  order.forEach((student, i) => {
    studentFold[student] = i % options.folds;
  });

  const ind = { multi: new Sink(), all: new Sink(), single: new Sink(), expandedRows: new Sink() };
  const conj = { multi: new Sink(), all: new Sink(), single: new Sink() };
  const out = new Float64Array(16);
  for (let fold = 0; fold < options.folds; fold++) {
    const training = layoutTraces(
      subsetRows(rows, (r) => studentFold[rows.student[r] as number] !== fold),
      options.threads > 1,
    );
    const { model } = await fitModel(
      training,
      { ...DEFAULT_EM_OPTIONS, variant: "standard" },
      { threads: options.threads, onProgress: noProgress },
    );
    const parameters: BktParameters[] = rows.skills.map((name) => model.skills[name] ?? { ...DEFAULT_PARAMETERS });
    options.log(`multi-skill comparison: fold ${fold + 1}/${options.folds} fitted`);
    // Masteries per method, per (student, skill) of this fold's students.
    const independent = new Map<number, number>();
    const conjunctive = new Map<number, number>();
    const key = (student: number, skill: number) => student * rows.skills.length + skill;
    for (const answer of answers) {
      if (studentFold[answer.student] !== fold) continue;
      const y = answer.correct;
      const correct = y === 1;
      if (answer.skills.length === 1) {
        const skill = answer.skills[0] as number;
        const p = parameters[skill] as BktParameters;
        const k = key(answer.student, skill);
        const mi = independent.get(k) ?? p.prior;
        const mc = conjunctive.get(k) ?? p.prior;
        const pi = predictCorrect(mi, p);
        const pc = predictCorrect(mc, p);
        ind.single.push(pi, y);
        ind.all.push(pi, y);
        ind.expandedRows.push(pi, y);
        conj.single.push(pc, y);
        conj.all.push(pc, y);
        independent.set(k, updateMastery(mi, correct, p));
        conjunctive.set(k, updateMastery(mc, correct, p));
        continue;
      }
      const pointsI: AssessedPoint[] = answer.skills.map((skill) => {
        const p = parameters[skill] as BktParameters;
        return { mastery: independent.get(key(answer.student, skill)) ?? p.prior, parameters: p, weight: 1 };
      });
      const pointsC: AssessedPoint[] = answer.skills.map((skill) => {
        const p = parameters[skill] as BktParameters;
        return { mastery: conjunctive.get(key(answer.student, skill)) ?? p.prior, parameters: p, weight: 1 };
      });
      let mean = 0;
      for (const point of pointsI) {
        const p = predictCorrect(point.mastery, point.parameters);
        ind.expandedRows.push(p, y);
        mean += p / pointsI.length;
      }
      ind.multi.push(mean, y);
      ind.all.push(mean, y);
      const pc = predictConjunctive(pointsC);
      conj.multi.push(pc, y);
      conj.all.push(pc, y);
      updateIndependent(pointsI, correct, out);
      answer.skills.forEach((skill, k) => {
        independent.set(key(answer.student, skill), out[k] as number);
      });
      updateConjunctive(pointsC, correct, out);
      answer.skills.forEach((skill, k) => {
        conjunctive.set(key(answer.student, skill), out[k] as number);
      });
    }
  }
  return {
    answers: answers.length,
    multiSkillAnswers: multi.length,
    expansionRows: rows.length - answers.length,
    skillsPerMultiAnswer: multi.reduce((sum, a) => sum + a.skills.length, 0) / Math.max(1, multi.length),
    folds: options.folds,
    independent: {
      multi: ind.multi.metrics(),
      all: ind.all.metrics(),
      single: ind.single.metrics(),
      expandedRows: ind.expandedRows.metrics(),
    },
    conjunctive: { multi: conj.multi.metrics(), all: conj.all.metrics(), single: conj.single.metrics() },
    seconds: (performance.now() - started) / 1000,
  };
}
