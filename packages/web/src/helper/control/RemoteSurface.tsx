/**
 * @module RemoteSurface
 * The stage that shows the sharer's picture, fitted (`object-fit: contain`) or at actual
 * size (scrollable), with a layer exactly over the picture for the sharer's pointer and
 * the helper's laser dot. The picture is a `<video>` of the sharer's stream or, when the
 * native agent sends its screen as tiles, the `<canvas>` they are painted on. While the
 * helper has full control it is the focusable surface that captures mouse and keyboard
 * (`data-testid="remote-surface"`); keyboard focus is then in a hidden text field inside it
 * (`data-testid="remote-text-input"`), where the helper's input method composes.
 */
import { useEffect, useId, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Caption1, makeStyles, mergeClasses, Spinner, tokens, useFocusableGroup } from '@fluentui/react-components';
import type { HelperControlMessage, InputMessageInput } from '@remote-help/protocol';
import type { TileCanvas } from '../tiles/useTileCanvas';
import type { ControlChannels } from './ControlChannels';
import { playStream } from '../../common/playStream';
import { LaserPointer } from './LaserPointer';
import { RemoteCursor } from './RemoteCursor';
import { useInputCapture } from './useInputCapture';
import { useLaserPointer } from './useLaserPointer';
import { usePictureLayout } from './usePictureLayout';

/** Keys Fluent's focus manager (tabster) must leave alone on the surface: they belong to the remote side. */
const REMOTE_KEYS = {
  Tab: true,
  Escape: true,
  Enter: true,
  ArrowUp: true,
  ArrowDown: true,
  ArrowLeft: true,
  ArrowRight: true,
  PageUp: true,
  PageDown: true,
  Home: true,
  End: true,
};

const useStyles = makeStyles({
  stage: {
    position: 'relative',
    height: 'calc(100vh - 260px)',
    minHeight: '240px',
    backgroundColor: tokens.colorNeutralBackgroundStatic,
    borderRadius: tokens.borderRadiusMedium,
    overflow: 'hidden',
    outlineStyle: 'none',
  },
  scroll: { overflow: 'auto' },
  focusRing: {
    ':focus-within': {
      outlineStyle: 'solid',
      outlineWidth: tokens.strokeWidthThick,
      outlineColor: tokens.colorStrokeFocus2,
      outlineOffset: tokens.strokeWidthThick,
    },
  },
  capturing: { touchAction: 'none', cursor: 'default' },
  laser: { cursor: 'crosshair' },
  screenFit: { display: 'block', width: '100%', height: '100%', objectFit: 'contain' },
  screenActual: { display: 'block', width: 'auto', height: 'auto', maxWidth: 'none', maxHeight: 'none' },
  picture: { position: 'absolute', pointerEvents: 'none', overflow: 'hidden' },
  /** Plays the video area's track for the tile canvas: rendered (so the browser decodes it), never seen. */
  areaVideo: {
    position: 'absolute',
    left: 0,
    top: 0,
    width: '2px',
    height: '2px',
    opacity: 0,
    pointerEvents: 'none',
  },
  overlay: {
    position: 'absolute',
    inset: 0,
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    color: tokens.colorNeutralForegroundStaticInverted,
  },
  hint: { color: tokens.colorNeutralForeground2 },
  /** Invisible, but focusable and where an input method's candidate window is anchored. */
  textInput: {
    position: 'absolute',
    left: 0,
    top: 0,
    width: '1px',
    height: '1px',
    padding: 0,
    border: 'none',
    opacity: 0,
    resize: 'none',
    overflow: 'hidden',
    pointerEvents: 'none',
  },
});

/** CSS pixels of the picture per pixel of the shared display (0 while its size is unknown). */
function pictureScale(pictureWidth: number, link: ControlChannels | null): number {
  const snapshot = link?.snapshot;
  const display = snapshot?.displays.find((d) => d.id === snapshot.currentDisplay);
  return display ? pictureWidth / display.width : 0;
}

/** Props of {@link RemoteSurface}. */
export interface RemoteSurfaceProps {
  stream: MediaStream | null;
  /** The agent's tile canvas: when set, it is the picture instead of the video. */
  tiles: TileCanvas | null;
  /** The picture is there: the video has a stream, or the first tile frame is painted. */
  shown: boolean;
  fit: boolean;
  /** The sharer's name, for labels. */
  name: string;
  link: ControlChannels | null;
  /** Send mouse and keyboard to the sharer (full control, `input` open, laser off). */
  capturing: boolean;
  /** The laser pointer is on (and the `control` channel open). */
  laser: boolean;
  /** Where keyboard focus goes after the leave shortcut. */
  onLeaveShortcut: () => void;
}

/** See the module description. */
export function RemoteSurface({
  stream,
  tiles,
  shown,
  fit,
  name,
  link,
  capturing,
  laser,
  onLeaveShortcut,
}: RemoteSurfaceProps) {
  const styles = useStyles();
  const { t } = useTranslation();
  const hintId = useId();
  const stage = useRef<HTMLDivElement>(null);
  const video = useRef<HTMLVideoElement>(null);
  const textInput = useRef<HTMLTextAreaElement>(null);
  // Otherwise tabster moves focus on Tab before the surface can send the key.
  const ownKeys = useFocusableGroup({ tabBehavior: 'unlimited', ignoreDefaultKeydown: REMOTE_KEYS });
  const showsVideo = tiles === null;
  const { picture, toVideo } = usePictureLayout(stage, tiles ? tiles.canvas : video, fit ? 'fit' : 'actual');
  const sendInput = useMemo(() => (link ? (m: InputMessageInput) => link.sendInput(m) : null), [link]);
  const sendControl = useMemo(() => (link ? (m: HelperControlMessage) => link.sendControl(m) : null), [link]);
  useInputCapture({ surface: stage, textInput, enabled: capturing, toVideo, send: sendInput, onLeaveShortcut });
  const laserDot = useLaserPointer({ surface: stage, enabled: laser, toVideo, send: sendControl });

  useEffect(() => {
    if (video.current) playStream(video.current, stream);
  }, [stream, showsVideo]);

  const focusable = capturing || !fit;
  return (
    <>
      <div
        ref={stage}
        className={mergeClasses(
          styles.stage,
          !fit && styles.scroll,
          focusable && styles.focusRing,
          capturing && styles.capturing,
          laser && styles.laser,
        )}
        data-testid="remote-surface"
        // The remote screen is a picture: it never mirrors in right-to-left languages. An attribute,
        // not a style: Griffel flips `direction: ltr` to `rtl` under an RTL FluentProvider.
        dir="ltr"
        data-capturing={capturing}
        data-dropped-messages={link?.snapshot.dropped ?? 0}
        tabIndex={focusable ? 0 : undefined}
        {...ownKeys}
        role={capturing ? 'application' : 'region'}
        aria-label={capturing ? t('helper.control.surfaceLabel', { name }) : t('helper.remote.videoLabel', { name })}
        aria-describedby={capturing ? hintId : undefined}
      >
        {tiles ? (
          <>
            <video
              ref={tiles.video}
              data-testid="remote-area-video"
              className={styles.areaVideo}
              aria-hidden
              autoPlay
              playsInline
              muted
            />
            <canvas
              ref={tiles.canvas}
              data-testid="remote-canvas"
              className={fit ? styles.screenFit : styles.screenActual}
              width={0}
              height={0}
              aria-hidden
            />
          </>
        ) : (
          <video
            ref={video}
            data-testid="remote-video"
            className={fit ? styles.screenFit : styles.screenActual}
            aria-hidden
            autoPlay
            playsInline
            muted
          />
        )}
        {picture ? (
          <div
            className={styles.picture}
            style={{ left: picture.left, top: picture.top, width: picture.width, height: picture.height }}
          >
            <RemoteCursor link={link} scale={pictureScale(picture.width, link)} />
            <LaserPointer position={laserDot} />
          </div>
        ) : null}
        {/* Always there, so that a short stop of capture (the input channel reopening) keeps the focus. */}
        <textarea
          ref={textInput}
          className={styles.textInput}
          data-testid="remote-text-input"
          tabIndex={-1}
          readOnly={!capturing}
          aria-hidden={!capturing}
          aria-label={capturing ? t('helper.control.surfaceLabel', { name }) : undefined}
          aria-describedby={capturing ? hintId : undefined}
          autoComplete="off"
          autoCorrect="off"
          autoCapitalize="off"
          spellCheck={false}
        />
        {shown ? null : (
          <div className={styles.overlay}>
            <Spinner appearance="inverted" labelPosition="below" label={t('helper.remote.waitingVideo', { name })} />
          </div>
        )}
      </div>
      {capturing ? (
        <Caption1 id={hintId} className={styles.hint}>
          {t('helper.control.surfaceHint', { name })}
        </Caption1>
      ) : null}
    </>
  );
}
