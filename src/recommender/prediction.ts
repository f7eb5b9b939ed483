/**
 * How likely a student is to answer an item correctly now: BKT's prediction from the mastery of
 * the item's points (weighted by the Q-matrix, as the learning API predicts), moved by the
 * item's calibrated difficulty and the student's ability (difficulty.ts). Every recommender
 * function predicts through here, so a recommendation and its explanation agree.
 */
import { predictCorrect } from "../bkt/online.js";
import type { KnowledgeGraphIndex } from "../graph/knowledge-graph-index.js";
import { predictedSuccess } from "./difficulty.js";
import type { CalibrationOf, ParametersOf, StudentSnapshot } from "./model.js";

/** P(known) of a point for this student: the latest BKT estimate, or the point's prior when never practised. */
export function masteryProbability(student: StudentSnapshot, knowledgePointId: string, parametersOf: ParametersOf): number {
  return student.mastery.get(knowledgePointId)?.probability ?? parametersOf(knowledgePointId).prior;
}

/**
 * BKT's P(correct) for an item: the weight-averaged prediction of its points. `masteryOf` lets a
 * caller substitute mastery (a simulated or hypothetical student) without building a snapshot.
 */
export function bktItemPrediction(
  index: KnowledgeGraphIndex,
  itemId: string,
  parametersOf: ParametersOf,
  masteryOf: (knowledgePointId: string) => number,
): number {
  let weighted = 0;
  let weights = 0;
  for (const point of index.pointsOfItem(itemId)) {
    weighted += point.weight * predictCorrect(masteryOf(point.id), parametersOf(point.id, itemId));
    weights += point.weight;
  }
  return weights > 0 ? weighted / weights : 0;
}

/** P(correct) of the student on the item now, BKT and Elo together. */
export function predictItemSuccess(
  index: KnowledgeGraphIndex,
  itemId: string,
  student: StudentSnapshot,
  parametersOf: ParametersOf,
  calibrationOf: CalibrationOf,
): number {
  const bkt = bktItemPrediction(index, itemId, parametersOf, (id) => masteryProbability(student, id, parametersOf));
  return predictedSuccess(bkt, calibrationOf(itemId).difficulty, student.ability);
}
