/** Opens everything a command needs: the store (migrated), the curriculum service and its index, the mastery model and learning services. */
import type { PathwiseConfig } from "../config.js";
import { openStore } from "../graph/open-store.js";
import type { KnowledgeGraphStore } from "../graph/store.js";
import { type JobsConfig, jobsConfigFromEnv } from "../jobs/config.js";
import type { JobQueue } from "../jobs/job-queue.js";
import { openJobQueue } from "../jobs/open-job-queue.js";
import { createNarrativeGenerator } from "../llm/lesson-narrative-generator.js";
import type { Logger } from "../logger.js";
import { CurriculumService } from "./curriculum-service.js";
import { type DemoWriteReport, seedDemoIfEmpty } from "./demo-school.js";
import { LearningEvents } from "./learning-events.js";
import { type LearningMetricsHook, LearningService } from "./learning-service.js";
import { LessonPlanService } from "./lesson-plans/lesson-plan-service.js";
import { MasteryModelService } from "./mastery-model-service.js";
import { PlacementService } from "./placement.js";
import { RecommendationService } from "./recommendation-service.js";

export interface Runtime {
  config: PathwiseConfig;
  logger: Logger;
  store: KnowledgeGraphStore;
  curriculum: CurriculumService;
  /** The BKT parameters in use per knowledge point (fitted or default). */
  masteryModel: MasteryModelService;
  /** Answers (submitAnswer), mastery and attempt reads. */
  learning: LearningService;
  /** The in-process event bus (masteryChanged after each commit, job progress): the server's subscriptions read it. */
  events: LearningEvents;
  /** Next items, learning paths, weak points, resource push and wrong-answer attribution. */
  recommendations: RecommendationService;
  /** Differentiated lesson plans: skeleton from the graph and the class, narrative from the configured generator. */
  lessonPlans: LessonPlanService;
  /** Background jobs: on BullMQ when REDIS_URL is set, else run in this process (docs/jobs.md). */
  jobs: JobQueue;
  /** What first-start seeding of the demo school wrote (undefined: it did not run or wrote nothing). */
  demo?: DemoWriteReport;
  close(): Promise<void>;
}

export async function openRuntime(
  config: PathwiseConfig,
  logger: Logger,
  options: {
    seed?: boolean;
    learningMetrics?: LearningMetricsHook;
    jobs?: JobsConfig;
    /** A server or job worker rather than a one-shot command (see openStore). */
    longRunning?: boolean;
  } = {},
): Promise<Runtime> {
  const store = await openStore(config, { longRunning: options.longRunning === true });
  const curriculum = new CurriculumService(store, logger);
  const masteryModel = new MasteryModelService(store, logger);
  let demo: DemoWriteReport | undefined;
  try {
    if (options.seed) {
      const report = await curriculum.seedIfEmpty(config.seedPath);
      if (report) logger.info({ added: report.added }, "seed curriculum imported");
    }
    // Seeding imports through the service, which already built the index when it wrote anything.
    await curriculum.ensureIndex();
    // The demo school, when the store has no school yet (PATHWISE_DEMO; default on in development).
    // Its answers take the production answer path, without the metrics hook: they are not live traffic.
    if (options.seed && config.demo) {
      demo = await seedDemoIfEmpty({ store, index: curriculum.index, learning: new LearningService(store, masteryModel), logger });
    }
  } catch (error) {
    await store.close();
    throw error;
  }
  const events = new LearningEvents();
  // One placement for the answer path and the recommender: both assume the same of unanswered points.
  const placement = new PlacementService(store, curriculum);
  const learning = new LearningService(store, masteryModel, {
    events,
    placement,
    ...(options.learningMetrics ? { metrics: options.learningMetrics } : {}),
  });
  const recommendations = new RecommendationService(store, curriculum, masteryModel, { placement });
  let lessonPlans: LessonPlanService;
  try {
    // Created here so that a model the configuration denies stops the process at start-up.
    const narrative = createNarrativeGenerator(config.llm, { logger });
    lessonPlans = new LessonPlanService(store, curriculum, recommendations.contexts, narrative);
  } catch (error) {
    await store.close();
    throw error;
  }
  const services = { config, logger, store, curriculum, masteryModel, learning, events, recommendations, lessonPlans };
  let jobs: JobQueue;
  try {
    jobs = await openJobQueue(services, options.jobs ?? jobsConfigFromEnv(process.env));
  } catch (error) {
    await store.close();
    throw error;
  }
  const close = async () => {
    await jobs.close();
    await store.close();
  };
  return { ...services, jobs, ...(demo ? { demo } : {}), close };
}
