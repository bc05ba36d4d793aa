import type { AssignmentView, GroupView } from '@remote-help/protocol';
import { AssignmentRequest } from '@remote-help/protocol';
import { describe, expect, it } from 'vitest';
import { assignmentRequest, assignmentValues, validateAssignment } from './assignmentForm';

const group = (id: string, kind: 'user' | 'device'): GroupView => ({
  id,
  name: id,
  description: '',
  kind,
  rule: null,
  members: [],
  createdAt: '',
  updatedAt: '',
});
const groups = [group('helpers', 'user'), group('finance', 'user'), group('laptops', 'device')];
const other: AssignmentView = {
  id: 'a1',
  name: 'Help desk',
  description: '',
  roleId: 'helpDeskOperator',
  members: ['helpers'],
  scope: { all: true, groups: [], excluded: [] },
  createdAt: '',
  updatedAt: '',
};
const good = {
  ...assignmentValues('r1'),
  name: 'Finance desk',
  members: ['helpers'],
  scopeGroups: ['finance', 'laptops'],
};

describe('assignment form', () => {
  it('accepts members, scope groups of both kinds and exclusions, and sends what the server expects', () => {
    const v = { ...good, excluded: ['laptops-quarantine'] };
    expect(validateAssignment(good, groups, [other])).toEqual({});
    const body = assignmentRequest(v);
    expect(body).toEqual({
      name: 'Finance desk',
      description: '',
      roleId: 'r1',
      members: ['helpers'],
      scope: { all: false, groups: ['finance', 'laptops'], excluded: ['laptops-quarantine'] },
    });
    expect(AssignmentRequest.safeParse(body).success).toBe(true);
  });

  it('"All users and devices" sends no scope groups but keeps exclusions', () => {
    const body = assignmentRequest({ ...good, scopeAll: true, excluded: ['finance'] });
    expect(body.scope).toEqual({ all: true, groups: [], excluded: ['finance'] });
    expect(validateAssignment({ ...good, scopeAll: true, scopeGroups: [], excluded: ['finance'] }, groups, [])).toEqual(
      {},
    );
  });

  it.each([
    ['no name', { name: ' ' }, { name: 'admin.roles.assignmentEditor.nameRequired' }],
    ['a taken name', { name: 'help DESK' }, { name: 'admin.roles.assignmentEditor.nameTaken' }],
    ['no members', { members: [] }, { members: 'admin.roles.assignmentEditor.membersRequired' }],
    [
      'a device group as members',
      { members: ['laptops'] },
      { members: 'admin.roles.assignmentEditor.membersUserGroups' },
    ],
    ['no scope', { scopeGroups: [] }, { scopeGroups: 'admin.roles.assignmentEditor.scopeRequired' }],
    [
      'a group both in scope and excluded',
      { excluded: ['finance'] },
      { excluded: 'admin.roles.assignmentEditor.excludedIsScope' },
    ],
  ])('%s is refused', (_, patch, errors) => {
    expect(validateAssignment({ ...good, ...patch }, groups, [other])).toEqual(errors);
  });

  it('an assignment keeps its own name when edited', () => {
    const v = assignmentValues('ignored', other);
    expect(v).toMatchObject({ roleId: 'helpDeskOperator', name: 'Help desk', scopeAll: true });
    expect(validateAssignment(v, groups, [])).toEqual({});
  });
});
