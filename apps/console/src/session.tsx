import { createContext, useContext } from 'react';
import type { CaseScope, Principal } from '@casegrid/identity';
import type { Category, Department, Me, Region, User } from './api/types';

/** Who is signed in and the reference data every page names things with. */
export interface Session {
  me: Me;
  principal: Principal;
  regions: Region[];
  departments: Department[];
  categories: Category[];
  users: User[];
  regionName(code: string | null | undefined): string;
  departmentName(id: string | null | undefined): string;
  categoryName(code: string | null | undefined): string;
  userName(id: string | null | undefined): string;
  has(...roles: string[]): boolean;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

export function buildSession(
  me: Me,
  regions: Region[],
  departments: Department[],
  categories: Category[],
  users: User[],
): Session {
  const region = new Map(regions.map((r) => [r.code, r.name]));
  const department = new Map(departments.map((d) => [d.id, d.name]));
  const category = new Map(categories.map((c) => [c.code, c.name]));
  const user = new Map(users.map((u) => [u.id, u.name]));
  return {
    me,
    principal: {
      userId: me.user.id,
      username: me.user.username,
      name: me.user.name,
      roles: me.roles,
      departmentId: me.department.id,
      regionCode: me.department.regionCode,
    },
    regions,
    departments,
    categories,
    users,
    regionName: (code) => (code ? (region.get(code) ?? code) : '—'),
    departmentName: (id) => (id ? (department.get(id) ?? id.slice(-6)) : '—'),
    categoryName: (code) => (code ? (category.get(code) ?? code) : '—'),
    userName: (id) => (id ? (user.get(id) ?? id.slice(-6)) : '—'),
    has: (...roles) => me.roles.some((r) => roles.includes(r)),
  };
}

export const scopeOf = (c: {
  regionCode: string;
  leadDepartmentId: string | null;
  coDepartmentIds: string[];
}): CaseScope => ({
  regionCode: c.regionCode,
  leadDepartmentId: c.leadDepartmentId ?? undefined,
  coDepartmentIds: c.coDepartmentIds,
});
