/**
 * The permission table (domain/roles.ts): which roles grant which permission.
 */
import fc from 'fast-check';
import {
  PERMISSIONS,
  ROLES,
  ROLE_LABELS,
  type Permission,
  type Role,
  isRole,
  rolesGrant,
} from '../../domain/roles';

const permissions = Object.keys(PERMISSIONS) as Permission[];

describe('the permission table', () => {
  test.each(permissions)(
    'when permission %s is looked up, it lists only known roles, at least one',
    (permission) => {
      const roles: readonly string[] = PERMISSIONS[permission];

      expect(roles.length).toBeGreaterThan(0);
      for (const role of roles) expect(ROLES).toContain(role);
    },
  );

  test.each(permissions)('when permission %s is looked up, no role is listed twice', (permission) => {
    const roles: readonly string[] = PERMISSIONS[permission];

    expect(new Set(roles).size).toBe(roles.length);
  });

  test('when the system administrator asks, every permission is granted except acts reserved to a body\u2019s own members', () => {
    // Voting, convening the council and signing the evaluation are the members' own acts: nobody does them for them.
    const membersOnly = ['vote:cast', 'meeting:confirmConvening', 'evaluation:sign'];
    for (const permission of permissions) {
      expect(rolesGrant(['admin'], permission)).toBe(!membersOnly.includes(permission));
    }
  });

  test('every role has a Chinese label', () => {
    for (const role of ROLES) expect(ROLE_LABELS[role]).toMatch(/[\u4e00-\u9fa5]/);
  });
});

describe('rolesGrant for residents', () => {
  test.each<Permission>([
    'voice:submit',
    'voice:readOwn',
    'voice:feedback',
    'echoWall:read',
    'compound:read',
    'inbox:read',
  ])('when a resident asks for %s, it is granted', (permission) => {
    expect(rolesGrant(['resident'], permission)).toBe(true);
  });

  test.each<Permission>([
    'voice:readAll',
    'voice:handle',
    'voice:extendDeadline',
    'voice:submitOnBehalf',
    'compound:configure',
  ])('when a resident asks for %s, it is refused', (permission) => {
    expect(rolesGrant(['resident'], permission)).toBe(false);
  });
});

describe('rolesGrant for community staff and the bodies', () => {
  test.each<Permission>([
    'voice:submitOnBehalf',
    'voice:extendDeadline',
    'voice:readAll',
    'voice:handle',
    'compound:configure',
  ])('when community staff ask for %s, it is granted', (permission) => {
    expect(rolesGrant(['staff'], permission)).toBe(true);
  });

  test('when a building leader enters a voice heard in the building group, submitting on behalf is granted but reading all is not', () => {
    expect(rolesGrant(['buildingLeader'], 'voice:submitOnBehalf')).toBe(true);
    expect(rolesGrant(['buildingLeader'], 'voice:readAll')).toBe(false);
  });

  test('when the supervisory board asks, it may read every voice but not handle one', () => {
    expect(rolesGrant(['supervisoryBoard'], 'voice:readAll')).toBe(true);
    expect(rolesGrant(['supervisoryBoard'], 'voice:handle')).toBe(false);
  });

  test.each<Role>(['partyBranch', 'ownersCommittee', 'selfManagementCommittee'])(
    'when the %s asks, it may handle voices but not extend their deadlines',
    (role) => {
      expect(rolesGrant([role], 'voice:handle')).toBe(true);
      expect(rolesGrant([role], 'voice:extendDeadline')).toBe(false);
    },
  );

  test('when a council member asks to handle a voice or configure the compound, it is refused', () => {
    expect(rolesGrant(['councilMember'], 'voice:handle')).toBe(false);
    expect(rolesGrant(['councilMember'], 'compound:configure')).toBe(false);
  });
});

describe('rolesGrant with several roles', () => {
  test('when a resident is also a building leader, submitting on behalf is granted by the second role', () => {
    expect(rolesGrant(['resident', 'buildingLeader'], 'voice:submitOnBehalf')).toBe(true);
  });

  test('when a resident is also a council member, neither role grants handling a voice', () => {
    expect(rolesGrant(['resident', 'councilMember'], 'voice:handle')).toBe(false);
  });

  test('when a user holds no roles, not even submitting a voice is granted', () => {
    expect(rolesGrant([], 'voice:submit')).toBe(false);
  });

  test('for any set of roles and any permission, the set grants it exactly when one of its roles alone does', () => {
    const roles = fc.subarray([...ROLES]);
    const permission = fc.constantFrom(...permissions);
    fc.assert(
      fc.property(roles, permission, (rs, p) => {
        expect(rolesGrant(rs, p)).toBe(rs.some((r) => rolesGrant([r], p)));
      }),
    );
  });

  test('for any set of roles, adding a role never takes a permission away', () => {
    const roles = fc.subarray([...ROLES]);
    const extra = fc.constantFrom(...ROLES);
    const permission = fc.constantFrom(...permissions);
    fc.assert(
      fc.property(roles, extra, permission, (rs, r, p) => {
        if (rolesGrant(rs, p)) expect(rolesGrant([...rs, r], p)).toBe(true);
      }),
    );
  });
});

describe('isRole', () => {
  test.each([...ROLES])('when the value is the known role "%s", it is a role', (value) => {
    expect(isRole(value)).toBe(true);
  });

  test.each(['Staff', 'superuser', '', ' staff', 'toString', 'jointPartyCommittee', 'community'])(
    'when the value is "%s", it is not a role',
    (value) => {
      expect(isRole(value)).toBe(false);
    },
  );
});
