/**
 * Prometheus metrics (prom-client), served at GET /metrics.
 *
 * One registry for the process. The HTTP server records GraphQL requests; the learning service
 * records answers and BKT update times with the two metrics exported for it:
 *
 *   answersRecorded.inc({ correct: String(grade.correct) });
 *   const stop = bktUpdateSeconds.startTimer(); …; stop();
 */
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

export const metricsRegistry = new Registry();
metricsRegistry.setDefaultLabels({ service: "pathwise" });
// Process metrics (CPU, memory, event-loop lag, GC), prefixed like ours.
collectDefaultMetrics({ register: metricsRegistry, prefix: "pathwise_" });

/** How a GraphQL request ended (the `outcome` label). */
export type RequestOutcome =
  /** 2xx without GraphQL errors */
  | "success"
  /** 2xx with GraphQL errors (validation, limits, FORBIDDEN, NOT_FOUND, …) */
  | "error"
  /** 401: no valid token */
  | "unauthenticated"
  /** other 4xx: malformed request, body too large, wrong method */
  | "rejected"
  /** 5xx */
  | "server_error";

export const graphqlRequestDuration = new Histogram({
  name: "pathwise_graphql_request_duration_seconds",
  help: "GraphQL request latency from the first byte read to the last byte written, by operation name.",
  labelNames: ["operation"] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

export const graphqlRequests = new Counter({
  name: "pathwise_graphql_requests_total",
  help: "GraphQL requests by operation name and outcome (success, error, unauthenticated, rejected, server_error).",
  labelNames: ["operation", "outcome"] as const,
  registers: [metricsRegistry],
});

/** For the learning service: one per acknowledged (durable) answer. */
export const answersRecorded = new Counter({
  name: "pathwise_answers_recorded_total",
  help: "Answers graded and committed, by correctness.",
  labelNames: ["correct"] as const,
  registers: [metricsRegistry],
});

/** For the learning service: the BKT mastery update of one answer (all its knowledge points). */
export const bktUpdateSeconds = new Histogram({
  name: "pathwise_bkt_update_seconds",
  help: "Time to update BKT mastery for one answer.",
  buckets: [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
  registers: [metricsRegistry],
});

/** Client-chosen operation names become labels: keep them few and well-formed. */
const MAX_OPERATION_LABELS = 200;
const seenOperations = new Set<string>();

/**
 * The `operation` label for a request: its operation name if well-formed (`anonymous` for an
 * unnamed operation, `unknown` when the request never got that far), `invalid` for a name that
 * is not a GraphQL name of up to 64 characters, `other` once 200 distinct names have been seen.
 */
export function operationLabel(name: string | null | undefined): string {
  if (name === undefined) return "unknown";
  if (name === null || name === "") return "anonymous";
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return "invalid";
  if (seenOperations.has(name)) return name;
  if (seenOperations.size >= MAX_OPERATION_LABELS) return "other";
  seenOperations.add(name);
  return name;
}

export function outcomeOf(status: number, hadErrors: boolean): RequestOutcome {
  if (status === 401) return "unauthenticated";
  if (status >= 500) return "server_error";
  if (status >= 400) return "rejected";
  return hadErrors ? "error" : "success";
}
