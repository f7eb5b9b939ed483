/** The `pathwise` command: wires the command modules, nothing else. */
import { Command } from "commander";
import { registerAttempts } from "./cli/attempts.js";
import { registerBkt } from "./cli/bkt.js";
import { registerCurriculum } from "./cli/curriculum.js";
import { registerDemo } from "./cli/demo.js";
import { registerGraphqlSchema } from "./cli/graphql-schema.js";
import { registerRoster } from "./cli/roster.js";
import { registerServe } from "./cli/serve.js";
import { registerToken } from "./cli/token.js";
import { registerWorker } from "./cli/worker.js";

const program = new Command("pathwise")
  .description("Pathwise: adaptive learning engine — knowledge graph, Bayesian Knowledge Tracing, GraphQL API")
  .showHelpAfterError("(run with --help for usage)");

registerServe(program);
registerCurriculum(program);
registerGraphqlSchema(program);
registerBkt(program);
registerToken(program);
registerRoster(program);
registerAttempts(program);
registerDemo(program);
registerWorker(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`pathwise: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
