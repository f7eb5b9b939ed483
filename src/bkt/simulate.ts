/**
 * Students simulated from known BKT parameters: the ground truth for parameter-recovery tests,
 * enlarged datasets for the speed benchmark and plausible histories for the demo school.
 */
import type { TraceRows } from "./dataset.js";
import type { BktParameters } from "./parameters.js";
import { SeededRandom } from "./random.js";

export interface SimulatedSkill {
  name: string;
  parameters: BktParameters;
  /** Optional per-item guess/slip (item i of this skill is named `<skill>#<i>`). */
  items?: { guess: number; slip: number }[];
}

export interface SimulationOptions {
  skills: readonly SimulatedSkill[];
  students: number;
  /** Answers per student and skill: a fixed number, or a [min, max] range drawn per sequence. */
  answers: number | readonly [number, number];
  seed: number;
  /** Student names are `<prefix><n>`. Default "s". */
  studentPrefix?: string;
}

/**
 * Every student answers every skill: the hidden state starts known with P(prior), each answer is
 * correct with 1 − slip when known and guess when not, then the state moves by learn/forget.
 * Each student works through the skills one after another.
 */
export function simulateTraces(options: SimulationOptions): TraceRows {
  const random = new SeededRandom(options.seed);
  const prefix = options.studentPrefix ?? "s";
  const lengths: number[] = [];
  let total = 0;
  for (let s = 0; s < options.students; s++) {
    for (let k = 0; k < options.skills.length; k++) {
      const length = typeof options.answers === "number" ? options.answers : random.integer(options.answers[0], options.answers[1]);
      lengths.push(length);
      total += length;
    }
  }
  const withItems = options.skills.some((skill) => skill.items && skill.items.length > 0);
  const items: string[] = [];
  const itemBase: number[] = [];
  for (const skill of options.skills) {
    itemBase.push(items.length);
    for (let i = 0; i < (skill.items?.length ?? 0); i++) items.push(`${skill.name}#${i}`);
  }
  const rows: TraceRows = {
    skills: options.skills.map((skill) => skill.name),
    students: Array.from({ length: options.students }, (_, s) => `${prefix}${s}`),
    items,
    skill: new Int32Array(total),
    student: new Int32Array(total),
    item: new Int32Array(total).fill(-1),
    correct: new Int8Array(total),
    order: new Float64Array(total),
    length: total,
  };
  let row = 0;
  let sequence = 0;
  for (let s = 0; s < options.students; s++) {
    let order = 0;
    for (let k = 0; k < options.skills.length; k++) {
      const skill = options.skills[k] as SimulatedSkill;
      const { prior, learn, forget, slip, guess } = skill.parameters;
      let known = random.next() < prior;
      const length = lengths[sequence++] as number;
      for (let t = 0; t < length; t++) {
        let itemGuess = guess;
        let itemSlip = slip;
        if (withItems && skill.items && skill.items.length > 0) {
          const i = random.integer(0, skill.items.length - 1);
          const item = skill.items[i] as { guess: number; slip: number };
          itemGuess = item.guess;
          itemSlip = item.slip;
          rows.item[row] = (itemBase[k] as number) + i;
        }
        const correct = known ? random.next() >= itemSlip : random.next() < itemGuess;
        rows.skill[row] = k;
        rows.student[row] = s;
        rows.correct[row] = correct ? 1 : 0;
        rows.order[row] = order++;
        row++;
        known = known ? random.next() >= forget : random.next() < learn;
      }
    }
  }
  return rows;
}
