import { describe, expect, it } from 'vitest';
import { loadPlatform } from './index.js';

describe('loadPlatform', () => {
  it('picks the adapter by platform', async () => {
    expect((await loadPlatform({}, 'linux')).name).toBe('linux');
    expect((await loadPlatform({}, 'darwin')).name).toBe('darwin');
  });

  it('refuses other platforms with a typed error', async () => {
    await expect(loadPlatform({}, 'win32')).rejects.toMatchObject({ reason: 'unsupported_platform' });
    await expect(loadPlatform({}, 'freebsd')).rejects.toMatchObject({ reason: 'unsupported_platform' });
  });

  it('the macOS adapter loads here and reports its missing native modules clearly', async () => {
    const darwin = await loadPlatform({}, 'darwin');
    const missing = { reason: 'native_module_missing', data: { module: '@nut-tree-fork/node-mac-permissions' } };
    await expect(darwin.checkPermissions()).rejects.toMatchObject(missing);
    await expect(darwin.openScreenSource()).rejects.toMatchObject(missing);
  });

  it('the Linux adapter reports a missing X server as display_unavailable', async () => {
    const linux = await loadPlatform({ display: ':4094' }, 'linux');
    await expect(linux.openScreenSource()).rejects.toMatchObject({ reason: 'display_unavailable' });
    const display = { id: 'root', name: 'Screen', bounds: { x: 0, y: 0, width: 10, height: 10 }, primary: true };
    await expect(linux.createInputInjector(display)).rejects.toMatchObject({ reason: 'display_unavailable' });
  });
});
