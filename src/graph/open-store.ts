/** Chooses the backend: Neo4j when NEO4J_URI is configured, else the embedded SQLite file. */
import { join } from "node:path";
import type { PathwiseConfig } from "../config.js";
import { SqliteStore } from "./sqlite/sqlite-store.js";
import type { KnowledgeGraphStore } from "./store.js";

export const SQLITE_FILE_NAME = "pathwise.sqlite";

/** `longRunning`: a server or job worker (the SQLite file is then checkpointed on a background thread). */
export async function openStore(
  config: Pick<PathwiseConfig, "dataDir" | "neo4j">,
  options: { longRunning?: boolean } = {},
): Promise<KnowledgeGraphStore> {
  let store: KnowledgeGraphStore;
  if (config.neo4j) {
    // Loaded on demand: the embedded default never pays for the driver.
    const { Neo4jStore } = await import("./neo4j/neo4j-store.js");
    store = new Neo4jStore(config.neo4j);
  } else {
    store = new SqliteStore({ file: join(config.dataDir, SQLITE_FILE_NAME), backgroundCheckpoints: options.longRunning === true });
  }
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
