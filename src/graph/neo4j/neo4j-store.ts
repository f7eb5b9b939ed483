/**
 * The production backend: Neo4j (single server, cluster or Aura) through the official driver.
 * Schema statements are idempotent and run on every start; writes use managed transactions
 * (retried by the driver on transient errors) and batched UNWIND statements.
 */
import neo4j, { type Driver } from "neo4j-driver";
import type { Neo4jConfig } from "../../config.js";
import type { KnowledgeGraphStore } from "../store.js";
import { CYPHER, SCHEMA_STATEMENTS } from "./cypher.js";
import { Neo4jBktParameterStore } from "./neo4j-bkt-parameters.js";
import { Neo4jCurriculumStore } from "./neo4j-curriculum.js";
import { Neo4jLearnerStore } from "./neo4j-learners.js";
import { Neo4jLessonPlanStore } from "./neo4j-lesson-plans.js";

export class Neo4jStore implements KnowledgeGraphStore {
  readonly backend = "neo4j" as const;
  readonly driver: Driver;
  readonly curriculum: Neo4jCurriculumStore;
  readonly bktParameters: Neo4jBktParameterStore;
  readonly learners: Neo4jLearnerStore;
  readonly lessonPlans: Neo4jLessonPlanStore;
  private readonly database: string | undefined;

  constructor(config: Neo4jConfig) {
    this.driver = neo4j.driver(config.uri, neo4j.auth.basic(config.user, config.password), {
      maxConnectionPoolSize: config.maxConnectionPoolSize,
      connectionAcquisitionTimeout: config.connectionAcquisitionTimeoutMs,
      // Counts, grades and orders are far below 2^53: plain JS numbers are exact and simpler.
      disableLosslessIntegers: true,
    });
    this.database = config.database;
    this.curriculum = new Neo4jCurriculumStore(this.driver, this.database);
    this.bktParameters = new Neo4jBktParameterStore(this.driver, this.database);
    this.learners = new Neo4jLearnerStore(this.driver, this.database);
    this.lessonPlans = new Neo4jLessonPlanStore(this.driver, this.database);
  }

  async migrate(): Promise<void> {
    await this.driver.verifyConnectivity(this.database ? { database: this.database } : {});
    for (const statement of SCHEMA_STATEMENTS) {
      await this.driver.executeQuery(statement, {}, this.database ? { database: this.database } : {});
    }
  }

  async ping(): Promise<void> {
    await this.driver.executeQuery(CYPHER.ping, {}, { routing: neo4j.routing.READ, ...(this.database ? { database: this.database } : {}) });
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}
