/**
 * `pathwise token`: the printed token verifies with the configured secret (or the development
 * secret), carries the requested claims and expiry, and is accepted by a running server.
 *
 * Until `registerToken` is wired into src/cli.ts, the command is run through the same commander
 * registration in a small harness; after that, through bin/pathwise.js itself.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { decodeJwt, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { DEV_JWT_SECRET } from "../../src/config.js";
import { startServer } from "../support/server-process.js";
import { bearer } from "./support/tokens.js";

const wired = readFileSync("src/cli.ts", "utf8").includes("registerToken");

const HARNESS = `
import { Command } from "commander";
import { registerToken } from "./dist/cli/token.js";
const program = new Command("pathwise");
registerToken(program);
try {
  await program.parseAsync(process.argv.slice(1), { from: "user" });
} catch (error) {
  process.stderr.write("pathwise: " + error.message + "\\n");
  process.exitCode = 1;
}`;

function pathwiseToken(args: string[], env: Record<string, string> = {}) {
  const command = wired ? ["bin/pathwise.js", "token", ...args] : ["--input-type=module", "-e", HARNESS, "--", "token", ...args];
  const { PATHWISE_MODE: _mode, PATHWISE_JWT_SECRET: _secret, ...inherited } = process.env;
  const result = spawnSync(process.execPath, command, { encoding: "utf8", env: { ...inherited, NODE_ENV: "test", ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("pathwise token", () => {
  it("prints one token signed with the development secret, with the claims asked for", async () => {
    const { status, stdout } = pathwiseToken(["--role", "teacher", "--school", "demo", "--sub", "t-1"]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const { payload, protectedHeader } = await jwtVerify(stdout.trim(), new TextEncoder().encode(DEV_JWT_SECRET), { audience: "pathwise" });
    expect(protectedHeader.alg).toBe("HS256");
    expect(payload).toMatchObject({ sub: "t-1", role: "teacher", school: "demo", aud: "pathwise" });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(8 * 3600);
  });

  it("honours --expires, PATHWISE_JWT_SECRET, the audience and the issuer", async () => {
    const secret = "the-configured-secret-for-this-test-0123456789";
    const { status, stdout } = pathwiseToken(["--role", "student", "--school", "north", "--sub", "s-7", "--expires", "30m"], {
      PATHWISE_JWT_SECRET: secret,
      PATHWISE_JWT_AUDIENCE: "pathwise-test",
      PATHWISE_JWT_ISSUER: "https://pathwise.local",
    });
    expect(status).toBe(0);
    const { payload } = await jwtVerify(stdout.trim(), new TextEncoder().encode(secret), {
      audience: "pathwise-test",
      issuer: "https://pathwise.local",
    });
    expect(payload).toMatchObject({ sub: "s-7", role: "student", school: "north" });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(1800);
  });

  it("refuses an unknown role, a bad duration and a missing option", () => {
    const role = pathwiseToken(["--role", "principal", "--school", "demo", "--sub", "x"]);
    expect(role.status).toBe(1);
    expect(role.stderr).toMatch(/Allowed choices are student, teacher, analyst, admin/);
    const expires = pathwiseToken(["--role", "student", "--school", "demo", "--sub", "x", "--expires", "forever"]);
    expect(expires.status).toBe(1);
    expect(expires.stderr).toMatch(/duration such as 8h/);
    const missing = pathwiseToken(["--role", "student", "--school", "demo"]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/--sub/);
  });

  it("refuses to sign with the development secret in production mode", () => {
    const result = pathwiseToken(["--role", "admin", "--school", "demo", "--sub", "a-1"], {
      PATHWISE_MODE: "production",
      PATHWISE_JWT_SECRET: DEV_JWT_SECRET,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^pathwise: PATHWISE_JWT_SECRET is the built-in development secret/);
    expect(result.stdout).toBe("");
  });

  it("prints a token a production server accepts", async () => {
    const secret = "shared-between-the-cli-and-the-server-0123456789";
    const { stdout } = pathwiseToken(["--role", "analyst", "--school", "north", "--sub", "an-1"], {
      PATHWISE_MODE: "production",
      PATHWISE_JWT_SECRET: secret,
    });
    expect(decodeJwt(stdout.trim()).role).toBe("analyst");
    const server = await startServer({ env: { PATHWISE_MODE: "production", PATHWISE_JWT_SECRET: secret } });
    try {
      const { status, body } = await server.graphql("{ subjects { id } }", undefined, bearer(stdout.trim()));
      expect(status).toBe(200);
      expect(body).toEqual({ data: { subjects: [{ id: "mini" }] } });
    } finally {
      await server.stop();
    }
  });
});
