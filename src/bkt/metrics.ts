/** Prediction metrics: AUC (ties count half), RMSE, log-loss and accuracy at 0.5. */

export interface PredictionMetrics {
  auc: number;
  rmse: number;
  logLoss: number;
  accuracy: number;
  rows: number;
}

/** Predictions are clipped to [ε, 1 − ε] for log-loss so one confident miss stays finite. */
const LOG_LOSS_EPSILON = 1e-15;

export function computeMetrics(predictions: Float64Array, labels: Int8Array, count = predictions.length): PredictionMetrics {
  let squared = 0;
  let logLoss = 0;
  let correct = 0;
  let positives = 0;
  for (let i = 0; i < count; i++) {
    const p = predictions[i] as number;
    const y = labels[i] as number;
    squared += (p - y) * (p - y);
    const clipped = Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, p));
    logLoss -= y === 1 ? Math.log(clipped) : Math.log(1 - clipped);
    if ((p >= 0.5 ? 1 : 0) === y) correct++;
    if (y === 1) positives++;
  }
  return {
    auc: auc(predictions, labels, count, positives),
    rmse: count > 0 ? Math.sqrt(squared / count) : Number.NaN,
    logLoss: count > 0 ? logLoss / count : Number.NaN,
    accuracy: count > 0 ? correct / count : Number.NaN,
    rows: count,
  };
}

/**
 * The probability that a random positive is scored above a random negative (ties ½): both
 * classes sorted natively, then one merge — O(n log n) with no comparator callbacks.
 */
export function auc(predictions: Float64Array, labels: Int8Array, count: number, positives?: number): number {
  const positiveCount = positives ?? labels.subarray(0, count).reduce((sum, y) => sum + (y === 1 ? 1 : 0), 0);
  const negativeCount = count - positiveCount;
  if (positiveCount === 0 || negativeCount === 0) return Number.NaN;
  const pos = new Float64Array(positiveCount);
  const neg = new Float64Array(negativeCount);
  let p = 0;
  let n = 0;
  for (let i = 0; i < count; i++) {
    if (labels[i] === 1) pos[p++] = predictions[i] as number;
    else neg[n++] = predictions[i] as number;
  }
  pos.sort();
  neg.sort();
  // For each positive: negatives strictly below it, plus half of those equal to it.
  let below = 0;
  let equalEnd = 0;
  let wins = 0;
  for (let i = 0; i < positiveCount; i++) {
    const value = pos[i] as number;
    while (below < negativeCount && (neg[below] as number) < value) below++;
    if (equalEnd < below) equalEnd = below;
    while (equalEnd < negativeCount && (neg[equalEnd] as number) === value) equalEnd++;
    wins += below + (equalEnd - below) / 2;
  }
  return wins / (positiveCount * negativeCount);
}
