/**
 * What the recommender's pure functions take and give. They read the curriculum structure from a
 * KnowledgeGraphIndex and the student from a StudentSnapshot the service assembles; they never
 * touch the store, the clock or a random source they were not given, so every recommendation is
 * reproducible from its inputs (docs/recommender.md).
 */
import type { BktParameters } from "../bkt/parameters.js";

/** P(known) at or above which a point counts as mastered (the same threshold the learning API reports). */
export const MASTERED = 0.95;

/** A point the student has practised; a point absent from `StudentSnapshot.mastery` is not started. */
export interface PointMastery {
  /** P(known) after the latest answer (BKT). */
  probability: number;
  attempts: number;
  correct: number;
  /** ISO 8601. */
  lastPractisedAt: string;
}

/** One of the student's recent answers (newest first in a snapshot). */
export interface RecentAttempt {
  attemptId: string;
  itemId: string;
  correct: boolean;
  /** ISO 8601. */
  answeredAt: string;
  responseTimeMs?: number;
  /** Misconceptions the chosen option or value indicated (wrong answers only). */
  misconceptionIds: readonly string[];
  /** The points the item assessed, with mastery before and after the answer. */
  mastery: readonly { knowledgePointId: string; before: number; after: number }[];
}

/** The student as the recommender sees them: no name, no school, only learning state. */
export interface StudentSnapshot {
  /** Practised points by id. */
  mastery: ReadonlyMap<string, PointMastery>;
  /** Newest first; the service passes the last RECENT_ATTEMPTS answers. */
  recentAttempts: readonly RecentAttempt[];
  /** Elo ability on the logit scale (0 = typical; see difficulty.ts). */
  ability: number;
  /** Answers the ability estimate has seen (its uncertainty shrinks with them). */
  abilityAttempts: number;
  /**
   * How often the student chose an option tagged with each misconception, over how many items
   * that could reveal it: the evidence behind misconception beliefs (attribution.ts).
   */
  misconceptionCounts: ReadonlyMap<string, { chosen: number; exposed: number }>;
}

/** How many recent answers a snapshot carries. */
export const RECENT_ATTEMPTS = 50;

/** BKT parameters of a point, per item where the fitted variant has item-level guess/slip/learn. */
export type ParametersOf = (knowledgePointId: string, itemId?: string) => BktParameters;

/** An item's calibrated difficulty: a logit offset on top of BKT's prediction (difficulty.ts). */
export interface ItemCalibration {
  difficulty: number;
  /** Answers the estimate has seen. */
  attempts: number;
}

/** The calibration of an item (its cold start from the difficulty band when never answered). */
export type CalibrationOf = (itemId: string) => ItemCalibration;

/** A sentence a teacher can read, in both languages the product speaks, plus the figures behind it. */
export interface Explanation {
  zh: string;
  en: string;
}

/** A point's name for explanations; the service looks names up once per request. */
export type PointNameOf = (knowledgePointId: string) => Explanation;
