/** Job kinds by name: what a process can run. The default set is in src/jobs/handlers/index.ts. */
import type { AnyJobDefinition, JobDefinition } from "./job-definition.js";

export class JobHandlerRegistry {
  private readonly definitions = new Map<string, AnyJobDefinition>();

  register<P, R, I>(definition: JobDefinition<P, R, I>): this {
    if (this.definitions.has(definition.name))
      throw new Error(`a job handler named ${JSON.stringify(definition.name)} is already registered`);
    this.definitions.set(definition.name, definition as AnyJobDefinition);
    return this;
  }

  get(name: string): AnyJobDefinition | undefined {
    return this.definitions.get(name);
  }

  names(): string[] {
    return [...this.definitions.keys()];
  }
}
