/** What every resolver receives: the services of this server, created once per request. */
import type { PathwiseConfig } from "../config.js";
import type { KnowledgeGraphStore } from "../graph/store.js";
import type { JobQueue } from "../jobs/job-queue.js";
import type { CurriculumService } from "../services/curriculum-service.js";
import type { LearningEvents } from "../services/learning-events.js";
import type { LearningService, SubmitAnswerResult } from "../services/learning-service.js";
import type { LessonPlanService } from "../services/lesson-plans/lesson-plan-service.js";
import type { MasteryModelService } from "../services/mastery-model-service.js";
import type { RecommendationService } from "../services/recommendation-service.js";
import type { Viewer } from "./auth/viewer.js";
import type { LearnerLoaders } from "./loaders.js";

export interface GraphQLContext {
  store: KnowledgeGraphStore;
  curriculum: CurriculumService;
  /** Answers (submitAnswer), mastery and attempt reads. */
  learning: LearningService;
  /** The BKT parameters in use (priors of points a student has not started). */
  masteryModel: MasteryModelService;
  /** The server's in-process event bus: subscriptions read it, the answer path and jobs publish to it. */
  events: LearningEvents;
  /** Next items, paths, weak points, resource push, attribution (src/recommender/). */
  recommendations: RecommendationService;
  /** Differentiated lesson plans (generated in jobs, read here). */
  lessonPlans: LessonPlanService;
  /** Background jobs (docs/jobs.md): importAttempts and the job mutations queue on it, `job(id)` reads it. */
  jobs: JobQueue;
  /** Batched learner look-ups and the viewer's store-backed relations, for this request only. */
  loaders: LearnerLoaders;
  /** Who is asking, from the verified bearer token (src/schema/auth/authenticator.ts). */
  viewer: Viewer;
  /** Development lets anonymous requests read the public curriculum; production does not. */
  mode: PathwiseConfig["mode"];
  /** Also the response's `x-request-id` header, in its log lines and in masked errors. */
  requestId: string;
  /** Called once per newly recorded answer (not for replays): the server counts it in its metrics. */
  onAnswerRecorded?: (result: SubmitAnswerResult) => void;
}
