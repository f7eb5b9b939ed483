/**
 * `pathwise token`: prints a signed development token (HS256, PATHWISE_JWT_SECRET or, in
 * development mode, the built-in development secret) for curl, GraphiQL and tests.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { loadConfig } from "../config.js";
import { assertAuthConfig } from "../schema/auth/authenticator.js";
import { isDuration, signToken } from "../schema/auth/tokens.js";
import { ROLES, type Role } from "../schema/auth/viewer.js";

function parseDuration(value: string): string {
  if (!isDuration(value)) throw new InvalidArgumentError("expected a duration such as 8h, 30m or 7d");
  return value;
}

function parseNonEmpty(value: string): string {
  if (value.trim() === "") throw new InvalidArgumentError("must not be empty");
  return value;
}

export function registerToken(program: Command): void {
  program
    .command("token")
    .description("print a signed bearer token for development and tests (HS256 with PATHWISE_JWT_SECRET or the dev secret)")
    .addOption(new Option("--role <role>", "the token's role").choices(ROLES).makeOptionMandatory())
    .requiredOption("--school <id>", "the school (tenant) id, e.g. demo", parseNonEmpty)
    .requiredOption("--sub <id>", "the subject: a student's, teacher's, analyst's or admin's id", parseNonEmpty)
    .option("--expires <duration>", "how long the token stays valid, e.g. 8h, 30m, 7d", parseDuration, "8h")
    .action(async (options: { role: Role; school: string; sub: string; expires: string }) => {
      const config = loadConfig(process.env);
      assertAuthConfig(config.auth, config.mode);
      const token = await signToken(
        { subject: options.sub, role: options.role, schoolId: options.school, expiresIn: options.expires },
        config.auth,
      );
      process.stdout.write(`${token}\n`);
    });
}
