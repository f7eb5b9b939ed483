import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Servers, redis and CLI processes are real: give them time, and isolate files in processes.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Two cores: more parallel files only make timing-sensitive server tests flaky.
    maxWorkers: 2,
  },
});
