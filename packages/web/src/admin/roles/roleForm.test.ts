import type { RoleView } from '@remote-help/protocol';
import { describe, expect, it } from 'vitest';
import { validateRole } from './roleForm';

const roles: RoleView[] = [
  { id: 'administrator', name: 'Administrator', description: '', builtIn: true, permissions: [] },
  { id: 'r1', name: 'Viewers', description: '', builtIn: false, permissions: ['remoteHelp.viewScreen'] },
];
const good = { name: 'Night shift', description: '', permissions: ['remoteHelp.viewScreen' as const] };

describe('validateRole', () => {
  it('accepts a named role with a permission', () => {
    expect(validateRole(good, roles)).toEqual({});
  });

  it.each([
    ['', 'admin.roles.editor.nameRequired'],
    ['   ', 'admin.roles.editor.nameRequired'],
    ['x'.repeat(129), 'admin.roles.editor.nameTooLong'],
    ['Bell\u0007', 'admin.roles.editor.nameInvalid'],
    ['administrator', 'admin.roles.editor.nameBuiltIn'],
    [' VIEWERS ', 'admin.roles.editor.nameTaken'],
  ])('name %j → %s', (name, key) => {
    expect(validateRole({ ...good, name }, roles).name).toBe(key);
  });

  it('a role keeps its own name when edited', () => {
    expect(validateRole({ ...good, name: 'Viewers' }, roles, 'r1')).toEqual({});
  });

  it('needs a permission, and a description of at most 1000 characters', () => {
    expect(validateRole({ ...good, permissions: [] }, roles).permissions).toBe(
      'admin.roles.editor.permissionsRequired',
    );
    expect(validateRole({ ...good, description: 'x'.repeat(1001) }, roles).description).toBe(
      'admin.roles.editor.descriptionTooLong',
    );
    expect(validateRole({ ...good, description: 'x'.repeat(1000) }, roles)).toEqual({});
  });
});
