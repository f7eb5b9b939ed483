/** Test entry: the `roster` and `attempts` commands wired as src/cli.ts wires them (run with `node --import tsx`). */
import { Command } from "commander";
import { registerAttempts } from "../../src/cli/attempts.js";
import { registerRoster } from "../../src/cli/roster.js";

const program = new Command("pathwise").exitOverride();
registerRoster(program);
registerAttempts(program);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`pathwise: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
