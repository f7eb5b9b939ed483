/** The one Pothos schema builder: plugins, scalar/context types and the auth scopes, nothing else. */
import SchemaBuilder from "@pothos/core";
import DataloaderPlugin from "@pothos/plugin-dataloader";
import RelayPlugin from "@pothos/plugin-relay";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import { type PathwiseAuthScopes, scopeLoaders } from "./auth/scopes.js";
import { isAuthenticated } from "./auth/viewer.js";
import type { GraphQLContext } from "./context.js";
import { ForbiddenError, UnauthenticatedError } from "./errors.js";

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  AuthScopes: PathwiseAuthScopes;
}>({
  // scope-auth first, so that no other plugin's wrapper runs before the check.
  plugins: [ScopeAuthPlugin, RelayPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: scopeLoaders,
    // Type-level scopes run once per object (not once per field of it).
    runScopesOnType: true,
    // Subscriptions are authorized when they are created, not per event.
    authorizeOnSubscribe: true,
    // A scope loader that throws denies access; its error never reaches the client.
    treatErrorsAsUnauthorized: true,
    // No token: UNAUTHENTICATED (sign in and retry); a token without the right: FORBIDDEN.
    unauthorizedError: (_parent, context, info, result) =>
      isAuthenticated(context.viewer)
        ? new ForbiddenError(`${result.message}.`)
        : new UnauthenticatedError(`Authentication required to read ${info.parentType.name}.${info.fieldName}.`),
  },
  relay: {
    // Curriculum ids are stable, meaningful strings ("math.g5.fraction-add"): apps keep them as
    // they are, so no opaque global ids and no node(id:) field.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    cursorType: "String",
  },
});

builder.queryType({});
