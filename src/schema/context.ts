/** What every resolver receives: the services of this server, created once per request. */
import type { PathwiseConfig } from "../config.js";
import type { KnowledgeGraphStore } from "../graph/store.js";
import type { Logger } from "../logger.js";
import type { CurriculumService } from "../services/curriculum-service.js";
import type { Viewer } from "./auth/viewer.js";

export interface GraphQLContext {
  store: KnowledgeGraphStore;
  curriculum: CurriculumService;
  logger: Logger;
  /** Who is asking, from the verified bearer token (src/schema/auth/authenticator.ts). */
  viewer: Viewer;
  /** Development lets anonymous requests read the public curriculum; production does not. */
  mode: PathwiseConfig["mode"];
  /** Also the response's `x-request-id` header, in its log lines and in masked errors. */
  requestId: string;
}
