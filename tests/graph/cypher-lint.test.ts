/** Lints every Cypher statement of the Neo4j backend with Neo4j's own parser and semantic analysis. */
import { lintCypherQuery } from "@neo4j-cypher/language-support";
import { describe, expect, it } from "vitest";
import { allStatements, DECLARED_SCHEMA, SCHEMA_STATEMENTS } from "../../src/graph/neo4j/cypher.js";

describe("Cypher statements", () => {
  const statements = [...allStatements()];

  it("are all registered, including schema set-up", () => {
    expect(statements.length).toBeGreaterThan(60);
    for (const statement of SCHEMA_STATEMENTS) expect(statements.some(([, text]) => text === statement)).toBe(true);
  });

  it("have zero diagnostics against the declared schema", () => {
    const problems: string[] = [];
    for (const [name, text] of statements) {
      for (const diagnostic of lintCypherQuery(text, DECLARED_SCHEMA).diagnostics) {
        problems.push(`${name}: ${diagnostic.message}\n    ${text}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("the lint does catch a misspelt label, property and parameter", () => {
    const messages = lintCypherQuery("MATCH (k:KnowledgePont {id: $nope}) RETURN k.nmae", DECLARED_SCHEMA).diagnostics.map(
      (d) => d.message,
    );
    expect(messages.join("\n")).toMatch(/KnowledgePont/);
    expect(messages.join("\n")).toMatch(/nmae/);
    expect(messages.join("\n")).toMatch(/\$nope/);
  });
});
