/** `pathwise graphql-schema`: prints the API's SDL (committed as schema.graphql for review). */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { printedSchema } from "../schema/index.js";

export function registerGraphqlSchema(program: Command): void {
  program
    .command("graphql-schema")
    .description("print the GraphQL schema (SDL)")
    .option("--out <file>", "write it to a file instead of stdout")
    .action((options: { out?: string }) => {
      if (options.out) writeFileSync(options.out, printedSchema());
      else process.stdout.write(printedSchema());
    });
}
