/**
 * Example operations preloaded as GraphiQL tabs, so the playground shows what the API can do.
 *
 * They are static text handed to the GraphiQL page: nothing runs them at start-up, so an id
 * they name (math.g5.fraction-add-unlike, from the grade 5 seed) need not exist in the store.
 * Run against a store without it, `knowledgePoint` is simply null. A test runs every example
 * against the mini fixture to keep them valid against the schema
 * (tests/server/graphiql-examples.test.ts).
 */
export interface ExampleTab {
  query: string;
  variables?: string;
}

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
];
