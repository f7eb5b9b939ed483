/**
 * Signs HS256 tokens with the configured secret (or the development secret): for
 * `pathwise token` and the demo tokens `pathwise serve` prints in development mode.
 * Production tokens come from a real identity provider; this is for development and tests.
 */
import { SignJWT } from "jose";
import type { AuthConfig } from "../../config.js";
import { AuthConfigError } from "./authenticator.js";
import { ROLES, type Role } from "./viewer.js";

export interface TokenRequest {
  subject: string;
  role: Role;
  schoolId: string;
  /** A duration jose understands: `8h`, `30m`, `7d`, `90s`. Default `8h`. */
  expiresIn?: string;
}

/** `8h`, `30m`, `2 days`…: a positive amount and a unit (seconds to years). */
const DURATION =
  /^\s*\d+(\.\d+)?\s*(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks|y|yr|yrs|year|years)\s*$/i;

export function isDuration(value: string): boolean {
  return DURATION.test(value);
}

export async function signToken(request: TokenRequest, auth: AuthConfig): Promise<string> {
  if (auth.jwtSecret === undefined) {
    throw new AuthConfigError("no HS256 secret to sign with: set PATHWISE_JWT_SECRET (production tokens come from your identity provider)");
  }
  if (!ROLES.includes(request.role)) throw new Error(`role must be one of ${ROLES.join(", ")}, got "${request.role}"`);
  const expiresIn = request.expiresIn ?? "8h";
  if (!isDuration(expiresIn)) throw new Error(`expiry must be a duration such as 8h, 30m or 7d, got "${expiresIn}"`);
  const token = new SignJWT({ role: request.role, school: request.schoolId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(request.subject)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .setAudience(auth.audiences[0] ?? "pathwise");
  if (auth.issuers[0] !== undefined) token.setIssuer(auth.issuers[0]);
  return token.sign(new TextEncoder().encode(auth.jwtSecret));
}

/** One token per role for school "demo", as `pathwise serve` prints them in development mode. */
export async function demoTokens(auth: AuthConfig, expiresIn = "12h"): Promise<Record<Role, string>> {
  const entries = await Promise.all(
    ROLES.map(async (role) => [role, await signToken({ subject: `demo-${role}`, role, schoolId: "demo", expiresIn }, auth)] as const),
  );
  return Object.fromEntries(entries) as Record<Role, string>;
}
