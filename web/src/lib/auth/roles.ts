/** Roles come from Firebase Auth custom claims (`admin`, `producer`). */
export interface Roles {
  admin: boolean;
  producer: boolean;
}

export interface SessionUser {
  uid: string;
  email: string | null;
  displayName: string | null;
  roles: Roles;
}

export function rolesFromClaims(claims: Readonly<Record<string, unknown>>): Roles {
  return { admin: claims.admin === true, producer: claims.producer === true };
}

export function hasAnyRole(roles: Roles): boolean {
  return roles.admin || roles.producer;
}

export function roleLabel(roles: Roles): string {
  if (roles.admin) return 'Admin';
  if (roles.producer) return 'Producer';
  return 'No role';
}
