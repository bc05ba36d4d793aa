/**
 * @module admin/conditionalAccess/caData
 * What the conditional access pages read besides the policies: the directory the pickers
 * choose from (people, user groups, roles) and the named locations. The page needs only
 * `settings.manage`; a list the role may not read (people need `users.manage`, roles
 * `roles.manage`) is left empty and the page says so, instead of failing.
 */
import type { DirectoryUserView, GroupView, NamedLocation } from '@remote-help/protocol';
import { ApiError, api } from '../../common/api';
import type { Choice } from './ChoicePicker';

export interface CaDirectory {
  users: Choice[];
  /** User groups only (a policy targets people). */
  groups: GroupView[];
  roles: Choice[];
  locations: NamedLocation[];
  /** True when the role could not list people, groups or roles. */
  partial: boolean;
}

/** A person as a choice: the name, with the email as the second line. */
export const userChoice = (u: Pick<DirectoryUserView, 'id' | 'displayName' | 'email'>): Choice => ({
  id: u.id,
  label: u.displayName,
  detail: u.email,
});

/** `forbidden` → null (the role may not read this list); anything else fails the load. */
async function allowed<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'forbidden') return null;
    throw error;
  }
}

/** Finds people by name or email on the server (the pickers' search beyond the first 200). */
export async function searchUsers(text: string): Promise<Choice[]> {
  const page = await api.listUsers({ query: { search: text, limit: 20 } });
  return page.users.map(userChoice);
}

/**
 * Loads the directory and the named locations; `userIds` are people a policy names, looked up
 * one by one when they are not among the first 200.
 */
export async function loadCaDirectory(userIds: readonly string[] = []): Promise<CaDirectory> {
  const [users, groups, roles, locations] = await Promise.all([
    allowed(api.listUsers({ query: { limit: 200 } })),
    allowed(api.listGroups()),
    allowed(api.listRoles()),
    api.listNamedLocations(),
  ]);
  const choices = (users?.users ?? []).map(userChoice);
  if (users) {
    const missing = [...new Set(userIds)].filter((id) => !choices.some((c) => c.id === id));
    const more = await Promise.all(
      missing.map((id) =>
        api.getUser({ params: { id } }).then(
          (r) => userChoice(r.user),
          () => null,
        ),
      ),
    );
    for (const choice of more) if (choice) choices.push(choice);
  }
  return {
    users: choices,
    groups: (groups?.groups ?? []).filter((g) => g.kind === 'user'),
    roles: (roles?.roles ?? []).map((r) => ({ id: r.id, label: r.name, detail: r.description })),
    locations: locations.locations,
    partial: !users || !groups || !roles,
  };
}
