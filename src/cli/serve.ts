/** `pathwise serve`: the API server, seeded on first start, shut down gracefully on SIGINT/SIGTERM. */
import type { Command } from "commander";
import { loadConfig } from "../config.js";
import { createLogger } from "../logger.js";
import { assertAuthConfig } from "../schema/auth/authenticator.js";
import { createHttpServer } from "../server/http-server.js";
import { openRuntime } from "../services/runtime.js";
import { parsePort } from "./options.js";

/** How often the server checks whether another process imported a curriculum. */
const INDEX_REFRESH_INTERVAL_MS = 5000;
/** How long shutdown waits for in-flight requests before closing connections anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description(
      "run the GraphQL API (GraphiQL at /graphql); seeds the curriculum on first start, and the demo school in development (PATHWISE_DEMO)",
    )
    .option("--port <port>", "port to listen on (env PORT; default 4000)", parsePort)
    .option("--host <host>", "interface to bind (env HOST; default 0.0.0.0)")
    .option("--data-dir <dir>", "where the embedded store lives (env PATHWISE_DATA_DIR; default ./data)")
    .action(async (options: { port?: number; host?: string; dataDir?: string }) => {
      const config = loadConfig(process.env, options);
      // Refuse a production start with the dev secret before touching the store.
      assertAuthConfig(config.auth, config.mode);
      const logger = createLogger(config.logLevel);
      const runtime = await openRuntime(config, logger, { seed: true, longRunning: true });
      const server = createHttpServer(runtime);
      const refresh = setInterval(() => {
        runtime.curriculum.refreshIfStale().catch((error) => logger.error({ err: error }, "index refresh failed"));
        // Parameters published by another process (bkt publish, a refit job) take effect here.
        runtime.masteryModel.refreshIfStale().catch((error) => logger.error({ err: error }, "BKT parameter refresh failed"));
      }, INDEX_REFRESH_INTERVAL_MS);
      refresh.unref();

      let stopping = false;
      const shutdown = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, "shutting down: no new requests, finishing in-flight ones");
        clearInterval(refresh);
        const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        force.unref();
        server.close(async () => {
          await runtime.close();
          logger.info("stopped");
          process.exit(0);
        });
        server.closeIdleConnections();
      };
      process.on("SIGINT", () => void shutdown("SIGINT"));
      process.on("SIGTERM", () => void shutdown("SIGTERM"));

      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(config.port, config.host, () => resolve());
      });
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : config.port;
      logger.info({ port, store: runtime.store.backend, dataDir: config.dataDir }, "listening");
      process.stderr.write(`\nPathwise is running: GraphiQL at http://localhost:${port}/graphql\n\n`);
      if (runtime.demo) {
        const demo = runtime.demo;
        process.stderr.write(
          `Demo school "${demo.schoolId}" created (${(demo.ms / 1000).toFixed(1)} s): ${demo.classes} classes, ${demo.students} students, ` +
            `${demo.attempts} simulated answers from ${demo.from} to ${demo.to}. ` +
            "Teacher t-1 teaches 7A-math; demo-teacher all classes; demo-student is in 7A-math. " +
            "Re-create it with: npx pathwise demo reset\n\n",
        );
      }
    });
}
