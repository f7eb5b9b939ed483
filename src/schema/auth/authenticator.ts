/**
 * Verifies bearer JWTs with jose: HS256 with PATHWISE_JWT_SECRET (or the development secret), and
 * RS256 with the keys at PATHWISE_JWKS_URL (a school's single sign-on). Issuer and audience are
 * checked as configured; `exp` is required. The claims that matter are `sub`, `role` and `school`.
 */
import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from "jose";
import type { AuthConfig, PathwiseConfig } from "../../config.js";
import { UnauthenticatedError } from "../errors.js";
import { ANONYMOUS, type AuthenticatedViewer, isRole, ROLES, type Viewer } from "./viewer.js";

/** HS256 needs a key of at least 256 bits (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32;

/** A configuration the server must not start with. */
export class AuthConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuthConfigError";
  }
}

/**
 * Refuses what would be unsafe: the public development secret or no way at all to verify a token
 * in production mode, and a short HS256 secret in any mode.
 */
export function assertAuthConfig(auth: AuthConfig, mode: PathwiseConfig["mode"]): void {
  if (mode === "production" && auth.usingDevSecret) {
    throw new AuthConfigError(
      "PATHWISE_JWT_SECRET is the built-in development secret, which is public; production mode refuses it. " +
        "Set PATHWISE_JWT_SECRET to a random value of at least 32 bytes (e.g. `openssl rand -base64 48`), or use PATHWISE_JWKS_URL.",
    );
  }
  if (mode === "production" && auth.jwtSecret === undefined && auth.jwksUrl === undefined) {
    throw new AuthConfigError(
      "production mode needs a way to verify tokens: set PATHWISE_JWT_SECRET (HS256, at least 32 bytes) and/or PATHWISE_JWKS_URL (RS256).",
    );
  }
  if (auth.jwtSecret !== undefined && Buffer.byteLength(auth.jwtSecret) < MIN_SECRET_BYTES) {
    throw new AuthConfigError(`PATHWISE_JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes long for HS256.`);
  }
  if (auth.jwksUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(auth.jwksUrl);
    } catch {
      throw new AuthConfigError(`PATHWISE_JWKS_URL is not a URL: "${auth.jwksUrl}"`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new AuthConfigError("PATHWISE_JWKS_URL must be an http(s) URL.");
  }
}

export interface Authenticator {
  /**
   * The viewer for an `Authorization` header value. No header: anonymous (the caller decides
   * whether that is allowed). A header that is present but malformed, or a token that does not
   * verify (signature, expiry, issuer, audience, claims): UnauthenticatedError with HTTP 401,
   * after `onRefused` heard why (the verifier's own error, for the log).
   */
  authenticate(authorization: string | null | undefined, onRefused?: (reason: string, error: unknown) => void): Promise<Viewer>;
  /**
   * What `authenticate` would resolve to when that is known without verifying anything: anonymous
   * for no header, the viewer of a token verified earlier and still valid. Otherwise undefined
   * (call `authenticate`). Synchronous, so that the common request does not cost a promise.
   */
  remembered(authorization: string | null | undefined): Viewer | undefined;
}

/** The token of a well-formed `Bearer <token>` header value, else undefined. */
function bearerToken(authorization: string): string | undefined {
  return /^Bearer +([A-Za-z0-9\-_.]+)\s*$/i.exec(authorization.trim())?.[1];
}

/** Why a token was refused, as told to the client: specific enough to fix, nothing internal. */
function refusal(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "The bearer token has expired.";
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === "aud") return "The bearer token is not for this audience.";
    if (error.claim === "iss") return "The bearer token's issuer is not accepted.";
    if (error.claim === "nbf") return "The bearer token is not valid yet.";
    return `The bearer token's "${error.claim}" claim is invalid.`;
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return "The bearer token's signing algorithm is not accepted.";
  if (error instanceof joseErrors.JWKSNoMatchingKey) return "The bearer token was signed with an unknown key.";
  if (error instanceof joseErrors.JWKSTimeout) return "The bearer token could not be verified (key set unreachable).";
  return "The bearer token is invalid.";
}

export function viewerFromClaims(payload: JWTPayload): AuthenticatedViewer {
  const { sub, role, school } = payload as JWTPayload & { role?: unknown; school?: unknown };
  if (typeof sub !== "string" || sub.trim() === "") throw new UnauthenticatedError('The bearer token has no "sub" claim.', true);
  if (!isRole(role)) throw new UnauthenticatedError(`The bearer token's "role" claim must be one of ${ROLES.join(", ")}.`, true);
  if (typeof school !== "string" || school.trim() === "") {
    throw new UnauthenticatedError('The bearer token has no "school" claim.', true);
  }
  return { kind: "user", subject: sub, role, schoolId: school };
}

/** Verified tokens remembered, at most this many (the oldest are forgotten first). */
export const VERIFIED_TOKEN_CACHE = 10_000;
/** A verified token is re-verified after this long even when it expires later. */
export const VERIFIED_TOKEN_TTL_MS = 5 * 60_000;

export function createAuthenticator(auth: AuthConfig, options: { now?: () => number } = {}): Authenticator {
  const now = options.now ?? Date.now;
  // An app sends the same token with every request; verifying its signature each time was a
  // tenth of a request's cost on the API benchmark. A token is immutable, so the viewer it
  // verified to is reused until the token expires (or for VERIFIED_TOKEN_TTL_MS, whichever is
  // sooner); a refused token is never remembered.
  const verified = new Map<string, { viewer: AuthenticatedViewer; until: number }>();
  const secret = auth.jwtSecret === undefined ? undefined : new TextEncoder().encode(auth.jwtSecret);
  const jwks = auth.jwksUrl === undefined ? undefined : createRemoteJWKSet(new URL(auth.jwksUrl), { timeoutDuration: 5000 });
  const algorithms = [...(secret ? ["HS256"] : []), ...(jwks ? ["RS256"] : [])];
  const key: JWTVerifyGetKey = async (header, token) => {
    if (header.alg === "HS256" && secret) return secret;
    if (header.alg === "RS256" && jwks) return jwks(header, token);
    throw new joseErrors.JOSEAlgNotAllowed(`"${header.alg}" is not accepted`);
  };

  const remembered = (authorization: string | null | undefined): Viewer | undefined => {
    if (authorization === null || authorization === undefined || authorization.trim() === "") return ANONYMOUS;
    const token = bearerToken(authorization);
    const entry = token === undefined ? undefined : verified.get(token);
    return entry && entry.until > now() ? entry.viewer : undefined;
  };

  return {
    remembered,
    async authenticate(authorization, onRefused) {
      const known = remembered(authorization);
      if (known) return known;
      const token = bearerToken(authorization ?? "");
      if (!token) throw new UnauthenticatedError("The Authorization header must be `Bearer <token>`.", true);
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, key, {
          algorithms,
          audience: auth.audiences,
          ...(auth.issuers.length > 0 ? { issuer: auth.issuers } : {}),
          clockTolerance: auth.clockToleranceSeconds,
          requiredClaims: ["exp", "sub"],
          currentDate: new Date(now()),
        }));
      } catch (error) {
        const reason = refusal(error);
        onRefused?.(reason, error);
        verified.delete(token);
        throw new UnauthenticatedError(reason, true);
      }
      const viewer = viewerFromClaims(payload);
      verified.delete(token);
      const expires = typeof payload.exp === "number" ? payload.exp * 1000 : 0;
      if (verified.size >= VERIFIED_TOKEN_CACHE) verified.delete(verified.keys().next().value as string);
      verified.set(token, { viewer, until: Math.min(expires, now() + VERIFIED_TOKEN_TTL_MS) });
      return viewer;
    },
  };
}
