/**
 * The HTTP server: GraphQL (graphql-yoga) at /graphql with GraphiQL served from the installed
 * package (no CDN: school networks often block them), liveness at /healthz, readiness at
 * /readyz, Prometheus metrics at /metrics.
 *
 * Every GraphQL request: gets a request id (`x-request-id`, honoured when the client sends a sane
 * one); has its body size limited; is authenticated from its bearer token before anything is
 * parsed (HTTP 401 for a bad token, and for no token in production mode); passes GraphQL Armor's
 * limits; has unexpected errors masked as INTERNAL_SERVER_ERROR with the request id, logged
 * here with the real error; and is logged and counted once when its response ends.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { useEngine } from "@envelop/core";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { type ExecutionResult, execute, GraphQLError, getOperationAST, subscribe } from "graphql";
import { createYoga, handleStreamOrSingleExecutionResult, type Plugin } from "graphql-yoga";
import type { PathwiseConfig } from "../config.js";
import type { KnowledgeGraphStore } from "../graph/store.js";
import { jobsConfigFromEnv } from "../jobs/config.js";
import { defaultJobHandlers } from "../jobs/handlers/index.js";
import { InProcessJobQueue } from "../jobs/in-process-job-queue.js";
import type { JobQueue } from "../jobs/job-queue.js";
import { createNarrativeGenerator } from "../llm/lesson-narrative-generator.js";
import type { Logger } from "../logger.js";
import { assertAuthConfig, createAuthenticator } from "../schema/auth/authenticator.js";
import { demoTokens } from "../schema/auth/tokens.js";
import { ANONYMOUS, type Viewer } from "../schema/auth/viewer.js";
import type { GraphQLContext } from "../schema/context.js";
import { InvalidInputError, UnauthenticatedError } from "../schema/errors.js";
import { schema } from "../schema/index.js";
import { LearnerLoaders } from "../schema/loaders.js";
import type { CurriculumService } from "../services/curriculum-service.js";
import { LearningEvents } from "../services/learning-events.js";
import { type LearningMetricsHook, LearningService } from "../services/learning-service.js";
import { LessonPlanService } from "../services/lesson-plans/lesson-plan-service.js";
import { MasteryModelService } from "../services/mastery-model-service.js";
import { PlacementService } from "../services/placement.js";
import { RecommendationService } from "../services/recommendation-service.js";
import { DEMO_TOKEN_LIFETIME, devTokenBanner } from "./dev-tokens.js";
import { graphiqlTabs } from "./graphiql-examples.js";
import { armorPlugin, BodyTooLargeError, disableIntrospectionPlugin, readBody } from "./limits.js";
import {
  answersRecorded,
  bktUpdateSeconds,
  graphqlRequestDuration,
  graphqlRequests,
  metricsRegistry,
  operationLabel,
  outcomeOf,
} from "./metrics.js";

export interface HttpServerDeps {
  config: PathwiseConfig;
  store: KnowledgeGraphStore;
  curriculum: CurriculumService;
  logger: Logger;
  /** The runtime's BKT parameter service (its cache is refreshed by `pathwise serve`); a new one when absent. */
  masteryModel?: MasteryModelService;
  /** The runtime's event bus (subscriptions); a new one when absent. Per process: see docs/learning.md, "Events". */
  events?: LearningEvents;
  /** The runtime's job queue; when absent, an in-process one over these services. */
  jobs?: JobQueue;
  /** The runtime's recommender; a new one when absent. */
  recommendations?: RecommendationService;
  /** The runtime's lesson plans; when absent, plans with the configured generator. */
  lessonPlans?: LessonPlanService;
}

/** The learning service's metrics hook: BKT update time per write transaction (answers are counted per request, with their grade). */
export const learningMetrics: LearningMetricsHook = {
  bktUpdateSeconds: (seconds) => bktUpdateSeconds.observe(seconds),
};

const GRAPHQL_PATH = "/graphql";
const GRAPHIQL_TITLE = "Pathwise GraphQL";

/** What the server knows about the GraphQL request being handled. */
interface RequestState {
  requestId: string;
  /** The operation name the client asked for (undefined until the request is parsed). */
  requestedOperation?: string | null;
  /** The executed operation's name; null for an unnamed operation. */
  operation?: string | null;
  hadErrors: boolean;
}

/** yoga's server context: the Node request and response it was handed. */
interface ServerContext {
  req: IncomingMessage;
  res: ServerResponse;
}

/**
 * Request state by Node request, and by the Fetch API request yoga makes of it (hooks see one or
 * the other). Not AsyncLocalStorage: its promise hooks cost every request a few per cent.
 */
const states = new WeakMap<IncomingMessage | Request, RequestState>();

/** A client's `x-request-id` is kept when it is short and plain; otherwise a new UUID. */
function requestIdOf(request: IncomingMessage): string {
  const given = request.headers["x-request-id"];
  return typeof given === "string" && /^[A-Za-z0-9._:-]{1,64}$/.test(given) ? given : randomUUID();
}

function isOriginalGraphQLError(error: unknown): error is GraphQLError {
  if (!(error instanceof GraphQLError)) return false;
  return error.originalError == null || isOriginalGraphQLError(error.originalError);
}

/** The error a client sees instead of an unexpected one, logged here with the real error. */
function internalError(logger: Logger, error: unknown, requestId: string): GraphQLError {
  const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  logger.error({ err: original, requestId, path: error instanceof GraphQLError ? error.path : undefined }, "unexpected error");
  return new GraphQLError(`Internal server error (request ${requestId}).`, {
    ...(error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {}),
    extensions: { code: "INTERNAL_SERVER_ERROR", requestId },
  });
}

/**
 * Errors the code meant to show (GraphQLErrors all the way down: typed errors, validation,
 * limits) pass; anything else becomes INTERNAL_SERVER_ERROR with the request id. Execution
 * results are masked here, where the request is known; yoga's `maskError` (below) catches the
 * rest, e.g. a failure before execution, with an id of its own.
 */
function maskingPlugin(logger: Logger): Plugin<GraphQLContext> {
  const mask = (result: ExecutionResult, setResult: (result: ExecutionResult) => void, requestId: string) => {
    if (!result.errors?.some((error) => !isOriginalGraphQLError(error))) return;
    setResult({
      ...result,
      errors: result.errors.map((error) => (isOriginalGraphQLError(error) ? error : internalError(logger, error, requestId))),
    });
  };
  return {
    onExecute({ args }) {
      const { requestId } = args.contextValue as GraphQLContext;
      return {
        onExecuteDone: ({ result, setResult }) =>
          handleStreamOrSingleExecutionResult({ result, setResult, args }, ({ result, setResult }) => mask(result, setResult, requestId)),
      };
    },
    onSubscribe({ args }) {
      const { requestId } = args.contextValue as GraphQLContext;
      return {
        onSubscribeResult: ({ result, setResult }) =>
          handleStreamOrSingleExecutionResult({ result, setResult, args }, ({ result, setResult }) => mask(result, setResult, requestId)),
      };
    },
  };
}

function maskError(logger: Logger) {
  return (error: unknown): Error => (isOriginalGraphQLError(error) ? error : internalError(logger, error, randomUUID()));
}

/**
 * Authenticates before the operation is parsed or validated, so that in production a client
 * without a valid token learns nothing about the schema; notes the operation name for metrics.
 */
function authPlugin(deps: HttpServerDeps, viewers: WeakMap<Request, Viewer>): Plugin<Record<string, unknown>, ServerContext> {
  const authenticator = createAuthenticator(deps.config.auth);
  return {
    onParams({ request, params, context }) {
      const state = states.get(context.req);
      if (state) {
        state.requestedOperation = params.operationName ?? null;
        states.set(request, state);
      }
      const admit = (viewer: Viewer) => {
        if (viewer.kind === "anonymous" && deps.config.mode === "production") throw new UnauthenticatedError(undefined, true);
        viewers.set(request, viewer);
      };
      const authorization = request.headers.get("authorization");
      // A remembered token is admitted synchronously: yoga runs the rest of the request without
      // chaining a promise through every later hook (fewer allocations, less GC).
      const known = authenticator.remembered(authorization);
      if (known) return admit(known);
      return authenticator
        .authenticate(authorization, (reason, error) =>
          deps.logger.info({ requestId: state?.requestId, reason, detail: (error as Error).message }, "token refused"),
        )
        .then(admit);
    },
    onParse({ context }) {
      return ({ result }) => {
        const state = states.get((context as { request: Request }).request);
        if (state && !(result instanceof Error) && result) {
          state.operation = getOperationAST(result, state.requestedOperation ?? undefined)?.name?.value ?? null;
        }
      };
    },
    onResultProcess({ request, result }) {
      const state = states.get(request);
      const results = Array.isArray(result) ? result : [result];
      if (state && results.some((r) => r && "errors" in r && (r.errors?.length ?? 0) > 0)) state.hadErrors = true;
    },
  };
}

/**
 * Variables that do not fit their types (`"abc"` for an Int, a missing required field) are
 * INVALID_INPUT with `field`, the path graphql-js names (`input.responseTimeMs`), like every other
 * bad argument.
 */
function invalidVariablesPlugin(): Plugin {
  const coercion =
    /^Variable "\$([^"]+)" (?:got invalid value .*?(?: at "([^"]+)")?;|of required type .* was not provided|of non-null type .* must not be null)/s;
  return {
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (!("errors" in result) || !result.errors || "data" in result) return;
          let changed = false;
          const errors = result.errors.map((error) => {
            if (error.extensions?.code) return error;
            const match = coercion.exec(error.message);
            if (!match) return error;
            changed = true;
            const field = match[2] ?? match[1] ?? "variables";
            return new InvalidInputError(field, error.message);
          });
          if (changed) setResult({ ...result, errors });
        },
      };
    },
  };
}

const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

/** The body of an error answered before GraphQL execution, shaped like a GraphQL error response. */
function httpErrorBody(message: string, code: string, requestId?: string) {
  return { errors: [{ message, extensions: { code, ...(requestId !== undefined ? { requestId } : {}) } }] };
}

/**
 * A body none of yoga's parsers takes (multipart, text/plain, no content type) gets HTTP 415 with
 * a typed error saying what is accepted; yoga's own 415 has an empty body. Registered after yoga's
 * parsers, so `requestParser` tells whether one of them matched.
 */
function unsupportedMediaTypePlugin(): Plugin<Record<string, unknown>, ServerContext> {
  return {
    onRequestParse({ request, requestParser, serverContext, endResponse, fetchAPI }) {
      if (requestParser) return;
      const body = httpErrorBody(
        `A GraphQL request is a GET with query parameters or a POST of application/json (or application/graphql, or a URL-encoded form); got ${JSON.stringify(request.headers.get("content-type") ?? "no content type")}.`,
        "UNSUPPORTED_MEDIA_TYPE",
        states.get(serverContext.req)?.requestId,
      );
      endResponse(new fetchAPI.Response(JSON.stringify(body), { status: 415, headers: { "content-type": JSON_CONTENT_TYPE } }));
    },
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": JSON_CONTENT_TYPE, "content-length": Buffer.byteLength(text) });
  response.end(text);
}

export function createHttpServer(deps: HttpServerDeps): Server {
  const { config, logger } = deps;
  assertAuthConfig(config.auth, config.mode);
  const viewers = new WeakMap<Request, Viewer>();
  const masteryModel = deps.masteryModel ?? new MasteryModelService(deps.store, logger);
  const events = deps.events ?? new LearningEvents();
  // The runtime's placement when it gave its recommender: one grade cache for answers and recommendations.
  const placement = deps.recommendations?.contexts.placement ?? new PlacementService(deps.store, deps.curriculum);
  const learning = new LearningService(deps.store, masteryModel, { metrics: learningMetrics, events, placement });
  const recommendations = deps.recommendations ?? new RecommendationService(deps.store, deps.curriculum, masteryModel, { placement });
  const lessonPlans =
    deps.lessonPlans ??
    new LessonPlanService(deps.store, deps.curriculum, recommendations.contexts, createNarrativeGenerator(config.llm, { logger }));
  const jobs =
    deps.jobs ??
    new InProcessJobQueue(
      { config, logger, store: deps.store, curriculum: deps.curriculum, masteryModel, learning, events, recommendations, lessonPlans },
      defaultJobHandlers(),
      jobsConfigFromEnv({}),
    );
  const onAnswerRecorded = (result: { correct: boolean }) => answersRecorded.inc({ correct: String(result.correct) });

  const yoga = createYoga<{ req: IncomingMessage; res: ServerResponse }, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    logging: logger.child({ component: "yoga" }),
    maskedErrors: { maskError: maskError(logger), isDev: false },
    renderGraphiQL,
    // GraphiQL needs introspection; it is served exactly when introspection is on.
    // In development each persona's tab carries its demo token (school "demo"), signed per page load.
    graphiql: !config.introspection
      ? false
      : config.mode === "development" && config.auth.jwtSecret !== undefined
        ? async () => ({ title: GRAPHIQL_TITLE, defaultTabs: graphiqlTabs(await demoTokens(config.auth, DEMO_TOKEN_LIFETIME)) })
        : { title: GRAPHIQL_TITLE, defaultTabs: graphiqlTabs() },
    landingPage: false,
    // No operation takes a file: multipart bodies (a form a browser may post across sites) are refused.
    multipart: false,
    // The body is read and limited before yoga sees it (handleGraphQL); yoga's own limit would
    // pipe every body through a second stream for nothing.
    maxRequestBodySize: false,
    context: ({ request }): GraphQLContext => {
      const requestId = states.get(request)?.requestId ?? randomUUID();
      const viewer = viewers.get(request) ?? ANONYMOUS;
      return {
        store: deps.store,
        curriculum: deps.curriculum,
        learning,
        masteryModel,
        events,
        jobs,
        recommendations,
        lessonPlans,
        loaders: new LearnerLoaders(deps.store, viewer),
        onAnswerRecorded,
        viewer,
        mode: config.mode,
        requestId,
      };
    },
    plugins: [
      // graphql-js's own executor instead of yoga's default (@graphql-tools/executor): that one
      // carries @defer/@stream and cancellation, which this API does not use, and cost about a
      // tenth of an answer's CPU more on the API benchmark (docs/benchmarks.md).
      useEngine({ execute, subscribe }),
      authPlugin(deps, viewers),
      maskingPlugin(logger),
      invalidVariablesPlugin(),
      unsupportedMediaTypePlugin(),
      armorPlugin(config.limits, config.introspection),
      ...(config.introspection ? [] : [disableIntrospectionPlugin()]),
    ],
  });

  async function handleGraphQL(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const state: RequestState = { requestId: requestIdOf(request), hadErrors: false };
    const started = performance.now();
    response.setHeader("x-request-id", state.requestId);
    response.once("close", () => {
      const seconds = (performance.now() - started) / 1000;
      const operation = operationLabel(state.operation !== undefined ? state.operation : state.requestedOperation);
      const outcome = outcomeOf(response.statusCode, state.hadErrors);
      graphqlRequestDuration.observe({ operation }, seconds);
      graphqlRequests.inc({ operation, outcome });
      logger.info(
        {
          method: request.method,
          path: GRAPHQL_PATH,
          status: response.statusCode,
          ms: Math.round(seconds * 10_000) / 10,
          requestId: state.requestId,
          operation,
          outcome,
        },
        "request",
      );
    });
    states.set(request, state);
    if (request.method !== "GET" && request.method !== "HEAD") {
      try {
        // whatwg-node (under yoga) takes an already-read body from `request.body`.
        (request as IncomingMessage & { body?: Buffer }).body = await readBody(request, config.limits.maxBodyBytes);
      } catch (error) {
        if (!(error instanceof BodyTooLargeError)) throw error;
        request.resume(); // discard the rest; the connection stays usable
        sendJson(response, 413, httpErrorBody(error.message, "PAYLOAD_TOO_LARGE", state.requestId));
        return;
      }
    }
    await yoga.handle(request, response);
  }

  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    const handled = (async () => {
      if (path === "/healthz") return sendJson(response, 200, { status: "ok" });
      if (path === "/readyz") {
        try {
          await deps.store.ping();
          return sendJson(response, 200, { status: "ready", store: deps.store.backend, knowledgePoints: deps.curriculum.index.pointCount });
        } catch (error) {
          logger.warn({ err: error }, "readiness check failed: store unreachable");
          return sendJson(response, 503, { status: "unavailable", reason: (error as Error).message });
        }
      }
      if (path === "/metrics") {
        const text = await metricsRegistry.metrics();
        response.writeHead(200, { "content-type": metricsRegistry.contentType });
        response.end(text);
        return;
      }
      if (path === "/") {
        response.writeHead(302, { location: GRAPHQL_PATH });
        response.end();
        return;
      }
      if (path === GRAPHQL_PATH) return handleGraphQL(request, response);
      return yoga.handle(request, response);
    })();
    handled.catch((error: unknown) => {
      logger.error({ err: error, path }, "request failed");
      if (!response.headersSent) sendJson(response, 500, httpErrorBody("Internal server error.", "INTERNAL_SERVER_ERROR"));
      else response.destroy();
    });
  });

  if (config.mode === "development" && config.auth.jwtSecret !== undefined) {
    server.once("listening", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : config.port;
      // After the "running" banner that `pathwise serve` prints once listening.
      setImmediate(() => {
        devTokenBanner(config.auth, port).then(
          (banner) => process.stderr.write(banner),
          (error: unknown) => logger.warn({ err: error }, "could not sign demo tokens"),
        );
      });
    });
  }
  return server;
}
