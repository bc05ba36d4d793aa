/**
 * @module LanguagePicker
 * The top bar's language menu: a button showing the current language in its own name, and a
 * menu with "Browser default" first, then every shipped language by its own name
 * (`Intl.DisplayNames` in that language). Choosing switches the app at once (`useMe().setLanguage`:
 * translations loaded on demand, `<html lang dir>` and Fluent's `dir` follow) and, when someone
 * is signed in, saves the choice on the server so that it wins over the browser's at the next
 * sign-in. Signed out, the choice lasts until the page is reloaded.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Button,
  makeStyles,
  Menu,
  MenuDivider,
  MenuItemRadio,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Text,
  tokens,
} from '@fluentui/react-components';
import type { MenuProps } from '@fluentui/react-components';
import { LocalLanguageRegular } from '@fluentui/react-icons';
import { LanguageTag, SHIPPED_LANGUAGES } from '@remote-help/protocol';
import { i18next } from '../i18n';
import { errorText } from './errorText';
import { useMe } from './meContext';
import { useAsyncAction } from './useAsyncAction';

const BROWSER = 'browser';

const useStyles = makeStyles({
  popover: { maxHeight: 'min(70vh, 560px)', overflowY: 'auto' },
  label: {
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    maxWidth: '160px',
    '@media (max-width: 600px)': { display: 'none' },
  },
  error: { color: tokens.colorPaletteRedForeground1 },
});

/** A language's name in that language, first letter capitalized as that language does ("Deutsch", "Français"). */
export function ownName(tag: string): string {
  const name = new Intl.DisplayNames([tag], { type: 'language' }).of(tag) ?? tag;
  return name.charAt(0).toLocaleUpperCase(tag) + name.slice(1);
}

/** See the module description. */
export function LanguagePicker() {
  const styles = useStyles();
  const { t, i18n } = useTranslation();
  const { state, setLanguage } = useMe();
  const saving = useAsyncAction();
  // Signed out, the choice is this page's only; signed in, it is the saved one.
  const [localChoice, setLocalChoice] = useState<LanguageTag | null>(null);
  const choice = state.status === 'signedIn' ? state.me.language : localChoice;
  const current = i18n.resolvedLanguage ?? i18n.language;

  const onChange: MenuProps['onCheckedValueChange'] = (_, data) => {
    const picked = LanguageTag.safeParse(data.checkedItems[0]);
    const language = picked.success ? picked.data : null;
    setLocalChoice(language);
    saving.run(() => setLanguage(language));
  };

  return (
    <>
      {saving.error ? (
        <Text role="alert" size={200} className={styles.error}>
          {errorText(t, saving.error)}
        </Text>
      ) : null}
      <Menu checkedValues={{ language: [choice ?? BROWSER] }} onCheckedValueChange={onChange}>
        <MenuTrigger disableButtonEnhancement>
          <Button
            appearance="subtle"
            icon={<LocalLanguageRegular />}
            disabled={saving.busy}
            aria-label={`${t('topBar.language')}: ${ownName(current)}`}
            data-testid="language-picker"
          >
            <span className={styles.label} lang={current} dir={i18next.dir(current)}>
              {ownName(current)}
            </span>
          </Button>
        </MenuTrigger>
        <MenuPopover className={styles.popover}>
          <MenuList aria-label={t('topBar.language')}>
            <MenuItemRadio name="language" value={BROWSER} data-testid="language-browser">
              {t('topBar.browserDefault')}
            </MenuItemRadio>
            <MenuDivider />
            {SHIPPED_LANGUAGES.map((tag) => (
              // The name in its own language and direction, inside an item laid out like the others.
              <MenuItemRadio key={tag} name="language" value={tag} data-language={tag}>
                <span lang={tag} dir={i18next.dir(tag)}>
                  {ownName(tag)}
                </span>
              </MenuItemRadio>
            ))}
          </MenuList>
        </MenuPopover>
      </Menu>
    </>
  );
}
