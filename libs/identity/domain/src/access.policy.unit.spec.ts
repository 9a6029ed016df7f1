import fc from 'fast-check';
import {
  allowedCaseActions,
  authorize,
  authorizeCase,
  caseVisibility,
  matchesCaseFilter,
  CASE_ACTIONS,
  type CaseAction,
  type CaseScope,
} from './access.policy';
import { ROLES, type Principal, type Role } from './roles';

const TOWNSHIP = '370102001000';
const OTHER_COUNTY_VILLAGE = '370103002001';
const OWN_DEPT = 'dept-own';

const user = (roles: Role[], regionCode = TOWNSHIP, departmentId = OWN_DEPT): Principal => ({
  userId: `u-${roles.join('-')}`,
  username: roles.join('-'),
  name: '测试',
  roles,
  departmentId,
  regionCode,
});

const inTownship = (lead?: string, co: string[] = []): CaseScope => ({
  regionCode: '370102001001',
  leadDepartmentId: lead,
  coDepartmentIds: co,
});

describe('the access policy', () => {
  describe('a handler', () => {
    const handler = user(['handler']);
    it('accepts a case its department leads', () => {
      expect(authorizeCase(handler, 'case.accept', inTownship(OWN_DEPT))).toEqual({
        allowed: true,
      });
    });
    it('may read but not accept a case it co-handles', () => {
      const scope = inTownship('dept-lead', [OWN_DEPT]);
      expect(authorizeCase(handler, 'case.read', scope).allowed).toBe(true);
      expect(authorizeCase(handler, 'case.accept', scope)).toMatchObject({ code: 'forbidden' });
    });
    it('does not know of a case of another department in its own township', () => {
      expect(authorizeCase(handler, 'case.accept', inTownship('dept-other'))).toMatchObject({
        code: 'not_found',
      });
    });
  });

  describe('territorial roles', () => {
    it('see their region subtree and nothing outside it', () => {
      for (const role of ['supervisor', 'inspector', 'dispatcher', 'intake_clerk'] as const) {
        expect(authorizeCase(user([role]), 'case.read', inTownship('x')).allowed).toBe(true);
        expect(
          authorizeCase(user([role]), 'case.read', { regionCode: OTHER_COUNTY_VILLAGE }),
        ).toMatchObject({ code: 'not_found' });
      }
    });
    it('let a county supervisor see every township of the county', () => {
      const county = user(['supervisor'], '370102000000');
      expect(authorizeCase(county, 'supervision.close', inTownship()).allowed).toBe(true);
    });
  });

  describe('an inspector', () => {
    it('reads and audits everything in its subtree and changes nothing', () => {
      const inspector = user(['inspector'], '370100000000');
      const scope = inTownship(OWN_DEPT);
      expect(allowedCaseActions(inspector, scope)).toEqual([
        'case.read',
        'personal_data.read_access_log',
        'audit.read',
      ]);
    });
  });

  describe('an admin', () => {
    it('administers reference data but sees no case', () => {
      const admin = user(['admin']);
      expect(authorize(admin, 'reference.write').allowed).toBe(true);
      expect(authorizeCase(admin, 'case.read', inTownship(OWN_DEPT))).toMatchObject({
        code: 'not_found',
      });
      expect(caseVisibility(admin)).toEqual({ regionPrefixes: [], departmentIds: [] });
    });
  });

  describe('registration', () => {
    it('is for clerks and grid workers, within their territory', () => {
      expect(authorize(user(['intake_clerk']), 'case.register', '370102001002').allowed).toBe(true);
      expect(
        authorize(user(['intake_clerk']), 'case.register', OTHER_COUNTY_VILLAGE),
      ).toMatchObject({
        code: 'forbidden',
      });
      expect(authorize(user(['handler']), 'case.register', '370102001002').allowed).toBe(false);
    });
  });

  it('adds up the grants of several roles', () => {
    const both = user(['handler', 'supervisor']);
    expect(authorizeCase(both, 'supervision.close', inTownship('dept-other')).allowed).toBe(true);
    expect(authorizeCase(both, 'case.accept', inTownship('dept-other'))).toMatchObject({
      code: 'forbidden',
    });
  });

  it('filters lists exactly as it decides single reads (property)', () => {
    const regions = [
      '370102001001',
      '370102001002',
      '370102002001',
      '370103001001',
      '370102001001004',
    ];
    const departments = ['dept-own', 'dept-a', 'dept-b'];
    const principal = fc.record({
      roles: fc.subarray([...ROLES], { minLength: 0 }),
      regionCode: fc.constantFrom('370102001000', '370102000000', '370100000000', '370102001001'),
      departmentId: fc.constantFrom(...departments),
    });
    const scope = fc.record({
      regionCode: fc.constantFrom(...regions),
      leadDepartmentId: fc.option(fc.constantFrom(...departments), { nil: undefined }),
      coDepartmentIds: fc.subarray(departments),
    });
    fc.assert(
      fc.property(principal, scope, (p, s) => {
        const caller = { ...user([]), ...p };
        return (
          matchesCaseFilter(caseVisibility(caller), s) ===
          authorizeCase(caller, 'case.read', s).allowed
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('gives every action at least one role, and never one to inspectors that changes a case', () => {
    const readOnly: CaseAction[] = ['case.read', 'personal_data.read_access_log', 'audit.read'];
    for (const [action, grant] of Object.entries(CASE_ACTIONS)) {
      expect(Object.keys(grant).length).toBeGreaterThan(0);
      if (!readOnly.includes(action as CaseAction)) expect(grant).not.toHaveProperty('inspector');
    }
  });
});
