/** Who is asking: a verified token's subject, role and school, or nobody. */

export const ROLES = ["student", "teacher", "analyst", "admin"] as const;
export type Role = (typeof ROLES)[number];

export interface AuthenticatedViewer {
  kind: "user";
  /** The token's `sub`: a student's pseudonymous id, a teacher's, analyst's or admin's id. */
  subject: string;
  role: Role;
  /** The token's `school` claim: the tenant every read and write is confined to. */
  schoolId: string;
}

export interface AnonymousViewer {
  kind: "anonymous";
}

/**
 * A teacher's classes are deliberately absent: a `classes` claim is not trusted, class
 * membership will be read from the store.
 */
export type Viewer = AuthenticatedViewer | AnonymousViewer;

export const ANONYMOUS: AnonymousViewer = Object.freeze({ kind: "anonymous" });

export function isAuthenticated(viewer: Viewer): viewer is AuthenticatedViewer {
  return viewer.kind === "user";
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}
