/**
 * Runs the store contract against a real Neo4j when NEO4J_URI is set (NEO4J_USER,
 * NEO4J_PASSWORD, NEO4J_DATABASE as for the server). WARNING: it empties that database.
 * No Neo4j server can be installed on the CI machine, so CI lints every statement instead
 * (cypher-lint.test.ts); see docs/neo4j.md for running this against Neo4j or Aura.
 */
import { describe, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { Neo4jStore } from "../../src/graph/neo4j/neo4j-store.js";
import { storeContract } from "./store-contract.js";

const config = loadConfig().neo4j;

if (config) {
  storeContract("Neo4j", async () => {
    const store = new Neo4jStore(config);
    await store.migrate();
    await store.driver.executeQuery("MATCH (n) DETACH DELETE n", {}, config.database ? { database: config.database } : {});
    return store;
  });
} else {
  describe("Neo4j store contract", () => {
    it.skip("runs only when NEO4J_URI is set", () => {});
  });
}
