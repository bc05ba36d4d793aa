/**
 * @module useJoinAlert
 * Tells a helper who is looking elsewhere that the sharer is there: the tab title says so while
 * the sharer waits for them (and is restored once the helper has asked, left, or the session
 * ended), and a desktop notification appears when the sharer joins while this page is not in
 * front. Permission is asked when the helper starts waiting (`askNotificationPermission`, from a
 * click), never on page load; when it is denied or the browser has no notifications, nothing
 * else changes.
 */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { SessionView } from '@remote-help/protocol';
import { alertTitle, joinedMessage, sharerJustJoined } from './joinAlert';

/** Asks for permission to notify, once, if the browser has not been told yet. Call from a click. */
export function askNotificationPermission(): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'default') return;
  try {
    // Older Safari answers through a callback and returns nothing.
    void Promise.resolve(Notification.requestPermission()).catch(() => undefined);
  } catch {
    // No notifications here: the tab title still tells.
  }
}

/** Shows a notification if allowed; null when it is not (denied, unsupported, or refused by the browser). */
function notify(title: string, body: string, tag: string): Notification | null {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return null;
  try {
    const notification = new Notification(title, { body, tag });
    notification.onclick = () => {
      window.focus();
      notification.close();
    };
    return notification;
  } catch {
    // Some browsers allow notifications only from a service worker.
    return null;
  }
}

const inFront = (): boolean => document.visibilityState === 'visible' && document.hasFocus();

/** See the module description. */
export function useJoinAlert(session: SessionView | null): void {
  const { t } = useTranslation();
  const message = joinedMessage(t, session);

  useEffect(() => {
    if (!message) return;
    const pageTitle = document.title;
    document.title = alertTitle(t, message, pageTitle);
    return () => {
      document.title = pageTitle;
    };
  }, [t, message]);

  const previous = useRef<SessionView | null>(null);
  const shown = useRef<Notification | null>(null);
  useEffect(() => {
    const before = previous.current;
    previous.current = session;
    if (message && sharerJustJoined(before, session) && !inFront()) {
      shown.current = notify(message, t('helper.alert.body'), `remote-help-${session?.id ?? ''}`);
    }
  }, [session, message, t]);

  // The notification is about the moment of joining: gone once the helper has moved on.
  useEffect(() => {
    if (message) return;
    shown.current?.close();
    shown.current = null;
  }, [message]);
  useEffect(() => () => shown.current?.close(), []);
}
