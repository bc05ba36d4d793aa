/* The agent window: renders the state the agent streams (Server-Sent Events) and posts
 * commands with the CSRF token. Every /api/ request carries the window key, which the page
 * that spent the launch token is given and keeps in sessionStorage (this origin and port
 * only: the cookie alone, sent to every port of 127.0.0.1, opens nothing). Allow and Open
 * Remote Help never get the focus by themselves and do nothing for a moment after they appear
 * or change (see `arm`). Text comes from the agent's string table and is set with textContent
 * only. No build step. */
/* global document, window, ImageData */
'use strict';

const csrf = document.querySelector('meta[name="rh-csrf"]').getAttribute('content');
/**
 * The window key: in the page that spent the launch token (`/?t=…`, dropped from the address
 * here), then kept in this tab's sessionStorage (a reload of `/` finds it there).
 */
const windowKey = (() => {
  const meta = document.querySelector('meta[name="rh-window"]');
  const given = meta?.getAttribute('content') ?? '';
  meta?.remove();
  if (window.location.search) window.history.replaceState(null, '', '/');
  try {
    if (given) sessionStorage.setItem('rh-window', given);
    return given || sessionStorage.getItem('rh-window') || '';
  } catch {
    return given;
  }
})();
/** A request to the agent with the window key (and any other headers). */
const api = (path, init = {}) =>
  fetch(path, { ...init, headers: { 'x-rh-window': windowKey, ...(init.headers ?? {}) } });
const $ = (id) => document.getElementById(id);
let S = null;
let state = null;
let shownScreen = null;
let drawnPreview = 0;
let previewLoading = false;
let drawnChat = 0;
let chatLoading = false;
/** The newest stored message of the helper already announced (null: nothing loaded yet). */
let announcedSeq = null;
/** The window's language, as the agent set it on `<html lang>`: dates, numbers and plurals follow it. */
const lang = document.documentElement.lang || 'en';
const timeFormat = new Intl.DateTimeFormat(lang, { hour: 'numeric', minute: '2-digit' });
const fullTimeFormat = new Intl.DateTimeFormat(lang, { dateStyle: 'full', timeStyle: 'medium' });
const numberFormat = new Intl.NumberFormat(lang);
const pluralRules = new Intl.PluralRules(lang);
/** Longest chat message, in characters (the agent refuses longer ones). */
const CHAT_MAX = 4000;
/** The screens that show the notice of a revoked enrollment. */
const REVOKED_SCREENS = ['signedOut', 'signingIn', 'enterCode', 'ended'];
/**
 * How long Allow and Open Remote Help do nothing after they appear, after their request changes,
 * after the window comes to the front and after the keyboard moves onto them (as browsers' own
 * permission prompts): a key or click meant for something else, at the moment the helper chose,
 * cannot answer for the sharer.
 */
const CONSENT_DELAY_MS = 800;
/** What the consent buttons on show answer (null: none on show); a change arms them again. */
let consentKey = null;
/** `performance.now()` from which the consent buttons work. */
let consentReadyAt = 0;
/** When they were last armed: a key pressed down before then does not press them. */
let consentArmedAt = 0;
let consentTimer = 0;
/** Keys down now (code → whether pressed while the consent buttons did nothing, or before they were armed). */
const keysDown = new Map();
let pointerDownAt = -Infinity;
/** The arming by the window coming to the front, undone when a click brought it there (that click is meant). */
let focusArm = null;

/**
 * A string of the table with its `{name}` placeholders filled (numbers in the language's digits);
 * with a numeric `count`, the plural form `key_<category>` the language needs.
 */
function t(key, vars = {}) {
  const form = typeof vars.count === 'number' ? `${key}_${pluralRules.select(vars.count)}` : null;
  const text = (form && S[form]) ?? S[key] ?? S[`${key}_other`] ?? key;
  return String(text).replace(/\{(\w+)\}/g, (whole, name) => {
    const value = vars[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? numberFormat.format(value) : String(value);
  });
}

/** The text of an error code (codes the table does not know read as the generic error). */
function errorText(code, retryAfterSeconds = null) {
  if (code === 'rate_limited') return t('errors.rate_limited', { count: retryAfterSeconds ?? 0 });
  if (code === 'message_too_long') return t('errors.message_too_long', { max: CHAT_MAX });
  // The sharer web app of this server: where a desktop the app cannot share (Wayland) gets help instead.
  if (code === 'wayland_session') return t('errors.wayland_session', { url: `${state?.server ?? ''}/share` });
  return S[`errors.${code}`] !== undefined ? t(`errors.${code}`) : t('errors.generic');
}

async function send(command) {
  const response = await api('/api/command', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-rh-csrf': csrf },
    body: JSON.stringify(command),
  });
  if (!response.ok) showError({ code: 'generic', retryAfterSeconds: null });
}

function showError(error) {
  const el = $('error');
  if (!error) {
    el.hidden = true;
    return;
  }
  el.textContent = errorText(error.code, error.retryAfterSeconds);
  el.hidden = false;
}

function renderPerson(helper, screen) {
  const card = $('person');
  const heading = document.querySelector(`section[data-screen="${screen}"] h2`);
  card.hidden = !helper || !['launch', 'trust', 'request'].includes(screen);
  if (card.hidden || !heading) return;
  // The card sits right under the screen's heading ("You are connected to", the request).
  if (card.previousElementSibling !== heading) heading.after(card);
  $('person-name').textContent = helper.displayName;
  $('person-title').textContent = helper.jobTitle ?? '';
  $('person-company').textContent = [helper.company, helper.tenantName].filter(Boolean).join(' · ');
  $('person-email').textContent = helper.email;
  const badge = $('person-verified');
  // Verified only by DNS; a domain the administrator asserted says so, never "verified".
  badge.textContent = helper.verifiedDomain
    ? t('verified', { domain: helper.verifiedDomain })
    : helper.assertedDomain
      ? t('asserted', { domain: helper.assertedDomain })
      : t('unverified', { tenant: helper.tenantName });
  badge.classList.toggle('asserted', !helper.verifiedDomain && Boolean(helper.assertedDomain));
  badge.classList.toggle('unverified', !helper.verifiedDomain && !helper.assertedDomain);
  const photo = $('person-photo');
  // The picture comes through the agent with the user's token: before sign-in (a remote
  // launch) it fails, so fall back to initials and try again once signed in.
  const attempt = state.account ? 'signed-in' : 'signed-out';
  photo.onerror = () => {
    photo.dataset.failedFor = attempt;
    photo.removeAttribute('src');
    photo.hidden = true;
    $('person-initials').hidden = false;
  };
  const failed = photo.dataset.failedFor === attempt;
  if (helper.hasPhoto && !failed && !photo.getAttribute('src') && !photo.dataset.loading)
    void loadPhoto(photo, attempt);
  photo.hidden = !helper.hasPhoto || failed;
  const initials = helper.displayName
    .split(/\s+/)
    .map((part) => part[0] ?? '')
    .join('')
    .slice(0, 2);
  $('person-initials').textContent = initials;
  $('person-initials').hidden = !photo.hidden;
}

/** The photo through the agent (with the window key), shown from a blob: URL; a failure falls back to initials. */
async function loadPhoto(photo, attempt) {
  photo.dataset.loading = '1';
  try {
    const response = await api('/api/photo');
    if (!response.ok) throw new Error(String(response.status));
    photo.src = URL.createObjectURL(await response.blob());
  } catch {
    photo.dataset.failedFor = attempt;
    photo.hidden = true;
    $('person-initials').hidden = false;
  } finally {
    delete photo.dataset.loading;
  }
}

/** Whether `el` answers a request for the sharer: Allow (a request, an upgrade) or Open Remote Help. */
function isConsent(el) {
  return el instanceof window.HTMLButtonElement && (el.classList.contains('allow') || el.id === 'accept-launch');
}

/** What the consent buttons on show would answer, or null when none is on show. */
function consentOf(next) {
  const who = `${next.helper?.displayName ?? ''}|${next.helper?.email ?? ''}`;
  if (next.screen === 'request') return `request|${next.request}|${who}`;
  if (next.screen === 'launch') return `launch|${who}`;
  if (next.screen === 'sharing' && next.request) return `upgrade|${next.request}|${who}`;
  return null;
}

function consentReady() {
  return window.performance.now() >= consentReadyAt;
}

/** Makes the consent buttons do nothing for `CONSENT_DELAY_MS` from now (shown as aria-disabled). */
function arm() {
  const now = window.performance.now();
  focusArm = null;
  consentArmedAt = now;
  consentReadyAt = Math.max(consentReadyAt, now + CONSENT_DELAY_MS);
  renderConsent();
}

function renderConsent() {
  const ready = consentReady();
  for (const button of document.querySelectorAll('button')) {
    if (!isConsent(button)) continue;
    // Not `disabled`: that would drop the focus of a keyboard user who just reached the button.
    if (ready) button.removeAttribute('aria-disabled');
    else button.setAttribute('aria-disabled', 'true');
  }
  if (!ready) {
    window.clearTimeout(consentTimer);
    consentTimer = window.setTimeout(renderConsent, consentReadyAt - window.performance.now() + 20);
  }
}

/** Runs `answer` for a click on a consent button only once it works (pointer and keyboard alike). */
function onConsent(button, answer) {
  button.addEventListener('click', (event) => {
    if (!consentReady() || button.getAttribute('aria-disabled') === 'true') {
      event.preventDefault();
      return;
    }
    answer();
  });
}

function render(next) {
  state = next;
  const name = next.helper?.displayName ?? '';
  const consent = consentOf(next);
  const consentChanged = consent !== consentKey;
  consentKey = consent;
  for (const section of document.querySelectorAll('section[data-screen]')) {
    section.hidden = section.dataset.screen !== next.screen;
  }
  showError(next.error);
  renderPerson(next.helper, next.screen);
  for (const button of document.querySelectorAll('button'))
    button.disabled = next.busy && !['stop-control', 'pause'].includes(button.id);
  if (consent && consentChanged) arm();
  else renderConsent();

  $('signin-text').textContent = t('signInText', { server: next.server });
  $('waiting-text').textContent = t('waitingForRequest', { name });
  const company = next.helper?.company ?? next.helper?.tenantName ?? '';
  $('launch-title').textContent = t('launchTitle', { name, company });
  const requestTitle = next.request === 'control' ? t('requestControl', { name }) : t('requestView', { name });
  for (const el of document.querySelectorAll('.request-title')) el.textContent = requestTitle;
  for (const el of document.querySelectorAll('.request-detail')) el.hidden = next.request !== 'control';
  $('upgrade').hidden = !(next.screen === 'sharing' && next.request);

  const sharing = next.screen === 'sharing';
  $('sharing-bar').hidden = !sharing;
  $('sharing-text').textContent = t('sharingBar', { name });
  $('stop-control').hidden = !(sharing && next.mode === 'control');
  $('mode-text').textContent = next.paused
    ? t('pausedTitle')
    : next.mode === 'control'
      ? next.controlActive
        ? t('modeControl', { name })
        : t('controlPaused')
      : t('modeView', { name });
  $('media-text').textContent =
    next.media === 'connected'
      ? ''
      : next.media === 'failed'
        ? t('connectionProblem', { name })
        : next.media === 'reconnecting'
          ? t('reconnecting', { name })
          : t('connecting', { name });
  // The connection check (see the protocol's connectionCheck): the same digits as the helper's, or someone is between.
  // On the request too when the connection is up before Allow (ADR 0023): compared before anything is shared.
  $('check').hidden = !(sharing && next.connectionCheck);
  $('request-check').hidden = !(next.screen === 'request' && next.connectionCheck);
  for (const el of document.querySelectorAll('.check-digits')) el.textContent = next.connectionCheck ?? '';
  for (const el of document.querySelectorAll('.check-info')) el.textContent = t('checkInfo', { name });
  // Before Allow the way out is Decline, not Stop sharing.
  for (const el of document.querySelectorAll('.check-info-request')) el.textContent = t('checkInfoRequest', { name });
  $('hotkey-text').hidden = !(next.mode === 'control' && next.hotkey) || next.paused;
  $('pause').hidden = !sharing || next.paused;
  $('resume').hidden = !sharing || !next.paused;
  $('paused-card').hidden = !(sharing && next.paused);
  $('paused-text').textContent = t('pausedText', { name });
  $('display-lost-card').hidden = !(sharing && next.displayLost);
  $('display-lost-text').textContent = t('displayLostText', { name });
  $('rejoined-text').hidden = !(sharing && next.rejoined);
  $('rejoined-text').textContent = t('rejoined', { name });
  $('input-unavailable-text').hidden = !(sharing && next.inputUnavailable);
  renderLaser(next.laser);
  if (sharing && next.previewVersion !== drawnPreview) void loadPreview(next.previewVersion);
  $('chat').hidden = next.chatVersion === 0;
  if (next.chatVersion !== 0 && next.chatVersion !== drawnChat) void loadChat(next.chatVersion);

  // Removed from the organization: said wherever the user could start something, not over a session.
  const revoked = next.deviceRevoked;
  $('revoked').hidden = !revoked || !REVOKED_SCREENS.includes(next.screen);
  $('revoked-text').textContent = revoked ? t('revokedText', { organization: revoked.organization }) : '';

  $('ended-text').textContent = next.endReason ? t(`endReasons.${next.endReason}`, { name }) : '';
  $('account').hidden = !next.account;
  $('account-text').textContent = next.account
    ? t('signedInAs', { name: next.account.name ?? next.account.email })
    : '';

  if (next.screen !== shownScreen) {
    shownScreen = next.screen;
    if (next.screen !== 'enterCode') $('code').value = '';
    const section = document.querySelector(`section[data-screen="${next.screen}"]`);
    // Never a consent button (they carry no data-autofocus): the screen's heading, which is read out.
    const target = section?.querySelector('[data-autofocus]') ?? section?.querySelector('h2');
    // Someone writing in the chat keeps writing there; a screen reader hears the request instead.
    const chat = $('chat');
    const writing = !chat.hidden && chat.contains(document.activeElement);
    if (!writing) target?.focus();
    else if (consent) $('announce').textContent = section?.querySelector('h2')?.textContent ?? '';
  }
  if (!consent) $('announce').textContent = '';
}

function renderLaser(laser) {
  const marker = $('laser');
  marker.hidden = !laser;
  if (!laser) {
    $('laser-text').textContent = t('laserOff');
    return;
  }
  marker.style.left = `${(laser.x * 100).toFixed(2)}%`;
  marker.style.top = `${(laser.y * 100).toFixed(2)}%`;
  $('laser-text').textContent = t('laserAt', { x: Math.round(laser.x * 100), y: Math.round(laser.y * 100) });
}

async function loadPreview(version) {
  if (previewLoading) return;
  previewLoading = true;
  try {
    const response = await api('/api/preview');
    if (!response.ok) return;
    const width = Number(response.headers.get('x-preview-width'));
    const height = Number(response.headers.get('x-preview-height'));
    const pixels = new Uint8ClampedArray(await response.arrayBuffer());
    if (pixels.length !== width * height * 4) return;
    const canvas = $('preview');
    canvas.width = width;
    canvas.height = height;
    canvas.getContext('2d').putImageData(new ImageData(pixels, width, height), 0, 0);
    drawnPreview = version;
  } finally {
    previewLoading = false;
    if (state && state.previewVersion !== drawnPreview && state.screen === 'sharing') {
      window.setTimeout(() => void loadPreview(state.previewVersion), 250);
    }
  }
}

async function loadChat(version) {
  if (chatLoading) return;
  chatLoading = true;
  try {
    const response = await api('/api/chat');
    if (!response.ok) return;
    renderChat(await response.json());
    drawnChat = version;
  } finally {
    chatLoading = false;
    if (state && state.chatVersion !== 0 && state.chatVersion !== drawnChat) void loadChat(state.chatVersion);
  }
}

/** Builds an element with a class and text (never HTML). */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The chat: each message's text as text nodes in a dir="auto" block, names and addresses in bidi isolates. */
function renderChat(chat) {
  const list = $('chat-list');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 24;
  const items = [];
  if (chat.messages.length === 0) {
    items.push(el('li', 'muted', chat.loaded ? t('chatEmpty', { name: chat.peerName }) : t('chatLoading')));
  }
  for (const m of chat.messages) {
    const item = el('li', `chat-message${m.mine ? ' mine' : ''}${m.state === 'failed' ? ' failed' : ''}`);
    item.dataset.state = m.state;
    item.dataset.from = m.mine ? 'sharer' : 'helper';
    const meta = el('div', 'chat-meta');
    meta.append(el('bdi', 'chat-sender', m.mine ? t('chatYou') : m.name), ' ');
    const time = el('time', '', timeFormat.format(new Date(m.at)));
    time.dateTime = m.at;
    time.title = fullTimeFormat.format(new Date(m.at));
    meta.append(time);
    if (m.mine) {
      const status = m.state === 'sent' ? t('chatSent') : m.state === 'sending' ? t('chatSending') : t('chatFailed');
      const said = el('span', m.state === 'failed' ? 'failed' : '', ` · ${status}`);
      if (m.state === 'failed') said.textContent += ` ${errorText(m.error)}`;
      meta.append(said);
    }
    const text = el('div', 'chat-text');
    text.dir = 'auto';
    for (const part of m.parts) {
      if (part.kind === 'text') text.append(document.createTextNode(part.text));
      else {
        const address = el('bdi', 'chat-address', part.shown);
        address.dir = 'ltr';
        text.append(address);
      }
    }
    item.append(meta, text);
    if (m.state === 'failed') {
      const actions = el('div', 'actions');
      const retry = el('button', 'button', t('chatRetry'));
      retry.type = 'button';
      retry.addEventListener('click', () => void send({ type: 'chatRetry', clientId: m.clientId }));
      const discard = el('button', 'button', t('chatDiscard'));
      discard.type = 'button';
      discard.addEventListener('click', () => void send({ type: 'chatDiscard', clientId: m.clientId }));
      actions.append(retry, discard);
      item.append(actions);
    }
    items.push(item);
  }
  list.replaceChildren(...items);
  if (atBottom || drawnChat === 0) list.scrollTop = list.scrollHeight;
  $('chat-typing').textContent = chat.peerTyping ? t('chatTyping', { name: `\u2068${chat.peerName}\u2069` }) : '';
  $('chat-form').hidden = chat.readOnly;
  $('chat-readonly').hidden = !chat.readOnly;
  // Screen readers hear what the helper wrote since the last look (not the thread as it was on arrival).
  const incoming = chat.messages.filter((m) => !m.mine && m.seq > 0);
  const newest = incoming.at(-1);
  if (announcedSeq !== null && newest && newest.seq > announcedSeq) {
    const text = newest.parts.map((part) => part.text).join('');
    $('chat-live').textContent = t('chatAnnounce', { name: chat.peerName, text });
  }
  if (newest) announcedSeq = Math.max(announcedSeq ?? 0, newest.seq);
  else if (announcedSeq === null && chat.loaded) announcedSeq = 0;
}

async function sendChat() {
  const input = $('chat-input');
  const text = input.value;
  const response = await api('/api/command', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-rh-csrf': csrf },
    body: JSON.stringify({ type: 'chatSend', text }),
  });
  if (!response.ok) return showError({ code: 'generic', retryAfterSeconds: null });
  const reply = await response.json();
  // Kept when the agent refused it (blank, too long): the error says why.
  if (!reply.state.error && input.value === text) input.value = '';
}

function wire() {
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
  for (const el of document.querySelectorAll('[data-t-label]')) el.setAttribute('aria-label', t(el.dataset.tLabel));
  $('signin').addEventListener('click', () => void send({ type: 'signIn' }));
  $('cancel-signin').addEventListener('click', () => void send({ type: 'cancelSignIn' }));
  $('signout').addEventListener('click', () => void send({ type: 'signOut' }));
  $('code-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const code = $('code').value.replace(/[\s-]/g, '');
    if (!/^\d{8}$/.test(code)) {
      const el = $('error');
      el.textContent = t('codeInvalidFormat');
      el.hidden = false;
      $('code').focus();
      return;
    }
    void send({ type: 'redeem', code });
  });
  for (const el of document.querySelectorAll('.allow')) {
    onConsent(el, () => void send({ type: 'respond', allow: true, mode: state.request }));
  }
  for (const el of document.querySelectorAll('.decline')) {
    el.addEventListener('click', () => void send({ type: 'respond', allow: false, mode: state.request }));
  }
  for (const el of document.querySelectorAll('.leave'))
    el.addEventListener('click', () => void send({ type: 'leave' }));
  $('stop-control').addEventListener('click', () => void send({ type: 'stopControl' }));
  $('pause').addEventListener('click', () => void send({ type: 'pause' }));
  $('resume').addEventListener('click', () => void send({ type: 'resume' }));
  $('stop-sharing').addEventListener('click', () => void send({ type: 'leave' }));
  onConsent($('accept-launch'), () => void send({ type: 'acceptLaunch' }));
  $('dismiss-launch').addEventListener('click', () => void send({ type: 'dismissLaunch' }));
  $('new-session').addEventListener('click', () => void send({ type: 'newSession' }));
  $('chat-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void sendChat();
  });
  $('chat-input').addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    void sendChat();
  });
  $('chat-input').addEventListener('input', () => {
    void send({ type: 'chatTyping', typing: $('chat-input').value.length > 0 });
  });
  $('chat-input').addEventListener('blur', () => void send({ type: 'chatTyping', typing: false }));
  guardConsent();
}

/**
 * The keyboard and the window around the consent buttons: a key held or pressed down before they
 * were armed (auto-repeat, or the Space whose release would press them) does nothing on them; the
 * keyboard arriving on one (Tab) and the window coming to the front arm them again. A click
 * focuses a button too, but a pointer pressed just before says it was not the keyboard.
 */
function guardConsent() {
  const stale = (event) => {
    const down = keysDown.get(event.code);
    return event.repeat || !consentReady() || (down !== undefined && (down.early || down.at < consentArmedAt));
  };
  window.addEventListener(
    'keydown',
    (event) => {
      if (!keysDown.has(event.code))
        keysDown.set(event.code, { at: window.performance.now(), early: isConsent(event.target) && !consentReady() });
      if (isConsent(event.target) && stale(event)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true,
  );
  window.addEventListener(
    'keyup',
    (event) => {
      const blocked = isConsent(event.target) && stale(event);
      keysDown.delete(event.code);
      if (blocked) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true,
  );
  window.addEventListener(
    'pointerdown',
    () => {
      pointerDownAt = window.performance.now();
      // The window came to the front by this click (focus comes just before it): not a surprise.
      if (focusArm && pointerDownAt - focusArm.at < 200) {
        consentReadyAt = focusArm.readyAt;
        consentArmedAt = focusArm.armedAt;
        focusArm = null;
        renderConsent();
      }
    },
    true,
  );
  document.addEventListener('focusin', (event) => {
    if (isConsent(event.target) && window.performance.now() - pointerDownAt > 300) arm();
  });
  window.addEventListener('blur', () => keysDown.clear());
  // The window coming to the front (a new window, Alt+Tab) while the person typed elsewhere.
  window.addEventListener('focus', (event) => {
    if (!consentKey || event.target !== window) return;
    const before = { readyAt: consentReadyAt, armedAt: consentArmedAt };
    arm();
    focusArm = { at: window.performance.now(), ...before };
  });
}

/** The state as Server-Sent Events, read with fetch (EventSource cannot send the window key); reconnects after a second. */
async function follow() {
  for (;;) {
    try {
      const response = await api('/api/events', { headers: { accept: 'text/event-stream' } });
      if (!response.ok || !response.body) throw new Error(String(response.status));
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).replace(/^ /, ''))
            .join('\n');
          if (!data) continue;
          $('disconnected').hidden = true;
          render(JSON.parse(data));
        }
      }
    } catch {
      // shown below; tried again
    }
    $('disconnected').hidden = false;
    await new Promise((resolve) => window.setTimeout(resolve, 1000));
  }
}

async function main() {
  S = await (await api('/api/strings')).json();
  wire();
  // No key: not the page the agent opened (an address typed again, another tab), which it no longer serves.
  if (!windowKey) {
    $('disconnected').hidden = false;
    return;
  }
  void follow();
}

void main();
