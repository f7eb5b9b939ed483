/** What every resolver receives: the services of this server, created once per request. */
import type { KnowledgeGraphStore } from "../graph/store.js";
import type { Logger } from "../logger.js";
import type { CurriculumService } from "../services/curriculum-service.js";

export interface GraphQLContext {
  store: KnowledgeGraphStore;
  curriculum: CurriculumService;
  logger: Logger;
}
