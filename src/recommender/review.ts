/**
 * Spaced review. BKT has no clock: a point mastered in September is still 0.98 known in June. A
 * forgetting curve is layered on top for mastered points only, as a prediction of what the
 * student retains now; the BKT estimate itself is never changed by it.
 *
 *   retention      = 2^(−days since last practice / halfLife)
 *   halfLife       = BASE_HALF_LIFE_DAYS · 2^(min(correct, MAX_COUNTED_CORRECT) − 1)
 *   mastery now    = P · retention + (1 − retention) · prior
 *
 * What is forgotten falls back to the prior (what a student who never practised the point knows),
 * not to 0. A mastered point whose mastery now has fallen below MASTERED is due for review; the
 * further it fell, the more urgent. A point barely over MASTERED comes due within hours or days,
 * one at 0.99 (prior 0.2) after 7.5 % of its half-life: urgency is what keeps such reviews
 * behind points that really decayed.
 */
import { MASTERED, type ParametersOf, type PointMastery, type StudentSnapshot } from "./model.js";

/**
 * Half-life after the first correct answer: 3 days, the first interval of classic spacing
 * schedules (Leitner boxes, SM-2 use 1–6 days) and a school week's rhythm of homework.
 */
export const BASE_HALF_LIFE_DAYS = 3;
/**
 * Each further correct answer doubles the half-life (expanding intervals, as a card moves up the
 * Leitner boxes) until the 6th: 3 · 2^5 = 96 days, about a school term. Beyond that a point is
 * reviewed at least once a term however often it was answered.
 */
export const MAX_COUNTED_CORRECT = 6;

const DAY_MS = 86_400_000;

const HALF_LIVES = Array.from({ length: MAX_COUNTED_CORRECT }, (_, k) => BASE_HALF_LIFE_DAYS * 2 ** k);

/** Half-life in days after `correct` correct answers (a point mastered without one counts as one). */
export function halfLifeDays(correct: number): number {
  return HALF_LIVES[Math.min(Math.max(correct, 1), MAX_COUNTED_CORRECT) - 1] as number;
}

export interface Retention {
  /** Days since the last practice (0 when practised "after" now). */
  days: number;
  halfLifeDays: number;
  /** Share of the mastery above the prior still retained, in (0, 1]. */
  retention: number;
  /** P(known) now under the forgetting curve. */
  mastery: number;
}

/** The forgetting curve applied to one practised point at `now`. */
export function retentionOf(record: PointMastery, prior: number, now: Date): Retention {
  const days = Math.max(0, (now.getTime() - Date.parse(record.lastPractisedAt)) / DAY_MS);
  const halfLife = halfLifeDays(record.correct);
  const retention = 2 ** (-days / halfLife);
  return { days, halfLifeDays: halfLife, retention, mastery: record.probability * retention + (1 - retention) * prior };
}

export interface ReviewCandidate extends Retention {
  knowledgePointId: string;
  /** The BKT estimate (≥ MASTERED). */
  probability: number;
  /** How far mastery now fell below MASTERED, in (0, MASTERED − prior]. */
  urgency: number;
}

/**
 * Mastered points (optionally only those `include` accepts) whose mastery now fell below
 * MASTERED, most urgent first (ties by id, so the order is reproducible).
 */
export function reviewCandidates(
  student: StudentSnapshot,
  parametersOf: ParametersOf,
  now: Date,
  include: (pointId: string) => boolean = () => true,
): ReviewCandidate[] {
  const result: ReviewCandidate[] = [];
  for (const [id, record] of student.mastery) {
    if (record.probability < MASTERED || !include(id)) continue;
    const decayed = retentionOf(record, parametersOf(id).prior, now);
    if (decayed.mastery >= MASTERED) continue;
    result.push({
      knowledgePointId: id,
      probability: record.probability,
      urgency: MASTERED - decayed.mastery,
      days: decayed.days,
      halfLifeDays: decayed.halfLifeDays,
      retention: decayed.retention,
      mastery: decayed.mastery,
    });
  }
  return result.sort((a, b) => b.urgency - a.urgency || (a.knowledgePointId < b.knowledgePointId ? -1 : 1));
}
