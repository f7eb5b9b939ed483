/** Authentication (who is asking) and the authorization scopes (what they may see). */
export * from "./authenticator.js";
export * from "./coverage.js";
export * from "./scopes.js";
export * from "./tokens.js";
export * from "./viewer.js";
