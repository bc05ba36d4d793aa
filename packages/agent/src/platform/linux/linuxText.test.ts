/**
 * Integration: text in any script typed through the agent's input path (dispatcher →
 * consent gate → Linux injector → scratch keycodes over XTEST) into a real text field:
 * a `<textarea>` in a headed Chromium on a private Xvfb whose layout is plain US. The
 * field's value is read back from the page.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsentGate } from '../../input/consentGate.js';
import { InputDispatcher } from '../../input/inputDispatcher.js';
import { hasCommand, startXvfb, type Xvfb } from '../../testing/xvfb.js';
import type { InputInjector } from '../types.js';
import { createLinuxPlatform } from './index.js';
import { UNICODE_KEYSYM_BASE } from './textKeysyms.js';
import { closeX11, connectX11, xcall } from './x11.js';

const CHROMIUM = '/usr/bin/chromium';
const missing = ['Xvfb'].filter((t) => !hasCommand(t));
if (!existsSync(CHROMIUM)) missing.push(CHROMIUM);
if (missing.length > 0) console.warn(`${missing.join(', ')} not installed: skipping the X11 text integration tests`);

const none = { shift: false, ctrl: false, alt: false, meta: false };
const TEXT = 'äé中文한국어😀';

describe.skipIf(missing.length > 0)('Typing any language under Xvfb', () => {
  let xvfb: Xvfb;
  let browser: Browser;
  let app: Page;
  let injector: InputInjector;
  let dispatcher: InputDispatcher;
  let seq = 0;
  let closed = false;
  const send = (m: Record<string, unknown>) => dispatcher.handle(JSON.stringify({ ...m, seq: ++seq }));
  const press = (code: string, modifiers = none) => {
    send({ type: 'key', code, down: true, modifiers });
    send({ type: 'key', code, down: false, modifiers });
  };
  const field = () => app.locator('#field');

  beforeAll(async () => {
    xvfb = await startXvfb('1024x600x24');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: false,
      env: { ...process.env, DISPLAY: xvfb.display },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--kiosk',
        '--window-position=0,0',
        '--window-size=1024,600',
      ],
    });
    app = await browser.newPage({ viewport: null });
    await app.setContent(
      '<textarea id="field" style="position:absolute;left:50px;top:50px;width:600px;height:200px"></textarea>',
    );
    const platform = createLinuxPlatform({ display: xvfb.display });
    const source = await platform.openScreenSource();
    const [display] = await source.listDisplays();
    await source.close();
    if (!display) throw new Error('no display');
    injector = await platform.createInputInjector(display);
    const gate = new ConsentGate(injector);
    gate.setSessionMode('control');
    gate.setLocalConsent(true);
    dispatcher = new InputDispatcher(gate, injector);
    // Click into the field, as the helper would (the browser's own bars may sit above the page).
    const target = await app.evaluate(() => {
      const r = document.getElementById('field')!.getBoundingClientRect();
      const top = window.screenY + (window.outerHeight - window.innerHeight);
      return { x: (window.screenX + r.left + r.width / 2) / 1024, y: (top + r.top + r.height / 2) / 600 };
    });
    send({ type: 'pointerButton', button: 0, down: true, ...target });
    send({ type: 'pointerButton', button: 0, down: false, ...target });
    await app.waitForFunction(() => document.activeElement?.id === 'field');
  }, 60_000);

  afterAll(async () => {
    if (!closed) await injector?.close();
    await browser?.close().catch(() => undefined);
    await xvfb?.stop();
  });

  it('refuses text with a control character before typing any of it', async () => {
    expect(send({ type: 'text', text: 'x\u0007y' })).toBe('rejected');
    press('KeyZ');
    await dispatcher.idle();
    await expect.poll(() => field().inputValue()).toBe('z');
    press('Backspace');
    await expect.poll(() => field().inputValue()).toBe('');
  });

  it('types characters the US layout lacks, exactly and in order with the keys around them', async () => {
    press('KeyA');
    expect(send({ type: 'text', text: TEXT })).toBe('injected');
    // These wait for the text to be typed, then follow it.
    press('KeyB');
    send({ type: 'text', text: 'ñ' });
    press('Enter');
    send({ type: 'text', text: `${TEXT}${TEXT}` });
    await dispatcher.idle();
    await expect.poll(() => field().inputValue()).toBe(`a${TEXT}bñ\n${TEXT}${TEXT}`);
    expect(dispatcher.stats()).toMatchObject({ failed: 0, rejected: 1 });
  });

  it('reuses scratch keycodes for more distinct characters than it has, without mixing them up', async () => {
    await app.fill('#field', '');
    // 24 distinct letters twice over, more than the 48 scratch keycodes with what came before.
    const greek = 'αβγδεζηθικλμνξοπρστυφχψωΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ';
    send({ type: 'text', text: greek });
    press('Space');
    send({ type: 'text', text: [...greek].reverse().join('') });
    await dispatcher.idle();
    await expect.poll(() => field().inputValue()).toBe(`${greek} ${[...greek].reverse().join('')}`);
  });

  it('gives the scratch keycodes their own mapping back when closed', async () => {
    const x = await connectX11(xvfb.display);
    const keysyms = async () => {
      const rows = await xcall<number[][]>((cb) =>
        x.client.GetKeyboardMapping(x.min_keycode, x.max_keycode - x.min_keycode + 1, cb),
      );
      return new Set(rows.flat());
    };
    try {
      send({ type: 'text', text: '中ä' });
      await dispatcher.idle();
      const zhong = UNICODE_KEYSYM_BASE + 0x4e2d;
      expect((await keysyms()).has(zhong)).toBe(true);
      await injector.close();
      closed = true;
      const after = await keysyms();
      expect(after.has(zhong)).toBe(false);
      expect(after.has(0xe4)).toBe(false); // ä
    } finally {
      await closeX11(x);
    }
  });
});
