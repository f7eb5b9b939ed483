/**
 * Example operations preloaded as GraphiQL tabs, so the playground shows what the API can do:
 * the public curriculum, then one tab per persona of the Learning API (app, teacher, analyst).
 *
 * They are static text handed to the GraphiQL page: nothing runs them at start-up, so an id
 * they name (math.g5.fraction-add-unlike, from the grade 5 seed) need not exist in the store.
 * Run against a store without it, `knowledgePoint` is simply null. A test runs every example
 * against the mini fixture to keep them valid against the schema
 * (tests/server/graphiql-examples.test.ts).
 */
import type { Role } from "../schema/auth/viewer.js";

/** Who a learner-side example is for, and the token role it needs. */
export type Persona = "app" | "teacher" | "analyst";
export const PERSONA_ROLES: Record<Persona, Role> = { app: "student", teacher: "teacher", analyst: "analyst" };

export interface ExampleTab {
  query: string;
  variables?: string;
  /** Request headers (JSON), as GraphiQL's Headers tab shows them. */
  headers?: string;
  /** Set on learner-side examples: the persona whose token the tab needs. */
  persona?: Persona;
}

/**
 * The learner-side examples name the demo school (seeds/demo/school.yaml): student
 * `demo-student` in class `demo:7A-math`, which `demo-teacher` co-teaches, the subjects of the
 * demo tokens `pathwise serve` prints in development.
 */
export const DEMO_IDS = {
  studentId: "demo-student",
  classId: "demo:7A-math",
  itemId: "math.tpl.fraction-add-unlike.1",
  unitId: "math.g7.u-rational-numbers",
} as const;

export const GRAPHIQL_EXAMPLES: ExampleTab[] = [
  {
    query: `# Subjects, their stages and units — start exploring here.
query Curriculum {
  subjects {
    id
    name { zh en }
    standard { zh }
    stages { id name { zh en } grades }
    units(grade: 5) { id name { zh en } grade knowledgePoints { id name { zh } } }
  }
}`,
  },
  {
    query: `# Search knowledge points by name (Chinese or English) and page through them.
query SearchKnowledgePoints($text: String, $grade: Int) {
  knowledgePoints(filter: { text: $text, grade: $grade }, first: 10) {
    totalCount
    edges { cursor node { id name { zh en } grade standardCode difficultyBand } }
    pageInfo { hasNextPage endCursor }
  }
}`,
    variables: JSON.stringify({ text: "分数" }, null, 2),
  },
  {
    query: `# What a knowledge point builds on, and what builds on it.
query Prerequisites($id: ID!) {
  knowledgePoint(id: $id) {
    id
    name { zh en }
    description { zh en }
    prerequisites { strength knowledgePoint { id name { zh } } }
    prerequisiteClosure { id name { zh } grade }
    dependents { knowledgePoint { id name { zh } } }
    misconceptions { id name { zh en } }
    resources { kind title { zh } }
  }
}`,
    variables: JSON.stringify({ id: "math.g5.fraction-add-unlike" }, null, 2),
  },
  {
    query: `# Practice items for a knowledge point (answer keys are never exposed).
query Items($id: ID!) {
  knowledgePoint(id: $id) {
    name { zh }
    items(first: 5) {
      edges { node { id type difficulty stem { zh en } options { id text { zh } } } }
    }
  }
}`,
    variables: JSON.stringify({ id: "math.g5.fraction-add-unlike" }, null, 2),
  },
  {
    persona: "app",
    query: `# App (a learning assistant, with the STUDENT's token): submit an answer.
# The server grades it; a wrong option names the misconception and its remedy.
# Retrying with the same idempotencyKey returns the first result (replayed: true).
mutation SubmitAnswer($input: SubmitAnswerInput!) {
  submitAnswer(input: $input) {
    attemptId
    correct
    replayed
    predictedCorrect
    misconceptions { id name { zh en } remedy { zh en } }
    mastery { knowledgePoint { id name { zh } } before after state }
  }
}`,
    variables: JSON.stringify(
      {
        input: {
          studentId: DEMO_IDS.studentId,
          itemId: DEMO_IDS.itemId,
          // Option C of this instance (5/11 for 2/3 + 3/8) adds numerators and denominators.
          response: { optionIds: ["C"] },
          idempotencyKey: "graphiql-demo-1",
          responseTimeMs: 5400,
        },
      },
      null,
      2,
    ),
  },
  {
    persona: "app",
    query: `# App (STUDENT's token): what to show next — the student's mastery and recent attempts.
query MyProgress {
  me {
    id
    role
    student {
      id
      mastery { knowledgePoint { id name { zh en } } probability state attempts lastPractisedAt }
      attempts(first: 5) {
        totalCount
        edges { node { sequence item { id } correct answeredAt misconceptions { name { zh } } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`,
  },
  {
    persona: "app",
    query: `# App (STUDENT's token): the items to practise next, each with why; after a wrong answer, why it was wrong.
query WhatNext($studentId: ID!) {
  nextItems(studentId: $studentId, count: 3) {
    target { target adjustment explanation { zh en } }
    items { item { id stem { zh } } knowledgePoint { id name { zh } } kind predictedSuccess explanation { zh en } }
  }
  student(id: $studentId) {
    weakPoints(limit: 3) { points { knowledgePoint { name { zh } } mastery explanation { zh } practice { item { id } predictedSuccess } } }
    attempts(first: 3) { edges { node { item { id } correct attribution { summary { zh en } causes(limit: 2) { kind probability evidence { zh } } } } } }
  }
}`,
    variables: JSON.stringify({ studentId: DEMO_IDS.studentId }, null, 2),
  },
  {
    persona: "teacher",
    query: `# Teacher (TEACHER's token): a differentiated lesson plan for a class — tiers from the class's mastery,
# items chosen per tier, the class's frequent misconceptions; the narrative by the offline templates
# (or the configured model: no student name or id is ever sent). Each run is a new version.
mutation LessonPlan($classId: ID!, $unitId: ID!) {
  generateLessonPlan(input: { classId: $classId, unitId: $unitId, durationMinutes: 40, tierCount: 3, language: ZH }) {
    job { id state }
    lessonPlan {
      id
      version
      title
      tiers { label { zh } criteria { zh } size students { id displayName } }
      generation { source model warnings }
      markdown
    }
  }
}`,
    variables: JSON.stringify({ classId: DEMO_IDS.classId, unitId: DEMO_IDS.unitId }, null, 2),
  },
  {
    persona: "teacher",
    query: `# Teacher (TEACHER's token): my classes, and one class's students × knowledge points.
query ClassMatrix($classId: ID!) {
  classes { edges { node { id name grade } } }
  class(id: $classId) {
    name
    students { totalCount }
    masteryMatrix {
      knowledgePoints { id name { zh } }
      rows { student { id displayName } mastery { probability state attempts } }
    }
  }
}`,
    variables: JSON.stringify({ classId: DEMO_IDS.classId }, null, 2),
  },
  {
    persona: "analyst",
    query: `# Analyst (ANALYST's token): de-identified counts and means per knowledge point, no student ids.
query ClassSummary($classId: ID!) {
  classMasterySummary(classId: $classId) {
    class { id name grade }
    studentCount
    suppressed
    knowledgePoints { knowledgePoint { id name { zh } } notStarted learning mastered meanProbability totalAttempts }
  }
}`,
    variables: JSON.stringify({ classId: DEMO_IDS.classId }, null, 2),
  },
];

/**
 * The tabs as served: each learner-side tab carries its persona's `Authorization` header, with the
 * demo token when the server has one to give (development), else a placeholder saying which
 * token to paste.
 */
export function graphiqlTabs(tokens?: Partial<Record<Role, string>>): { query: string; variables?: string; headers?: string }[] {
  return GRAPHIQL_EXAMPLES.map(({ persona, ...tab }) => {
    if (!persona) return tab;
    const role = PERSONA_ROLES[persona];
    const token = tokens?.[role] ?? `<paste a ${role} token: npx pathwise token --role ${role} --school demo --sub demo-${role}>`;
    return { ...tab, headers: JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2) };
  });
}
