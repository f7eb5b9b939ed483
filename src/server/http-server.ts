/**
 * The HTTP server: GraphQL (graphql-yoga) at /graphql with GraphiQL served from the installed
 * package (no CDN: school networks often block them), liveness at /healthz, readiness at /readyz.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { createYoga, type Plugin } from "graphql-yoga";
import type { KnowledgeGraphStore } from "../graph/store.js";
import type { Logger } from "../logger.js";
import type { GraphQLContext } from "../schema/context.js";
import { schema } from "../schema/index.js";
import type { CurriculumService } from "../services/curriculum-service.js";
import { GRAPHIQL_EXAMPLES } from "./graphiql-examples.js";

export interface HttpServerDeps {
  store: KnowledgeGraphStore;
  curriculum: CurriculumService;
  logger: Logger;
}

/** One structured log line per GraphQL request: operation, status and duration. */
function requestLogPlugin(logger: Logger): Plugin {
  const started = new WeakMap<Request, number>();
  return {
    onRequest({ request }) {
      started.set(request, performance.now());
    },
    onResponse({ request, response }) {
      const start = started.get(request);
      logger.info(
        {
          method: request.method,
          path: new URL(request.url).pathname,
          status: response.status,
          ms: start === undefined ? undefined : Math.round((performance.now() - start) * 10) / 10,
        },
        "request",
      );
    },
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

export function createHttpServer(deps: HttpServerDeps): Server {
  const yoga = createYoga<{ req: IncomingMessage; res: ServerResponse }, GraphQLContext>({
    schema,
    graphqlEndpoint: "/graphql",
    logging: deps.logger.child({ component: "yoga" }),
    renderGraphiQL,
    graphiql: {
      title: "Pathwise GraphQL",
      defaultTabs: GRAPHIQL_EXAMPLES,
    },
    landingPage: false,
    context: () => ({ store: deps.store, curriculum: deps.curriculum, logger: deps.logger }),
    plugins: [requestLogPlugin(deps.logger)],
  });

  return createServer(async (request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (path === "/healthz") {
      sendJson(response, 200, { status: "ok" });
      return;
    }
    if (path === "/readyz") {
      try {
        await deps.store.ping();
        sendJson(response, 200, { status: "ready", store: deps.store.backend, knowledgePoints: deps.curriculum.index.pointCount });
      } catch (error) {
        sendJson(response, 503, { status: "unavailable", reason: (error as Error).message });
      }
      return;
    }
    if (path === "/") {
      response.writeHead(302, { location: "/graphql" });
      response.end();
      return;
    }
    await yoga.handle(request, response);
  });
}
