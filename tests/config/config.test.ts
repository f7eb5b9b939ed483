import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";

describe("loadConfig", () => {
  it("reads PORT as a whole number from 0 to 65535", () => {
    expect(loadConfig({}).port).toBe(4000);
    expect(loadConfig({ PORT: "" }).port).toBe(4000);
    expect(loadConfig({ PORT: "0" }).port).toBe(0);
    expect(loadConfig({ PORT: "8080" }).port).toBe(8080);
    expect(loadConfig({ PORT: "65535" }).port).toBe(65535);
  });

  it.each(["65536", "70000", "-1", "80.5", "eighty", "1e3", "0x50", "99999999999999999999"])(
    "refuses PORT=%s with an error naming PORT and the range",
    (value) => {
      expect(() => loadConfig({ PORT: value })).toThrow(`PORT must be a whole number from 0 to 65535, got "${value}"`);
    },
  );

  it("lets the --port flag win over PORT", () => {
    expect(loadConfig({ PORT: "5000" }, { port: 6000 }).port).toBe(6000);
  });

  it("keeps the other whole-number settings unbounded above", () => {
    const config = loadConfig({ NEO4J_URI: "bolt://localhost:7687", NEO4J_ACQUISITION_TIMEOUT_MS: "120000" });
    expect(config.neo4j?.connectionAcquisitionTimeoutMs).toBe(120_000);
    expect(() => loadConfig({ NEO4J_URI: "bolt://x", NEO4J_MAX_POOL_SIZE: "-5" })).toThrow(
      /NEO4J_MAX_POOL_SIZE must be a whole number ≥ 0/,
    );
  });

  it("reads LOG_LEVEL, defaulting to info or to the caller's default, and refuses unknown levels", () => {
    expect(loadConfig({}).logLevel).toBe("info");
    expect(loadConfig({}, {}, { logLevel: "warn" }).logLevel).toBe("warn");
    expect(loadConfig({ LOG_LEVEL: "debug" }, {}, { logLevel: "warn" }).logLevel).toBe("debug");
    expect(loadConfig({ LOG_LEVEL: "" }, {}, { logLevel: "warn" }).logLevel).toBe("warn");
    expect(() => loadConfig({ LOG_LEVEL: "verbose" })).toThrow(/LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/);
  });
});
