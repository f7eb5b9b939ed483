/**
 * Placement: what a student is assumed to know of points they have never answered here. The
 * default BKT prior (0.2) describes meeting a point for the first time; a grade-7 student with no
 * answers on a grade-2 point has most likely learned it at school before. A point of an earlier
 * grade than the student's class therefore starts at EARLIER_GRADE_PRIOR (counted as mastered)
 * — for the answer path's first BKT update as for the recommender — unless fitted parameters
 * already give it a prior at least as high. One answer on the point replaces the assumption with
 * the BKT estimate. A student in no class with a grade has no placement.
 */

import type { KnowledgeGraphStore } from "../graph/store.js";
import { MASTERED } from "../recommender/model.js";
import type { CurriculumService } from "./curriculum-service.js";

export const EARLIER_GRADE_PRIOR = MASTERED;
/** How long a student's grade is remembered (rosters change rarely; a new class shows after this). */
export const GRADE_TTL_MS = 60_000;
/** Students whose grade is remembered, at most (the oldest are forgotten first). */
const GRADES_KEPT = 10_000;

export class PlacementService {
  private readonly grades = new Map<string, { grade: number | undefined; until: number }>();

  constructor(
    private readonly store: KnowledgeGraphStore,
    private readonly curriculum: CurriculumService,
    private readonly now: () => number = Date.now,
  ) {}

  /** The highest grade of the student's classes; undefined when none has a grade. */
  async studentGrade(studentId: string): Promise<number | undefined> {
    const remembered = this.grades.get(studentId);
    if (remembered && remembered.until > this.now()) return remembered.grade;
    const classes = await this.store.learners.getClasses(await this.store.learners.classesOfStudent(studentId));
    const grades = classes.flatMap((c) => (c?.grade !== undefined ? [c.grade] : []));
    const grade = grades.length > 0 ? Math.max(...grades) : undefined;
    this.grades.delete(studentId);
    if (this.grades.size >= GRADES_KEPT) this.grades.delete(this.grades.keys().next().value as string);
    this.grades.set(studentId, { grade, until: this.now() + GRADE_TTL_MS });
    return grade;
  }

  /** A prior that applies the placement for a student of `grade`, or the given prior. */
  priorFor(knowledgePointId: string, prior: number, grade: number | undefined): number {
    if (grade === undefined || prior >= EARLIER_GRADE_PRIOR) return prior;
    const pointGrade = this.curriculum.index.point(knowledgePointId)?.grade;
    return pointGrade !== undefined && pointGrade < grade ? EARLIER_GRADE_PRIOR : prior;
  }
}
