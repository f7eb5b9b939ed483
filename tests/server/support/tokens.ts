/** Tokens for the server tests: the demo tokens a development server prints, and hand-made ones. */
import { SignJWT } from "jose";
import type { RunningServer } from "../../support/server-process.js";

export const ROLES = ["student", "teacher", "analyst", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** The demo tokens `pathwise serve` prints in development mode, read from its output. */
export async function demoTokensOf(server: RunningServer): Promise<Record<Role, string>> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const found: Partial<Record<Role, string>> = {};
    for (const line of server.logs) {
      const match = /^ {2}(student|teacher|analyst|admin) +(\S+\.\S+\.\S+)$/.exec(line);
      if (match?.[1] && match[2]) found[match[1] as Role] = match[2];
    }
    if (ROLES.every((role) => found[role])) return found as Record<Role, string>;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no demo tokens in the server output:\n${server.logs.join("\n")}`);
}

export function sign(
  secret: string,
  claims: Record<string, unknown>,
  options: { audience?: string; expiresAt?: number | string } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setAudience(options.audience ?? "pathwise")
    .setExpirationTime(options.expiresAt ?? "1h")
    .sign(new TextEncoder().encode(secret));
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
