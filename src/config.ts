/**
 * Runtime configuration from the environment, overridable by command-line flags.
 * Every setting, its variable and its default is listed in docs/configuration.md.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type LlmConfig, llmConfigFromEnv } from "./llm/config.js";

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

/**
 * The HS256 secret used in development when PATHWISE_JWT_SECRET is unset. It is public (it is in
 * this file), so a server in production mode refuses to start with it.
 */
export const DEV_JWT_SECRET = "pathwise-development-secret-not-for-production";

/** How bearer tokens are verified (src/schema/auth/authenticator.ts). */
export interface AuthConfig {
  /** HS256 secret: PATHWISE_JWT_SECRET, else the built-in development secret in development mode. */
  jwtSecret?: string;
  /** True when `jwtSecret` is the built-in DEV_JWT_SECRET (refused in production mode). */
  usingDevSecret: boolean;
  /** JSON Web Key Set of a school's single sign-on, for RS256 tokens. */
  jwksUrl?: string;
  /** Accepted `iss` values; not checked when empty. */
  issuers: string[];
  /** Accepted `aud` values (one must match). Default ["pathwise"]. */
  audiences: string[];
  /** Leeway for `exp`/`nbf`, seconds. Default 30. */
  clockToleranceSeconds: number;
}

/** GraphQL Armor and HTTP limits (src/server/limits.ts). */
export interface LimitsConfig {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxDirectives: number;
  maxTokens: number;
  /** Largest request body accepted, bytes; larger requests get HTTP 413. */
  maxBodyBytes: number;
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
  auth: AuthConfig;
  limits: LimitsConfig;
  /** Schema introspection (and GraphiQL, which needs it). Default on in development, off in production. */
  introspection: boolean;
  /** Create the demo school on first start (seeds/demo/). Default on in development, off in production. */
  demo: boolean;
  /** The lesson-plan narrative: the offline generator (default) or a model (docs/llm.md). */
  llm: LlmConfig;
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

/** `true`/`false` (also 1/0, yes/no, on/off); empty or unset means the fallback. */
function boolean(value: string | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined || value.trim() === "") return fallback;
  const normalized = value.trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(normalized)) return true;
  if (["false", "0", "no", "off"].includes(normalized)) return false;
  throw new Error(`${name} must be true or false, got "${value}"`);
}

/** A comma-separated list; empty entries are dropped. */
function list(value: string | undefined, fallback: string[]): string[] {
  if (value === undefined || value.trim() === "") return fallback;
  return value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}

function authConfig(env: NodeJS.ProcessEnv, mode: PathwiseConfig["mode"]): AuthConfig {
  const secret = env.PATHWISE_JWT_SECRET?.trim() ? env.PATHWISE_JWT_SECRET : undefined;
  const jwtSecret = secret ?? (mode === "development" ? DEV_JWT_SECRET : undefined);
  return {
    ...(jwtSecret !== undefined ? { jwtSecret } : {}),
    usingDevSecret: jwtSecret === DEV_JWT_SECRET,
    ...(env.PATHWISE_JWKS_URL?.trim() ? { jwksUrl: env.PATHWISE_JWKS_URL.trim() } : {}),
    issuers: list(env.PATHWISE_JWT_ISSUER, []),
    audiences: list(env.PATHWISE_JWT_AUDIENCE, ["pathwise"]),
    clockToleranceSeconds: integer(env.PATHWISE_JWT_CLOCK_TOLERANCE_S, 30, "PATHWISE_JWT_CLOCK_TOLERANCE_S"),
  };
}

function limitsConfig(env: NodeJS.ProcessEnv): LimitsConfig {
  return {
    maxDepth: integer(env.PATHWISE_MAX_DEPTH, 10, "PATHWISE_MAX_DEPTH"),
    maxAliases: integer(env.PATHWISE_MAX_ALIASES, 15, "PATHWISE_MAX_ALIASES"),
    maxCost: integer(env.PATHWISE_MAX_COST, 5000, "PATHWISE_MAX_COST"),
    maxDirectives: integer(env.PATHWISE_MAX_DIRECTIVES, 50, "PATHWISE_MAX_DIRECTIVES"),
    maxTokens: integer(env.PATHWISE_MAX_TOKENS, 2000, "PATHWISE_MAX_TOKENS"),
    maxBodyBytes: integer(env.PATHWISE_MAX_BODY_BYTES, 1024 * 1024, "PATHWISE_MAX_BODY_BYTES"),
  };
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
  const dataDir = resolve(overrides.dataDir ?? env.PATHWISE_DATA_DIR ?? "data");
  const config: PathwiseConfig = {
    mode,
    dataDir,
    host: overrides.host ?? env.HOST ?? "0.0.0.0",
    port: overrides.port ?? integer(env.PORT, 4000, "PORT", 65535),
    logLevel: logLevel(env.LOG_LEVEL, defaults.logLevel ?? "info"),
    seedPath: resolve(env.PATHWISE_SEED_PATH ?? resolve(PROJECT_ROOT, "seeds/curriculum")),
    auth: authConfig(env, mode),
    limits: limitsConfig(env),
    introspection: boolean(env.PATHWISE_INTROSPECTION, mode === "development", "PATHWISE_INTROSPECTION"),
    demo: boolean(env.PATHWISE_DEMO, mode === "development", "PATHWISE_DEMO"),
    llm: llmConfigFromEnv(env, { dataDir }),
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
