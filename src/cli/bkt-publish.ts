/**
 * `pathwise bkt publish | activate`: put fitted parameters into the product's store with their
 * provenance, and choose which set is current. Names, options and the --json shape are a
 * contract for jobs that refit and publish (docs/bkt.md).
 */
import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import type { Command } from "commander";
import { loadConfig } from "../config.js";
import type { BktParameterSetRecord } from "../graph/store.js";
import { createLogger } from "../logger.js";
import type { PublishReport } from "../services/mastery-model-service.js";
import { openRuntime, type Runtime } from "../services/runtime.js";

/** Commands print their results; their logs stay at `warn` unless LOG_LEVEL asks for more (or less). */
const CLI_DEFAULTS = { logLevel: "warn" } as const;
/** Unknown points listed by name in the text output; --json lists them all. */
const UNKNOWN_LISTED = 20;

function currentUser(): string {
  try {
    return userInfo().username || process.env.USER || "unknown";
  } catch {
    return process.env.USER ?? "unknown";
  }
}

function readMetrics(file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`--metrics ${file}: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`--metrics ${file}: expected a JSON object (the output of bkt evaluate or bkt crossvalidate)`);
  }
  return value as Record<string, unknown>;
}

async function withRuntime(options: { dataDir?: string }, body: (runtime: Runtime) => Promise<void>): Promise<void> {
  const config = loadConfig(process.env, options, CLI_DEFAULTS);
  const runtime = await openRuntime(config, createLogger(config.logLevel));
  try {
    await body(runtime);
  } finally {
    await runtime.close();
  }
}

function describeSource(set: BktParameterSetRecord): string {
  const counts = [
    set.source.rows !== undefined ? `${set.source.rows} rows` : undefined,
    set.source.students !== undefined ? `${set.source.students} students` : undefined,
  ].filter(Boolean);
  return `${set.source.data}${counts.length > 0 ? ` (${counts.join(", ")})` : ""}`;
}

function describeFit(set: BktParameterSetRecord): string {
  const parts = [
    set.fit.logLikelihood !== undefined ? `log-likelihood ${set.fit.logLikelihood.toFixed(1)}` : undefined,
    set.fit.iterations !== undefined ? `${set.fit.iterations} iterations` : undefined,
    `${set.fit.warnings} warning(s)`,
    set.metrics ? "metrics kept" : undefined,
  ];
  return `${parts.filter(Boolean).join(", ")}; published by ${set.createdBy}`;
}

function activationLine(set: BktParameterSetRecord): string {
  return set.activation === undefined
    ? `not activated: run \`pathwise bkt activate ${set.id}\` to make it current\n`
    : `current for ${set.currentPointCount} of its ${set.pointCount} knowledge point(s)\n`;
}

function printReport(report: PublishReport): void {
  const { set, matched, unknown } = report;
  const lines = [
    `stored BKT parameter set ${set.id}`,
    `  variant ${set.variant}, fitted ${set.fittedAt} on ${describeSource(set)}`,
    `  fit: ${describeFit(set)}`,
    `  knowledge points: ${set.pointCount} — ${matched.length} in the curriculum, ${unknown.length} not in the curriculum`,
  ];
  if (unknown.length > 0) {
    const more = unknown.length > UNKNOWN_LISTED ? ` … and ${unknown.length - UNKNOWN_LISTED} more` : "";
    lines.push(`  not in the curriculum (stored all the same): ${unknown.slice(0, UNKNOWN_LISTED).join(", ")}${more}`);
  }
  for (const warning of report.warnings) lines.push(`  warning: ${warning}`);
  process.stdout.write(`${lines.join("\n")}\n${activationLine(set)}`);
}

export function registerBktPublish(bkt: Command): void {
  bkt
    .command("publish")
    .description("store fitted parameters (params.json) with their provenance; they become current for their points unless --no-activate")
    .requiredOption("--params <file>", "fitted parameters written by `bkt fit`; skills are knowledge point ids")
    .option("--metrics <file>", "evaluation or cross-validation JSON (stdout of `bkt evaluate` / `bkt crossvalidate`) to keep with the set")
    .option("--data-description <text>", "describes the data when params.json does not name it")
    .option("--created-by <name>", "who or which job publishes (default: the user name)")
    .option("--no-activate", "store the set without making it current (activate it later with `bkt activate`)")
    .option("--json", "print the stored set and the curriculum match as JSON")
    .option("--data-dir <dir>", "the embedded store's directory (env PATHWISE_DATA_DIR; default ./data)")
    .action(
      (options: {
        params: string;
        metrics?: string;
        dataDescription?: string;
        createdBy?: string;
        activate: boolean;
        json?: boolean;
        dataDir?: string;
      }) => {
        const metrics = options.metrics ? readMetrics(options.metrics) : undefined;
        return withRuntime(options, async (runtime) => {
          const report = await runtime.masteryModel.importParameterFile(options.params, {
            activate: options.activate,
            createdBy: options.createdBy ?? currentUser(),
            ...(metrics ? { metrics } : {}),
            ...(options.dataDescription ? { dataDescription: options.dataDescription } : {}),
          });
          if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
          else printReport(report);
        });
      },
    );

  bkt
    .command("activate")
    .description("make a stored parameter set current for its knowledge points (the most recently activated set wins per point)")
    .argument("<set-id>", "the id `bkt publish` printed")
    .option("--data-dir <dir>", "the embedded store's directory (env PATHWISE_DATA_DIR; default ./data)")
    .action((setId: string, options: { dataDir?: string }) =>
      withRuntime(options, async (runtime) => {
        const set = await runtime.masteryModel.activate(setId);
        process.stdout.write(
          `activated BKT parameter set ${set.id} (variant ${set.variant}, fitted ${set.fittedAt})\n${activationLine(set)}`,
        );
      }),
    );
}
