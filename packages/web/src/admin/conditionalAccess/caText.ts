/**
 * @module admin/conditionalAccess/caText
 * Conditional access in words, in the reader's language: what a policy grants or blocks
 * ("Requires multi-factor authentication or a compliant device"), which apps and people it
 * targets, and the names of apps, platforms, device states, controls and requirements.
 * Lists are joined with the language's own "and" / "or" (`Intl.ListFormat`).
 */
import type { TFunction } from 'i18next';
import type { CaPolicyInput, CaRequirement } from '@remote-help/protocol';

/** `items` joined as "a, b and c" (`and`) or "a, b or c" (`or`) in `language`. */
export function joinList(language: string, items: readonly string[], kind: 'and' | 'or' = 'and'): string {
  return new Intl.ListFormat(language, { style: 'long', type: kind === 'and' ? 'conjunction' : 'disjunction' }).format(
    items,
  );
}

/** What the policy does when it applies: "Blocks access", or what it requires; then the sign-in frequency. */
export function grantSentence(
  t: TFunction,
  language: string,
  policy: Pick<CaPolicyInput, 'grant' | 'session'>,
): string {
  const { grant, session } = policy;
  const main =
    grant.kind === 'block'
      ? t('admin.conditionalAccess.summary.block')
      : t('admin.conditionalAccess.summary.requires', {
          controls: joinList(
            language,
            grant.controls.map((c) => t(`admin.conditionalAccess.summary.controls.${c}`)),
            grant.operator === 'all' ? 'and' : 'or',
          ),
        });
  const hours = session.signInFrequencyHours;
  return hours === null ? main : `${main}. ${t('admin.conditionalAccess.summary.frequency', { count: hours })}`;
}

/** The targeted apps: "All apps", or their names. */
export function appsText(t: TFunction, language: string, apps: CaPolicyInput['apps']): string {
  return apps === 'all'
    ? t('admin.conditionalAccess.summary.allApps')
    : joinList(
        language,
        apps.map((a) => t(`admin.conditionalAccess.apps.${a}`)),
      );
}

/** Whom the policy targets: "All users" or how many are selected, and how many are excluded. */
export function usersText(t: TFunction, users: CaPolicyInput['users']): string {
  const include =
    users.include.kind === 'all'
      ? t('admin.conditionalAccess.summary.allUsers')
      : t('admin.conditionalAccess.summary.selectedUsers', {
          count: users.include.userIds.length + users.include.groupIds.length + users.include.roleIds.length,
        });
  const excluded = users.exclude.userIds.length + users.exclude.groupIds.length + users.exclude.roleIds.length;
  return excluded ? `${include} (${t('admin.conditionalAccess.summary.excluded', { count: excluded })})` : include;
}

/** Unmet requirements by name ("Multi-factor authentication, Compliant device"), or a dash. */
export function unmetText(t: TFunction, language: string, unmet: readonly CaRequirement[]): string {
  return unmet.length === 0
    ? '—'
    : joinList(
        language,
        unmet.map((r) => t(`admin.conditionalAccess.requirements.${r}`)),
      );
}
