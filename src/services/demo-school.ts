/**
 * The demo school (docs/learning.md, "The demo school"): a roster from seeds/demo/school.yaml and
 * an attempt history simulated from BKT students, so that a fresh development server has
 * real-looking classes to show. Nothing here writes mastery: the simulated answers go through
 * LearningService.prepare and record, the path of submitAnswer and of the attempt import, so the
 * stored mastery is what production would compute from those answers.
 *
 * The simulation is deterministic: the same definition, seed, curriculum and end date give the
 * same roster and answers. Each student has a latent ability; each (student, point) a hidden
 * known/unknown state that starts known with a prior from ability and the point's difficulty
 * band, becomes known with a learn rate after every answer, and answers correctly with 1 − slip
 * when known and guess when not (guess from the item type, slip from the item's difficulty).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { hashSeed, SeededRandom } from "../bkt/random.js";
import { PROJECT_ROOT } from "../config.js";
import type { Item } from "../curriculum/model.js";
import type { KnowledgeGraphIndex } from "../graph/knowledge-graph-index.js";
import type { KnowledgeGraphStore, RosterChanges } from "../graph/store.js";
import type { Logger } from "../logger.js";
import { gradeResponse, type ItemResponse } from "./grading.js";
import type { ItemCache, LearningService, PreparedAnswer, SubmitAnswerInput } from "./learning-service.js";
import { classId } from "./roster.js";

export const DEMO_DEFINITION_PATH = resolve(PROJECT_ROOT, "seeds/demo/school.yaml");
/** Answers per write transaction when the history is recorded. */
export const DEMO_BATCH_SIZE = 2000;

/* ------------------------------------------------------------------------------------------ */
/* The definition (seeds/demo/school.yaml).                                                    */
/* ------------------------------------------------------------------------------------------ */

const person = z.object({ id: z.string().min(1).max(200), displayName: z.string().min(1).max(200) }).strict();

const definitionSchema = z
  .object({
    school: z.object({ id: z.string().min(1).max(200), name: z.string().min(1).max(200) }).strict(),
    seed: z.number().int().min(0),
    weeks: z.number().int().min(1).max(52),
    answersPerWeek: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
    headTeacher: person.optional(),
    classes: z
      .array(
        z
          .object({
            name: z.string().min(1).max(100),
            grade: z.number().int().min(0).max(20),
            subject: z.string().min(1),
            teacher: person,
            studentPrefix: z.string().min(1).max(100),
            students: z.number().int().min(1).max(200),
            namedStudents: z.array(z.string().min(1).max(200)).optional(),
            points: z.number().int().min(1),
            review: z.number().int().min(0),
          })
          .strict(),
      )
      .min(1),
    names: z.object({ surnames: z.array(z.string().min(1)).min(1), given: z.array(z.string().min(1)).min(1) }).strict(),
  })
  .strict();

export type DemoDefinition = z.infer<typeof definitionSchema>;

export class DemoSchoolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DemoSchoolError";
  }
}

export function loadDemoDefinition(path = DEMO_DEFINITION_PATH): DemoDefinition {
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new DemoSchoolError(`cannot read the demo school definition ${path}: ${(error as Error).message}`);
  }
  const parsed = definitionSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new DemoSchoolError(`the demo school definition ${path} is not valid:\n${problems.join("\n")}`);
  }
  const definition = parsed.data;
  if (definition.answersPerWeek[0] > definition.answersPerWeek[1]) {
    throw new DemoSchoolError(`${path}: answersPerWeek must be [min, max] with min ≤ max`);
  }
  return definition;
}

/* ------------------------------------------------------------------------------------------ */
/* The plan: roster and answers, computed without touching the store.                          */
/* ------------------------------------------------------------------------------------------ */

/** What the simulation needs of the curriculum: the index and the items of the points it uses. */
export interface DemoCurriculum {
  index: KnowledgeGraphIndex;
  items: ReadonlyMap<string, Item>;
}

export interface DemoClassPlan {
  id: string;
  name: string;
  grade: number;
  subjectId: string;
  teacherIds: string[];
  studentIds: string[];
  /** Points of earlier grades revised in the first week, in the order first needed. */
  reviewPointIds: string[];
  /** Points of the class's grade taught over the weeks, in teaching (topological) order. */
  pointIds: string[];
}

export interface DemoStudentPlan {
  id: string;
  displayName: string;
  classId: string;
  /** Latent ability (standard normal): higher learns faster and starts higher. */
  ability: number;
}

export interface DemoPlan {
  school: { id: string; name: string };
  seed: number;
  /** First and last school day of the history (YYYY-MM-DD). */
  from: string;
  to: string;
  classes: DemoClassPlan[];
  teachers: { id: string; displayName: string }[];
  students: DemoStudentPlan[];
  /** Every simulated answer, in answeredAt order (ties: student, then the student's order). */
  answers: SubmitAnswerInput[];
  /** Classes of the definition left out because the curriculum has no points for them. */
  skippedClasses: string[];
}

export interface DemoPlanOptions {
  /** Overrides the definition's seed. */
  seed?: number;
  /** The history ends on the last school day before this date (default: today). */
  until?: Date;
}

const DAY_MS = 86_400_000;
/** School time is China Standard Time, UTC+8: local 08:00 is 00:00 UTC. */
const LOCAL_OFFSET_MS = 8 * 3_600_000;

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function clamp(x: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, x));
}

/** Standard normal (Box–Muller) from the seeded generator. */
function normal(random: SeededRandom): number {
  const u = Math.max(random.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
}

/** The `count` school days (Monday–Friday, UTC dates) ending on the last one before `until`'s date. */
export function schoolDays(until: Date, count: number): Date[] {
  let day = Math.floor(until.getTime() / DAY_MS) * DAY_MS - DAY_MS;
  const days: Date[] = [];
  while (days.length < count) {
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days.push(new Date(day));
    day -= DAY_MS;
  }
  return days.reverse();
}

/** The points a class practises: its grade's first points in teaching order, and prerequisites from earlier grades to revise. */
function classPoints(index: KnowledgeGraphIndex, subjectId: string, grade: number, points: number, review: number) {
  const hasItems = (id: string) => index.itemsOf(id).length > 0;
  const taught = index
    .topologicalOrder()
    .filter((id) => {
      const point = index.point(id);
      return point?.subjectId === subjectId && point.grade === grade && hasItems(id);
    })
    .slice(0, points);
  const revised: string[] = [];
  for (const id of taught) {
    for (const link of index.prerequisitesOf(id)) {
      const point = index.point(link.id);
      if (point && point.grade < grade && hasItems(link.id) && !revised.includes(link.id)) revised.push(link.id);
    }
  }
  return { taught, revised: revised.slice(0, review) };
}

/** Names `<surname><given>`, unique in the school, in a seeded order. */
function nameSource(definition: DemoDefinition, random: SeededRandom): () => string {
  const names: string[] = [];
  for (const surname of definition.names.surnames) for (const given of definition.names.given) names.push(`${surname}${given}`);
  random.shuffle(names);
  let next = 0;
  return () => {
    const name = names[next % names.length] as string;
    const round = Math.floor(next / names.length);
    next++;
    return round === 0 ? name : `${name}${round + 1}`;
  };
}

interface SimulatedStudent {
  id: string;
  ability: number;
  /** Misconceptions the student holds: their wrong answers mostly show them. */
  holds: Set<string>;
}

function guessOf(item: Item): number {
  switch (item.type) {
    case "single_choice":
      return 1 / Math.max(2, item.options.length);
    case "multiple_choice":
      return Math.max(0.05, 1 / (2 ** item.options.length - 1));
    case "numeric":
      return 0.03;
    case "short_answer":
      return 0.05;
  }
}

function slipOf(item: Item, ability: number): number {
  return clamp(0.1 + 0.025 * (item.difficulty - 3) - 0.04 * ability, 0.03, 0.3);
}

/** A number as a student would type it: an integer, a short decimal, or a fraction with a small denominator. */
function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const short = Number(value.toFixed(4));
  if (Math.abs(short - value) < 1e-12) return String(short);
  for (let denominator = 2; denominator <= 100; denominator++) {
    const numerator = Math.round(value * denominator);
    if (Math.abs(numerator / denominator - value) < 1e-12) return `${numerator}/${denominator}`;
  }
  return value.toFixed(6);
}

/** Prefers a held misconception's option (85%), else a tagged one (50%), else any. */
function pickWrong<T>(
  random: SeededRandom,
  wrong: readonly T[],
  tag: (choice: T) => string | undefined,
  holds: Set<string>,
): T | undefined {
  if (wrong.length === 0) return undefined;
  const held = wrong.filter((choice) => {
    const id = tag(choice);
    return id !== undefined && holds.has(id);
  });
  if (held.length > 0 && random.next() < 0.85) return random.pick(held);
  const tagged = wrong.filter((choice) => tag(choice) !== undefined);
  if (tagged.length > 0 && random.next() < 0.5) return random.pick(tagged);
  return random.pick(wrong);
}

/** What a student answers, right or wrong as simulated; undefined when the item cannot be answered wrongly. */
function simulatedResponse(item: Item, correct: boolean, student: SimulatedStudent, random: SeededRandom): ItemResponse | undefined {
  switch (item.type) {
    case "single_choice": {
      if (correct) return { kind: "options", optionIds: [item.answer] };
      const wrong = pickWrong(
        random,
        item.options.filter((option) => option.id !== item.answer),
        (option) => option.misconceptionId,
        student.holds,
      );
      return wrong ? { kind: "options", optionIds: [wrong.id] } : undefined;
    }
    case "multiple_choice": {
      if (correct) return { kind: "options", optionIds: [...item.answer] };
      const key = new Set(item.answer);
      const extra = pickWrong(
        random,
        item.options.filter((option) => !key.has(option.id)),
        (option) => option.misconceptionId,
        student.holds,
      );
      // A wrong selection: one key option missed, or a wrong option added.
      if (extra && (item.answer.length <= 1 || random.next() < 0.6)) {
        return { kind: "options", optionIds: [...item.answer.filter(() => random.next() < 0.7), extra.id] };
      }
      const kept = item.answer.filter((_, i) => i !== random.integer(0, item.answer.length - 1));
      return kept.length > 0 ? { kind: "options", optionIds: kept } : undefined;
    }
    case "numeric": {
      const { value, tolerance } = item.answer;
      if (correct) return { kind: "number", text: formatNumber(value) };
      const known = pickWrong(
        random,
        item.wrongAnswers.filter((wrong) => Math.abs(wrong.value - value) > tolerance),
        (wrong) => wrong.misconceptionId,
        student.holds,
      );
      // A tagged wrong value when the student holds its misconception or half the time; else a slip of the pen.
      if (known && (student.holds.has(known.misconceptionId) || random.next() < 0.5)) {
        return { kind: "number", text: formatNumber(known.value) };
      }
      const step = Number.isInteger(value) ? random.pick([-10, -2, -1, 1, 2, 10]) : random.pick([-1, -0.1, 0.1, 1]);
      return { kind: "number", text: formatNumber(Number((value + step * Math.max(1, tolerance * 2)).toFixed(6))) };
    }
    case "short_answer":
      return { kind: "text", text: correct ? (item.answer.accept[0] ?? "") : random.pick(["不知道", "不确定", "忘了"]) };
  }
}

/**
 * Simulates the demo school against a curriculum: pure and deterministic (same inputs, same plan).
 * Classes whose subject and grade have no points with items are left out (`skippedClasses`).
 */
export function planDemoSchool(definition: DemoDefinition, curriculum: DemoCurriculum, options: DemoPlanOptions = {}): DemoPlan {
  const seed = options.seed ?? definition.seed;
  const { index, items } = curriculum;
  const days = schoolDays(options.until ?? new Date(), definition.weeks * 5);
  const nextName = nameSource(definition, new SeededRandom(hashSeed("names", seed)));
  const classes: DemoClassPlan[] = [];
  const students: DemoStudentPlan[] = [];
  const answers: (SubmitAnswerInput & { time: number; order: number })[] = [];
  const skippedClasses: string[] = [];
  const teachers = new Map<string, string>();
  if (definition.headTeacher) teachers.set(definition.headTeacher.id, definition.headTeacher.displayName);

  for (const spec of definition.classes) {
    const { taught, revised } = classPoints(index, spec.subject, spec.grade, spec.points, spec.review);
    if (taught.length === 0) {
      skippedClasses.push(spec.name);
      continue;
    }
    const id = classId(definition.school.id, spec.name);
    const named = spec.namedStudents ?? [];
    const studentIds = Array.from(
      { length: spec.students },
      (_, i) => named[i] ?? `${spec.studentPrefix}${String(i + 1).padStart(2, "0")}`,
    );
    teachers.set(spec.teacher.id, spec.teacher.displayName);
    classes.push({
      id,
      name: spec.name,
      grade: spec.grade,
      subjectId: spec.subject,
      teacherIds: [spec.teacher.id, ...(definition.headTeacher ? [definition.headTeacher.id] : [])],
      studentIds,
      reviewPointIds: revised,
      pointIds: taught,
    });
    const misconceptions = [...new Set([...revised, ...taught].flatMap((point) => index.misconceptionsOf(point)))];
    // Day on which each taught point is introduced: evenly over the weeks.
    const introduced = taught.map((_, i) => Math.floor((i * days.length) / taught.length));

    for (const studentId of studentIds) {
      const random = new SeededRandom(hashSeed(studentId, seed));
      const ability = normal(random);
      const student: SimulatedStudent = {
        id: studentId,
        ability,
        holds: new Set(misconceptions.filter(() => random.next() < sigmoid(-1.3 - 0.9 * ability))),
      };
      students.push({ id: studentId, displayName: nextName(), classId: id, ability });
      const keenness = sigmoid(0.6 * ability + 0.8 * normal(random));
      const hidden = new Map<string, { known: boolean; learn: number }>();
      const lastItem = new Map<string, string>();
      const stateOf = (point: string, isReview: boolean) => {
        let state = hidden.get(point);
        if (!state) {
          const band = index.point(point)?.difficultyBand ?? 3;
          const prior = clamp(sigmoid((isReview ? 1 : -1.5) + ability - 0.35 * (band - 3)), 0.02, 0.9);
          const learn = clamp(0.15 + 0.04 * ability + 0.02 * normal(random), 0.08, 0.25);
          state = { known: random.next() < prior, learn };
          hidden.set(point, state);
        }
        return state;
      };
      const [low, high] = definition.answersPerWeek;
      let order = 0;
      for (let week = 0; week < definition.weeks; week++) {
        const count = Math.round(low + (high - low) * clamp(keenness + 0.12 * normal(random), 0, 1));
        // Each answer falls on a school day of the week; a day's answers form one session.
        const perDay = [0, 0, 0, 0, 0];
        for (let k = 0; k < count; k++) {
          const d = random.integer(0, 4);
          perDay[d] = (perDay[d] as number) + 1;
        }
        for (let weekday = 0; weekday < 5; weekday++) {
          const dayIndex = week * 5 + weekday;
          const day = days[dayIndex] as Date;
          const inClass = random.next() < 0.55;
          // Local 08:00–15:30 in class, 18:30–21:00 at home.
          let time = day.getTime() - LOCAL_OFFSET_MS + (inClass ? 8 * 3_600_000 : 18.5 * 3_600_000);
          time += random.integer(0, inClass ? 450 : 150) * 60_000;
          const current = introduced.reduce((last, start, i) => (start <= dayIndex ? i : last), 0);
          for (let k = 0; k < (perDay[weekday] as number); k++) {
            const r = random.next();
            let point: string;
            let isReview = false;
            if (week === 0 && revised.length > 0 && r < 0.35) {
              point = random.pick(revised);
              isReview = true;
            } else if (r < 0.7 || current === 0) {
              point = taught[current] as string;
            } else if (r < 0.9) {
              point = taught[Math.max(0, current - random.integer(1, 2))] as string;
            } else {
              const pool = [...revised, ...taught.slice(0, current + 1)];
              point = random.pick(pool);
              isReview = revised.includes(point);
            }
            const state = stateOf(point, isReview);
            const candidates = index.itemsOf(point).filter((link) => items.has(link.id) && link.id !== lastItem.get(point));
            const pool = candidates.length > 0 ? candidates : index.itemsOf(point).filter((link) => items.has(link.id));
            // A few tries: an item whose simulated response would not grade as intended is passed over.
            for (let attempt = 0; attempt < 3 && pool.length > 0; attempt++) {
              const item = items.get(random.pick(pool).id) as Item;
              const correct = state.known ? random.next() >= slipOf(item, ability) : random.next() < guessOf(item);
              const response = simulatedResponse(item, correct, student, random);
              if (!response || gradeResponse(item, response).correct !== correct) continue;
              const seconds = Math.exp(Math.log(25) + 0.15 * (item.difficulty - 3) + 0.45 * normal(random)) * (correct ? 1 : 1.3);
              const responseTimeMs = Math.round(clamp(seconds, 4, 600) * 1000);
              time += responseTimeMs + random.integer(3, 40) * 1000;
              answers.push({
                studentId,
                itemId: item.id,
                response,
                idempotencyKey: `demo-${String(order + 1).padStart(4, "0")}`,
                responseTimeMs,
                answeredAt: new Date(time).toISOString(),
                time,
                order,
              });
              order++;
              lastItem.set(point, item.id);
              if (!state.known && random.next() < state.learn) state.known = true;
              break;
            }
          }
        }
      }
    }
  }
  answers.sort((a, b) => a.time - b.time || (a.studentId < b.studentId ? -1 : a.studentId > b.studentId ? 1 : 0) || a.order - b.order);
  const first = days[0] as Date;
  const last = days[days.length - 1] as Date;
  return {
    school: { ...definition.school },
    seed,
    from: first.toISOString().slice(0, 10),
    to: last.toISOString().slice(0, 10),
    classes,
    teachers: [...teachers].map(([id, displayName]) => ({ id, displayName })),
    students,
    answers: answers.map(({ time: _time, order: _order, ...answer }) => answer),
    skippedClasses,
  };
}

/** The index and the items of the points the definition's classes could use (a generous superset). */
export async function loadDemoCurriculum(
  store: KnowledgeGraphStore,
  index: KnowledgeGraphIndex,
  definition: DemoDefinition,
): Promise<DemoCurriculum> {
  const itemIds = new Set<string>();
  for (const spec of definition.classes) {
    const { taught, revised } = classPoints(index, spec.subject, spec.grade, spec.points, spec.review);
    for (const point of [...revised, ...taught]) for (const link of index.itemsOf(point)) itemIds.add(link.id);
  }
  const ids = [...itemIds];
  const found = await store.curriculum.getItems(ids);
  const items = new Map<string, Item>();
  for (const item of found) if (item) items.set(item.id, item);
  return { index, items };
}

/* ------------------------------------------------------------------------------------------ */
/* Writing: the roster, then the answers through LearningService.prepare/record.               */
/* ------------------------------------------------------------------------------------------ */

export interface DemoWriteReport {
  schoolId: string;
  classes: number;
  teachers: number;
  students: number;
  /** Answers newly recorded (an answer already there with the same key is skipped). */
  attempts: number;
  skipped: number;
  /** Recorded wrong answers that revealed at least one misconception. */
  misconceptionAttempts: number;
  from: string;
  to: string;
  skippedClasses: string[];
  ms: number;
}

export function rosterOf(plan: DemoPlan): RosterChanges {
  return {
    school: plan.school,
    classes: plan.classes.map((c) => ({ id: c.id, name: c.name, grade: c.grade, subjectId: c.subjectId })),
    teachers: plan.teachers.map((t) => ({ id: t.id, displayName: t.displayName })),
    students: plan.students.map((s) => ({ id: s.id, displayName: s.displayName })),
    enrolments: plan.classes.flatMap((c) => c.studentIds.map((studentId) => ({ classId: c.id, studentId }))),
    teaching: plan.classes.flatMap((c) => c.teacherIds.map((teacherId) => ({ classId: c.id, teacherId }))),
  };
}

/** Applies the roster and records every answer, DEMO_BATCH_SIZE per write transaction. */
export async function writeDemoSchool(
  store: KnowledgeGraphStore,
  learning: LearningService,
  plan: DemoPlan,
  options: { batchSize?: number } = {},
): Promise<DemoWriteReport> {
  const started = performance.now();
  const batchSize = options.batchSize ?? DEMO_BATCH_SIZE;
  await store.learners.applyRoster(rosterOf(plan));
  const cache: ItemCache = new Map();
  let attempts = 0;
  let skipped = 0;
  let misconceptionAttempts = 0;
  for (let start = 0; start < plan.answers.length; start += batchSize) {
    const prepared: PreparedAnswer[] = [];
    for (const answer of plan.answers.slice(start, start + batchSize)) prepared.push(await learning.prepare(answer, cache));
    for (const result of await learning.record(prepared)) {
      if (result.status === "recorded") {
        attempts++;
        if (result.attempt.misconceptionIds.length > 0) misconceptionAttempts++;
      } else if (result.status === "existing") skipped++;
      else throw new DemoSchoolError("a demo student vanished while the history was recorded");
    }
  }
  return {
    schoolId: plan.school.id,
    classes: plan.classes.length,
    teachers: plan.teachers.length,
    students: plan.students.length,
    attempts,
    skipped,
    misconceptionAttempts,
    from: plan.from,
    to: plan.to,
    skippedClasses: plan.skippedClasses,
    ms: Math.round(performance.now() - started),
  };
}

/* ------------------------------------------------------------------------------------------ */
/* First start and reset.                                                                      */
/* ------------------------------------------------------------------------------------------ */

export interface DemoDependencies {
  store: KnowledgeGraphStore;
  /** The live index (CurriculumService.index). */
  index: KnowledgeGraphIndex;
  learning: LearningService;
  logger: Logger;
}

export interface DemoOptions extends DemoPlanOptions {
  definitionPath?: string;
}

async function buildPlan(deps: DemoDependencies, options: DemoOptions): Promise<DemoPlan> {
  const definition = loadDemoDefinition(options.definitionPath);
  const curriculum = await loadDemoCurriculum(deps.store, deps.index, definition);
  return planDemoSchool(definition, curriculum, options);
}

/**
 * First start: creates the demo school when the store has no school at all. Returns what it wrote,
 * or undefined when it did nothing (schools exist, or the curriculum has none of the demo's classes).
 */
export async function seedDemoIfEmpty(deps: DemoDependencies, options: DemoOptions = {}): Promise<DemoWriteReport | undefined> {
  if ((await deps.store.learners.listSchoolIds(1)).length > 0) return undefined;
  const started = performance.now();
  const plan = await buildPlan(deps, options);
  if (plan.classes.length === 0) {
    deps.logger.info(
      { skippedClasses: plan.skippedClasses },
      "demo school not created: the curriculum has none of its subjects and grades",
    );
    return undefined;
  }
  const report = await writeDemoSchool(deps.store, deps.learning, plan);
  report.ms = Math.round(performance.now() - started);
  deps.logger.info({ ...report }, "demo school created");
  return report;
}

export interface DemoResetReport extends DemoWriteReport {
  /** What the reset removed of the previous demo school. */
  removed: { students: number; attempts: number };
}

/**
 * Removes the demo school (everything in it, including answers given since) and creates it again.
 * Refuses, writing nothing, when a class, teacher or student id of the demo belongs to another school.
 */
export async function resetDemoSchool(deps: DemoDependencies, options: DemoOptions = {}): Promise<DemoResetReport> {
  const started = performance.now();
  const plan = await buildPlan(deps, options);
  if (plan.classes.length === 0) {
    throw new DemoSchoolError(
      "the curriculum in the store has none of the demo school's subjects and grades (import the seed curriculum first)",
    );
  }
  const { store } = deps;
  const schoolId = plan.school.id;
  const conflicts: string[] = [];
  const check = (kind: string, ids: string[], found: ({ schoolId: string } | undefined)[]) => {
    ids.forEach((id, i) => {
      const owner = found[i]?.schoolId;
      if (owner !== undefined && owner !== schoolId) conflicts.push(`${kind} ${id} belongs to school ${owner}`);
    });
  };
  const classIds = plan.classes.map((c) => c.id);
  const teacherIds = plan.teachers.map((t) => t.id);
  const studentIds = plan.students.map((s) => s.id);
  check("class", classIds, await store.learners.getClasses(classIds));
  check("teacher", teacherIds, await store.learners.getTeachers(teacherIds));
  check("student", studentIds, await store.learners.getStudents(studentIds));
  if (conflicts.length > 0) {
    throw new DemoSchoolError(
      `refusing to reset the demo school: it would touch another school's records (nothing was changed)\n${conflicts.join("\n")}`,
    );
  }
  const removed = await store.learners.deleteSchool(schoolId);
  const report = await writeDemoSchool(store, deps.learning, plan);
  return { ...report, removed, ms: Math.round(performance.now() - started) };
}
