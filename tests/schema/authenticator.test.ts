/**
 * Bearer-token verification: HS256 with the configured secret, RS256 with a JWKS served over
 * HTTP (as a school's single sign-on would), issuer/audience/expiry checks, and the claims.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthConfig, DEV_JWT_SECRET, loadConfig } from "../../src/config.js";
import { AuthConfigError, assertAuthConfig, createAuthenticator } from "../../src/schema/auth/authenticator.js";
import { demoTokens, signToken } from "../../src/schema/auth/tokens.js";
import { ANONYMOUS } from "../../src/schema/auth/viewer.js";

const SECRET = "a-test-secret-that-is-long-enough-for-hs256!";
const auth: AuthConfig = { jwtSecret: SECRET, usingDevSecret: false, issuers: [], audiences: ["pathwise"], clockToleranceSeconds: 0 };

function hs256(claims: Record<string, unknown>, options: { secret?: string; exp?: string | number; aud?: string; iss?: string } = {}) {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setAudience(options.aud ?? "pathwise");
  if (options.exp !== undefined) jwt.setExpirationTime(options.exp);
  else jwt.setExpirationTime("1h");
  if (options.iss) jwt.setIssuer(options.iss);
  return jwt.sign(new TextEncoder().encode(options.secret ?? SECRET));
}

const teacher = { sub: "t-1", role: "teacher", school: "demo" };

describe("the HS256 authenticator", () => {
  const authenticator = createAuthenticator(auth);

  it("treats a missing header as anonymous", async () => {
    expect(await authenticator.authenticate(null)).toBe(ANONYMOUS);
    expect(await authenticator.authenticate("")).toBe(ANONYMOUS);
  });

  it("turns a valid token into a viewer, ignoring an untrusted classes claim", async () => {
    const viewer = await authenticator.authenticate(`Bearer ${await hs256({ ...teacher, classes: ["c-1"] })}`);
    expect(viewer).toEqual({ kind: "user", subject: "t-1", role: "teacher", schoolId: "demo" });
  });

  it.each([
    ["an expired token", () => hs256(teacher, { exp: Math.floor(Date.now() / 1000) - 60 }), /expired/],
    ["a token for another audience", () => hs256(teacher, { aud: "someone-else" }), /audience/],
    ["a token signed with another secret", () => hs256(teacher, { secret: `${SECRET}-other` }), /invalid/],
    ["a token with an unknown role", () => hs256({ ...teacher, role: "principal" }), /role/],
    ["a token without a school", () => hs256({ sub: "t-1", role: "teacher" }), /school/],
    ["a token without a subject", () => hs256({ role: "teacher", school: "demo" }), /sub/],
    ["a token that is not a JWT", async () => "not.a.jwt", /invalid/],
  ])("refuses %s with UNAUTHENTICATED and HTTP 401", async (_name, make, message) => {
    const error = await authenticator.authenticate(`Bearer ${await make()}`).catch((e: unknown) => e);
    expect(error).toMatchObject({ extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
    expect((error as Error).message).toMatch(message);
  });

  it("remembers a verified token until it expires, then refuses it like any expired token", async () => {
    let clock = Date.now();
    const remembering = createAuthenticator(auth, { now: () => clock });
    const token = await hs256(teacher, { exp: Math.floor(clock / 1000) + 60 });
    expect(remembering.remembered(`Bearer ${token}`)).toBeUndefined();
    const first = await remembering.authenticate(`Bearer ${token}`);
    expect(await remembering.authenticate(`Bearer ${token}`)).toBe(first);
    expect(remembering.remembered(`Bearer ${token}`)).toBe(first);
    clock += 61_000;
    expect(remembering.remembered(`Bearer ${token}`)).toBeUndefined();
    await expect(remembering.authenticate(`Bearer ${token}`)).rejects.toThrow(/expired/);
  });

  it("knows without verifying only a missing header and remembered tokens, never a refused or malformed one", async () => {
    expect(authenticator.remembered(null)).toBe(ANONYMOUS);
    expect(authenticator.remembered(" ")).toBe(ANONYMOUS);
    expect(authenticator.remembered("Basic dXNlcjpwdw==")).toBeUndefined();
    const forged = await hs256(teacher, { secret: `${SECRET}-other` });
    await expect(authenticator.authenticate(`Bearer ${forged}`)).rejects.toThrow(/invalid/);
    expect(authenticator.remembered(`Bearer ${forged}`)).toBeUndefined();
  });

  it("refuses a token without exp", async () => {
    const token = await new SignJWT(teacher)
      .setProtectedHeader({ alg: "HS256" })
      .setAudience("pathwise")
      .sign(new TextEncoder().encode(SECRET));
    await expect(authenticator.authenticate(`Bearer ${token}`)).rejects.toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
  });

  it("refuses a malformed Authorization header", async () => {
    await expect(authenticator.authenticate("Basic dXNlcjpwdw==")).rejects.toThrow(/Bearer <token>/);
  });

  it("checks the issuer when one is configured", async () => {
    const strict = createAuthenticator({ ...auth, issuers: ["https://idp.example"] });
    await expect(strict.authenticate(`Bearer ${await hs256(teacher, { iss: "https://idp.example" })}`)).resolves.toMatchObject({
      role: "teacher",
    });
    await expect(strict.authenticate(`Bearer ${await hs256(teacher, { iss: "https://evil.example" })}`)).rejects.toThrow(/issuer/);
    await expect(strict.authenticate(`Bearer ${await hs256(teacher)}`)).rejects.toThrow(/issuer/);
  });

  it("verifies the tokens it signs itself (pathwise token, demo tokens)", async () => {
    const token = await signToken({ subject: "s-9", role: "student", schoolId: "north", expiresIn: "5m" }, auth);
    expect(await authenticator.authenticate(`Bearer ${token}`)).toEqual({
      kind: "user",
      subject: "s-9",
      role: "student",
      schoolId: "north",
    });
    const demo = await demoTokens(auth);
    for (const [role, demoToken] of Object.entries(demo)) {
      expect(await authenticator.authenticate(`Bearer ${demoToken}`)).toMatchObject({ role, schoolId: "demo" });
    }
    await expect(signToken({ subject: "s", role: "student", schoolId: "x", expiresIn: "soon" }, auth)).rejects.toThrow(/duration/);
  });
});

describe("the RS256 authenticator (JWKS, school single sign-on)", () => {
  let jwksServer: Server;
  let jwksUrl: string;
  let privateKey: CryptoKey;
  let fetches = 0;

  beforeAll(async () => {
    const pair = await generateKeyPair("RS256");
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: "school-key-1", alg: "RS256", use: "sig" };
    jwksServer = createServer((_request, response) => {
      fetches += 1;
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => jwksServer.close(() => resolve())));

  function rs256(claims: Record<string, unknown>, kid = "school-key-1") {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid })
      .setIssuer("https://sso.school.example")
      .setAudience("pathwise")
      .setExpirationTime("10m")
      .sign(privateKey);
  }

  it("accepts a token signed by the school's key, fetching the key set once", async () => {
    const authenticator = createAuthenticator({
      usingDevSecret: false,
      jwksUrl,
      issuers: ["https://sso.school.example"],
      audiences: ["pathwise"],
      clockToleranceSeconds: 0,
    });
    const viewer = await authenticator.authenticate(`Bearer ${await rs256({ sub: "s-1", role: "student", school: "north" })}`);
    expect(viewer).toEqual({ kind: "user", subject: "s-1", role: "student", schoolId: "north" });
    await authenticator.authenticate(`Bearer ${await rs256({ sub: "s-2", role: "student", school: "north" })}`);
    expect(fetches).toBe(1);
  });

  it("refuses an unknown key id, and HS256 tokens when no secret is configured", async () => {
    const authenticator = createAuthenticator({
      usingDevSecret: false,
      jwksUrl,
      issuers: [],
      audiences: ["pathwise"],
      clockToleranceSeconds: 0,
    });
    await expect(authenticator.authenticate(`Bearer ${await rs256(teacher, "rotated-away")}`)).rejects.toThrow(/unknown key/);
    await expect(authenticator.authenticate(`Bearer ${await hs256(teacher)}`)).rejects.toThrow(/algorithm/);
  });

  it("refuses RS256 tokens when only a secret is configured", async () => {
    await expect(createAuthenticator(auth).authenticate(`Bearer ${await rs256(teacher)}`)).rejects.toThrow(/algorithm/);
  });
});

describe("auth configuration", () => {
  it("uses the development secret in development only", () => {
    expect(loadConfig({}).auth).toMatchObject({ jwtSecret: DEV_JWT_SECRET, usingDevSecret: true, audiences: ["pathwise"], issuers: [] });
    expect(loadConfig({ NODE_ENV: "production" }).auth.jwtSecret).toBeUndefined();
    const custom = loadConfig({ PATHWISE_JWT_SECRET: SECRET, PATHWISE_JWT_AUDIENCE: "a, b", PATHWISE_JWT_ISSUER: "https://idp" }).auth;
    expect(custom).toMatchObject({ jwtSecret: SECRET, usingDevSecret: false, audiences: ["a", "b"], issuers: ["https://idp"] });
  });

  it("refuses the development secret, or no verifier at all, in production", () => {
    const devSecret = loadConfig({ PATHWISE_MODE: "production", PATHWISE_JWT_SECRET: DEV_JWT_SECRET });
    expect(() => assertAuthConfig(devSecret.auth, devSecret.mode)).toThrow(AuthConfigError);
    expect(() => assertAuthConfig(devSecret.auth, devSecret.mode)).toThrow(/development secret/);
    const none = loadConfig({ PATHWISE_MODE: "production" });
    expect(() => assertAuthConfig(none.auth, none.mode)).toThrow(/PATHWISE_JWT_SECRET .*PATHWISE_JWKS_URL/);
    const jwksOnly = loadConfig({ PATHWISE_MODE: "production", PATHWISE_JWKS_URL: "https://sso.example/jwks" });
    expect(() => assertAuthConfig(jwksOnly.auth, jwksOnly.mode)).not.toThrow();
    const dev = loadConfig({});
    expect(() => assertAuthConfig(dev.auth, dev.mode)).not.toThrow();
  });

  it("refuses a short secret and a JWKS URL that is not http(s)", () => {
    const short = loadConfig({ PATHWISE_JWT_SECRET: "short" });
    expect(() => assertAuthConfig(short.auth, short.mode)).toThrow(/at least 32 bytes/);
    const ftp = loadConfig({ PATHWISE_JWKS_URL: "ftp://x/jwks" });
    expect(() => assertAuthConfig(ftp.auth, ftp.mode)).toThrow(/http/);
  });

  it("reads limits and introspection with documented defaults", () => {
    expect(loadConfig({}).limits).toEqual({
      maxDepth: 10,
      maxAliases: 15,
      maxCost: 5000,
      maxDirectives: 50,
      maxTokens: 2000,
      maxBodyBytes: 1048576,
    });
    expect(loadConfig({}).introspection).toBe(true);
    expect(loadConfig({ PATHWISE_MODE: "production" }).introspection).toBe(false);
    expect(loadConfig({ PATHWISE_MODE: "production", PATHWISE_INTROSPECTION: "true" }).introspection).toBe(true);
    expect(loadConfig({ PATHWISE_MAX_DEPTH: "4" }).limits.maxDepth).toBe(4);
    expect(() => loadConfig({ PATHWISE_INTROSPECTION: "maybe" })).toThrow(/PATHWISE_INTROSPECTION must be true or false/);
    expect(() => loadConfig({ PATHWISE_MAX_COST: "-1" })).toThrow(/PATHWISE_MAX_COST must be a whole number/);
  });
});
