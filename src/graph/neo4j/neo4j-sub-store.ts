/** What every Neo4j sub-store shares: the driver, the database, and its read and write paths. */
import type { Driver, ManagedTransaction } from "neo4j-driver";
import neo4j from "neo4j-driver";

export abstract class Neo4jSubStore {
  constructor(
    protected readonly driver: Driver,
    protected readonly database: string | undefined,
  ) {}

  /** An auto-committed read, routed to a reader in a cluster. */
  protected async read<T>(statement: string, params: Record<string, unknown> = {}): Promise<T[]> {
    const result = await this.driver.executeQuery(statement, params, {
      routing: neo4j.routing.READ,
      ...(this.database ? { database: this.database } : {}),
    });
    return result.records.map((record) => record.toObject() as T);
  }

  /** One managed write transaction; the driver may replay `work`, which is safe because a failed attempt is rolled back. */
  protected async write<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    const session = this.driver.session({ defaultAccessMode: neo4j.session.WRITE, ...(this.database ? { database: this.database } : {}) });
    try {
      return await session.executeWrite(work);
    } finally {
      await session.close();
    }
  }
}
