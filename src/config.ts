/**
 * Runtime configuration from the environment, overridable by command-line flags.
 * Every setting, its variable and its default is listed in docs/configuration.md.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface Neo4jConfig {
  uri: string;
  user: string;
  password: string;
  database?: string;
  /** Connections the driver may open to one server. Default 50. */
  maxConnectionPoolSize: number;
  /** How long to wait for a free pooled connection, ms. Default 30000. */
  connectionAcquisitionTimeoutMs: number;
}

export interface PathwiseConfig {
  /** `production` refuses development conveniences (dev secrets, unauthenticated access). */
  mode: "development" | "production";
  dataDir: string;
  host: string;
  port: number;
  logLevel: string;
  /** Curriculum imported on first start when the store holds none. */
  seedPath: string;
  neo4j?: Neo4jConfig;
}

export const PROJECT_ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

/** pino's levels; anything else would only fail later, inside the logger, with a vaguer message. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** A whole number in [0, max] written in decimal digits; empty or unset means the fallback. */
function integer(value: string | undefined, fallback: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined || value.trim() === "") return fallback;
  const parsed = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? "≥ 0" : `from 0 to ${max}`;
    throw new Error(`${name} must be a whole number ${range}, got "${value}"`);
  }
  return parsed;
}

function logLevel(value: string | undefined, fallback: string): string {
  if (value === undefined || value.trim() === "") return fallback;
  const level = value.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${value}"`);
  }
  return level;
}

/**
 * `defaults` changes a default, never an explicit setting: the curriculum CLI logs at `warn`
 * unless LOG_LEVEL says otherwise, so its stdout/stderr stay readable.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Pick<PathwiseConfig, "dataDir" | "port" | "host">> = {},
  defaults: Partial<Pick<PathwiseConfig, "logLevel">> = {},
): PathwiseConfig {
  const mode = (env.PATHWISE_MODE ?? (env.NODE_ENV === "production" ? "production" : "development")) as PathwiseConfig["mode"];
  if (mode !== "development" && mode !== "production") throw new Error(`PATHWISE_MODE must be development or production, got "${mode}"`);
  const config: PathwiseConfig = {
    mode,
    dataDir: resolve(overrides.dataDir ?? env.PATHWISE_DATA_DIR ?? "data"),
    host: overrides.host ?? env.HOST ?? "0.0.0.0",
    port: overrides.port ?? integer(env.PORT, 4000, "PORT", 65535),
    logLevel: logLevel(env.LOG_LEVEL, defaults.logLevel ?? "info"),
    seedPath: resolve(env.PATHWISE_SEED_PATH ?? resolve(PROJECT_ROOT, "seeds/curriculum")),
  };
  if (env.NEO4J_URI) {
    config.neo4j = {
      uri: env.NEO4J_URI,
      user: env.NEO4J_USER ?? "neo4j",
      password: env.NEO4J_PASSWORD ?? "",
      ...(env.NEO4J_DATABASE ? { database: env.NEO4J_DATABASE } : {}),
      maxConnectionPoolSize: integer(env.NEO4J_MAX_POOL_SIZE, 50, "NEO4J_MAX_POOL_SIZE"),
      connectionAcquisitionTimeoutMs: integer(env.NEO4J_ACQUISITION_TIMEOUT_MS, 30_000, "NEO4J_ACQUISITION_TIMEOUT_MS"),
    };
  }
  return config;
}
