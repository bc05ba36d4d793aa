/**
 * @module admin/directory/UserPicture
 * A person's profile picture: upload (PNG, JPEG or WebP up to 5 MB; the server checks what the
 * file really is, crops it to a square and re-encodes it) or remove. A refused file is
 * explained in the user's language and changes nothing.
 */
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar, Button, Caption1, MessageBar, MessageBarBody, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowUploadRegular, DeleteRegular } from '@fluentui/react-icons';
import type { DirectoryUserView } from '@remote-help/protocol';
import { api } from '../../common/api';
import { errorText } from '../../common/errorText';
import { useAsyncAction } from '../../common/useAsyncAction';
import { Card } from './Card';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { readPhotoFile } from './photoFile';
import { BusySpinner } from '../../common/BusySpinner';

const useStyles = makeStyles({
  row: { display: 'flex', gap: tokens.spacingHorizontalL, alignItems: 'center', flexWrap: 'wrap' },
  side: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, alignItems: 'flex-start' },
  buttons: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  hint: { color: tokens.colorNeutralForeground3, maxWidth: '360px' },
  file: { display: 'none' },
});

/** See the module description. */
export function UserPicture({ user, onChanged }: { user: DirectoryUserView; onChanged: () => void }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const input = useRef<HTMLInputElement>(null);
  const upload = useAsyncAction();
  const [removing, setRemoving] = useState(false);
  const [done, setDone] = useState<'uploaded' | 'removed' | null>(null);

  const choose = (file: File | undefined) => {
    if (!file) return;
    setDone(null);
    upload.run(async () => {
      try {
        const image = await readPhotoFile(file);
        await api.setUserPhoto({ params: { id: user.id }, body: { image } });
        setDone('uploaded');
        onChanged();
      } finally {
        // The same file can be chosen again after a refusal.
        if (input.current) input.current.value = '';
      }
    });
  };

  return (
    <Card title={t('admin.directory.user.picture')} testId="user-picture">
      <div className={styles.row}>
        <Avatar
          size={96}
          name={user.displayName}
          color="colorful"
          image={
            user.photoUrl
              ? { src: user.photoUrl, alt: t('admin.directory.user.pictureOf', { name: user.displayName }) }
              : undefined
          }
          data-testid="user-picture-avatar"
        />
        <div className={styles.side}>
          <div className={styles.buttons}>
            <Button
              icon={upload.busy ? <BusySpinner /> : <ArrowUploadRegular />}
              disabled={upload.busy}
              onClick={() => input.current?.click()}
            >
              {user.photoUrl ? t('admin.directory.user.replacePicture') : t('admin.directory.user.uploadPicture')}
            </Button>
            {user.photoUrl ? (
              <Button icon={<DeleteRegular />} disabled={upload.busy} onClick={() => setRemoving(true)}>
                {t('admin.directory.user.removePicture')}
              </Button>
            ) : null}
          </div>
          <Caption1 className={styles.hint}>{t('admin.directory.user.pictureHint')}</Caption1>
          <input
            ref={input}
            className={styles.file}
            type="file"
            accept="image/png,image/jpeg,image/webp"
            aria-label={t('admin.directory.user.uploadPicture')}
            data-testid="picture-file"
            onChange={(event) => choose(event.target.files?.[0])}
          />
        </div>
      </div>
      {upload.error ? (
        <MessageBar intent="error" data-testid="picture-error">
          <MessageBarBody>{errorText(t, upload.error)}</MessageBarBody>
        </MessageBar>
      ) : null}
      {done ? (
        <MessageBar intent="success" data-testid="picture-done">
          <MessageBarBody>
            {t(done === 'uploaded' ? 'admin.directory.user.pictureUploaded' : 'admin.directory.user.pictureRemoved')}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <ConfirmDialog
        open={removing}
        title={t('admin.directory.user.removePictureTitle')}
        confirmLabel={t('admin.directory.user.removePicture')}
        danger
        onConfirm={async () => {
          await api.deleteUserPhoto({ params: { id: user.id } });
          setDone('removed');
          onChanged();
        }}
        onClose={() => setRemoving(false)}
      >
        {t('admin.directory.user.removePictureBody', { name: user.displayName })}
      </ConfirmDialog>
    </Card>
  );
}
