/**
 * The success rate to aim the next items at, adapted to the student's latest run of answers.
 *
 * The base (default 70 %: hard enough to learn from, easy enough to stay motivated; a class or
 * student may override it) moves only on clear runs:
 * - STEP_BACK_STREAK wrong answers in a row: the student is stuck. Aim easier (+0.15, at most
 *   0.9) and step back to the prerequisites of the point just failed.
 * - a run of fast right answers worth STEP_UP_STREAK: the items are too easy. Aim harder (−0.1, at
 *   least 0.5). A right answer counts 1 when faster than the student's own recent median
 *   response time, 0 when slower (it may have been a struggle), and ½ when the time is unknown:
 *   right answers alone are weaker evidence, so 8 untimed ones make the run.
 */
import type { Explanation, RecentAttempt } from "./model.js";

export const DEFAULT_TARGET_SUCCESS = 0.7;
export const STEP_BACK_STREAK = 3;
export const STEP_BACK_RAISE = 0.15;
export const STEP_BACK_CEILING = 0.9;
export const STEP_UP_STREAK = 4;
export const STEP_UP_LOWER = 0.1;
export const STEP_UP_FLOOR = 0.5;
/** What a right answer without a response time adds to the run. */
export const UNTIMED_SUCCESS_WEIGHT = 0.5;

export type TargetAdjustment = "steady" | "step-back" | "step-up";

export interface AdaptiveTarget {
  /** The success rate to aim at now. */
  target: number;
  /** The class's or student's base rate it was adapted from. */
  base: number;
  adjustment: TargetAdjustment;
  /** Length of the run behind the adjustment (wrong answers for step-back, right ones for step-up; 0 when steady). */
  streak: number;
  /** On step-back: the points of the item just failed, whose prerequisites to step back to. */
  failedPointIds: string[];
  explanation: Explanation;
}

const percent = (p: number) => Math.round(p * 100);

function medianResponseTime(attempts: readonly RecentAttempt[]): number | undefined {
  const times = attempts.flatMap((a) => (a.responseTimeMs === undefined ? [] : [a.responseTimeMs])).sort((a, b) => a - b);
  if (times.length === 0) return undefined;
  const middle = times.length >> 1;
  return times.length % 2 === 1 ? (times[middle] as number) : ((times[middle - 1] as number) + (times[middle] as number)) / 2;
}

/** The target for the next items, from the base rate and the recent answers (newest first). */
export function adaptiveTarget(recentAttempts: readonly RecentAttempt[], base = DEFAULT_TARGET_SUCCESS): AdaptiveTarget {
  let failures = 0;
  while (failures < recentAttempts.length && !(recentAttempts[failures] as RecentAttempt).correct) failures++;
  if (failures >= STEP_BACK_STREAK) {
    const target = Math.max(base, Math.min(STEP_BACK_CEILING, base + STEP_BACK_RAISE));
    const failedPointIds = (recentAttempts[0] as RecentAttempt).mastery.map((m) => m.knowledgePointId);
    return {
      target,
      base,
      adjustment: "step-back",
      streak: failures,
      failedPointIds,
      explanation: {
        zh: `连续答错 ${failures} 题：目标正确率由 ${percent(base)}% 调高到 ${percent(target)}%，先回到先修知识点`,
        en: `${failures} wrong answers in a row: target success raised from ${percent(base)} % to ${percent(target)} %, stepping back to prerequisites`,
      },
    };
  }

  const median = medianResponseTime(recentAttempts);
  let successes = 0;
  let evidence = 0;
  for (const attempt of recentAttempts) {
    if (!attempt.correct) break;
    successes++;
    if (attempt.responseTimeMs === undefined || median === undefined) evidence += UNTIMED_SUCCESS_WEIGHT;
    else if (attempt.responseTimeMs < median) evidence += 1;
  }
  if (evidence >= STEP_UP_STREAK) {
    const target = Math.min(base, Math.max(STEP_UP_FLOOR, base - STEP_UP_LOWER));
    return {
      target,
      base,
      adjustment: "step-up",
      streak: successes,
      failedPointIds: [],
      explanation: {
        zh: `连续答对 ${successes} 题且作答较快：目标正确率由 ${percent(base)}% 调低到 ${percent(target)}%，适当提高难度`,
        en: `${successes} right answers in a row, answered quickly: target success lowered from ${percent(base)} % to ${percent(target)} % for harder items`,
      },
    };
  }

  return {
    target: base,
    base,
    adjustment: "steady",
    streak: 0,
    failedPointIds: [],
    explanation: { zh: `目标正确率 ${percent(base)}%`, en: `Target success ${percent(base)} %` },
  };
}
