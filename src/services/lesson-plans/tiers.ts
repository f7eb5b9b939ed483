/**
 * Splitting a class into teaching tiers by a readiness score per student (mean mastery of the
 * lesson's targets and their prerequisites). One dimension, so k-means is exact enough with
 * Lloyd's iterations on the sorted scores: clusters stay contiguous ranges, which is what makes
 * a tier's criterion printable ("mastery 0.42–0.68"). Deterministic: no random initialisation.
 */
import type { Explanation } from "../../recommender/model.js";

export interface ScoredStudent {
  studentId: string;
  score: number;
}

export interface Tier {
  /** 1 = needs the most support. */
  rank: number;
  studentIds: string[];
  minScore: number;
  maxScore: number;
  meanScore: number;
}

const MAX_ITERATIONS = 50;

/** At most `tierCount` contiguous groups of the students sorted by score (fewer when scores coincide). */
export function assignTiers(students: readonly ScoredStudent[], tierCount: number): Tier[] {
  const sorted = [...students].sort((a, b) => a.score - b.score || a.studentId.localeCompare(b.studentId));
  const k = Math.max(1, Math.min(tierCount, new Set(sorted.map((s) => s.score)).size));
  if (sorted.length === 0) return [];
  // Start from equal-size splits, then move boundaries to the midpoints between cluster means.
  let starts = Array.from({ length: k }, (_, i) => Math.floor((i * sorted.length) / k));
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    const means = starts.map((start, i) => mean(sorted.slice(start, starts[i + 1] ?? sorted.length).map((s) => s.score)));
    const next = [0];
    for (let i = 1; i < k; i++) {
      const cut = ((means[i - 1] as number) + (means[i] as number)) / 2;
      let position = next[i - 1] as number;
      while (position < sorted.length && (sorted[position] as ScoredStudent).score <= cut) position++;
      next.push(Math.max(position, (next[i - 1] as number) + 1));
    }
    if (next.every((value, i) => value === starts[i])) break;
    starts = next;
  }
  const tiers: Tier[] = [];
  for (const [i, start] of starts.entries()) {
    const members = sorted.slice(start, starts[i + 1] ?? sorted.length);
    if (members.length === 0) continue;
    const scores = members.map((s) => s.score);
    tiers.push({
      rank: tiers.length + 1,
      studentIds: members.map((s) => s.studentId),
      minScore: scores[0] as number,
      maxScore: scores[scores.length - 1] as number,
      meanScore: mean(scores),
    });
  }
  return tiers;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Names teachers use for tiers: 巩固/达标/拓展 for three, numbered groups otherwise. */
export function tierLabel(rank: number, count: number): Explanation {
  if (count === 1) return { zh: "全班", en: "Whole class" };
  if (count === 2) return rank === 1 ? { zh: "巩固组", en: "Consolidation" } : { zh: "拓展组", en: "Extension" };
  if (count === 3)
    return [
      { zh: "巩固组", en: "Consolidation" },
      { zh: "达标组", en: "Core" },
      { zh: "拓展组", en: "Extension" },
    ][rank - 1] as Explanation;
  return { zh: `第 ${rank} 组`, en: `Group ${rank}` };
}
