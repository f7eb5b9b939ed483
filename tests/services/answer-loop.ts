/** Test helper: a second OS process submitting answers of one student to the same SQLite file. Prints "done <n>". */
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { openRuntime } from "../../src/services/runtime.js";

const [dataDir, studentId, prefix, count] = process.argv.slice(2) as [string, string, string, string];
const runtime = await openRuntime(loadConfig({ PATHWISE_DATA_DIR: dataDir }), createLogger("silent"));
const items = ["mini.item.compare-1", "mini.item.unit-fraction-1"];
for (let i = 0; i < Number(count); i++) {
  const itemId = items[i % 2] as string;
  await runtime.learning.submitAnswer({
    studentId,
    itemId,
    response: itemId === "mini.item.compare-1" ? { kind: "options", optionIds: [i % 3 === 0 ? "A" : "B"] } : { kind: "number", text: "4" },
    idempotencyKey: `${prefix}-${i}`,
  });
}
await runtime.close();
process.stdout.write(`done ${count}\n`);
