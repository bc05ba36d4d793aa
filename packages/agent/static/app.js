/* The agent window: renders the state the agent streams (Server-Sent Events) and posts
 * commands with the CSRF token. Text comes from the agent's string table and is set
 * with textContent only. No build step. */
/* global document, window, EventSource, ImageData */
'use strict';

const csrf = document.querySelector('meta[name="rh-csrf"]').getAttribute('content');
const $ = (id) => document.getElementById(id);
let S = null;
let state = null;
let shownScreen = null;
let drawnPreview = 0;
let previewLoading = false;

/** Fills `{name}` placeholders of a string from the table. */
function t(key, vars = {}) {
  const text = key.split('.').reduce((table, part) => (table ? table[part] : undefined), S) ?? key;
  return String(text).replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
}

async function send(command) {
  const response = await fetch('/api/command', {
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
  const message = S.errors[error.code] ?? S.errors.generic;
  el.textContent = message.replace('{seconds}', String(error.retryAfterSeconds ?? ''));
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
  badge.textContent = helper.verifiedDomain
    ? t('verified', { domain: helper.verifiedDomain })
    : t('unverified', { tenant: helper.tenantName });
  badge.classList.toggle('unverified', !helper.verifiedDomain);
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
  if (helper.hasPhoto && !failed && !photo.getAttribute('src')) photo.src = '/api/photo';
  photo.hidden = !helper.hasPhoto || failed;
  const initials = helper.displayName
    .split(/\s+/)
    .map((part) => part[0] ?? '')
    .join('')
    .slice(0, 2);
  $('person-initials').textContent = initials;
  $('person-initials').hidden = !photo.hidden;
}

function render(next) {
  state = next;
  const name = next.helper?.displayName ?? '';
  for (const section of document.querySelectorAll('section[data-screen]')) {
    section.hidden = section.dataset.screen !== next.screen;
  }
  showError(next.error);
  renderPerson(next.helper, next.screen);
  for (const button of document.querySelectorAll('button')) button.disabled = next.busy && button.id !== 'stop-control';

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
  $('mode-text').textContent =
    next.mode === 'control'
      ? next.controlActive
        ? t('modeControl', { name })
        : t('controlPaused')
      : t('modeView', { name });
  $('media-text').textContent =
    next.media === 'connected'
      ? ''
      : next.media === 'failed'
        ? t('connectionProblem', { name })
        : t('connecting', { name });
  $('hotkey-text').hidden = !(next.mode === 'control' && next.hotkey);
  renderLaser(next.laser);
  if (sharing && next.previewVersion !== drawnPreview) void loadPreview(next.previewVersion);

  $('ended-text').textContent = next.endReason ? t(`endReasons.${next.endReason}`, { name }) : '';
  $('account').hidden = !next.account;
  $('account-text').textContent = next.account
    ? t('signedInAs', { name: next.account.name ?? next.account.email })
    : '';

  if (next.screen !== shownScreen) {
    shownScreen = next.screen;
    if (next.screen !== 'enterCode') $('code').value = '';
    const section = document.querySelector(`section[data-screen="${next.screen}"]`);
    const target = section?.querySelector('[data-autofocus]') ?? section?.querySelector('h2');
    target?.focus();
  }
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
    const response = await fetch('/api/preview');
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
    el.addEventListener('click', () => void send({ type: 'respond', allow: true, mode: state.request }));
  }
  for (const el of document.querySelectorAll('.decline')) {
    el.addEventListener('click', () => void send({ type: 'respond', allow: false, mode: state.request }));
  }
  for (const el of document.querySelectorAll('.leave'))
    el.addEventListener('click', () => void send({ type: 'leave' }));
  $('stop-control').addEventListener('click', () => void send({ type: 'stopControl' }));
  $('stop-sharing').addEventListener('click', () => void send({ type: 'leave' }));
  $('accept-launch').addEventListener('click', () => void send({ type: 'acceptLaunch' }));
  $('dismiss-launch').addEventListener('click', () => void send({ type: 'dismissLaunch' }));
  $('new-session').addEventListener('click', () => void send({ type: 'newSession' }));
}

async function main() {
  S = await (await fetch('/api/strings')).json();
  wire();
  const events = new EventSource('/api/events');
  events.onmessage = (event) => {
    $('disconnected').hidden = true;
    render(JSON.parse(event.data));
  };
  events.onerror = () => {
    $('disconnected').hidden = false;
  };
}

void main();
