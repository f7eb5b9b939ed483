/**
 * In development mode the server prints a demo token per role (school "demo") when it starts,
 * and how to use them from GraphiQL and curl. Never in production mode.
 */
import type { AuthConfig } from "../config.js";
import { demoTokens } from "../schema/auth/tokens.js";
import { ROLES } from "../schema/auth/viewer.js";

/** How long the printed demo tokens stay valid. */
export const DEMO_TOKEN_LIFETIME = "12h";

export async function devTokenBanner(auth: AuthConfig, port: number): Promise<string> {
  const tokens = await demoTokens(auth, DEMO_TOKEN_LIFETIME);
  const secret = auth.usingDevSecret ? "the built-in development secret" : "PATHWISE_JWT_SECRET";
  const lines = [
    `Development mode: demo tokens for school "demo", valid ${DEMO_TOKEN_LIFETIME}, signed with ${secret}.`,
    "Without a token you may read the public curriculum only.",
    "",
    ...ROLES.map((role) => `  ${role.padEnd(8)} ${tokens[role]}`),
    "",
    `GraphiQL (http://localhost:${port}/graphql): open the "Headers" tab under the editor and paste`,
    `  {"Authorization": "Bearer ${tokens.teacher}"}`,
    "curl:",
    `  curl -s localhost:${port}/graphql -H "Authorization: Bearer ${tokens.teacher}" \\`,
    `    -H 'content-type: application/json' -d '{"query":"{ subjects { id } }"}'`,
    "More tokens: npx pathwise token --role teacher --school demo --sub t-1 [--expires 8h]",
    "",
  ];
  return `${lines.join("\n")}\n`;
}
