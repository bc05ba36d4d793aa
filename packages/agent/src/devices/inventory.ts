/**
 * @module devices/inventory
 * The facts the agent reports at enrollment and check-in. Each fact is read on its own
 * and becomes null when it cannot be known without more privilege than the agent has:
 * compliance policies treat null as "not evaluated", never as "compliant".
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { promisify } from 'node:util';
import type { Inventory } from '@remote-help/protocol';
import { Inventory as InventorySchema } from '@remote-help/protocol';
import type { PlatformAdapter } from '../platform/types.js';
import { agentVersion } from '../version.js';

const run = promisify(execFile);

async function text(path: string): Promise<string | null> {
  try {
    const value = (await readFile(path, 'utf8')).trim();
    return value || null;
  } catch {
    return null;
  }
}

async function command(file: string, args: string[]): Promise<{ code: number; out: string } | null> {
  try {
    const { stdout } = await run(file, args, { timeout: 3000 });
    return { code: 0, out: stdout.trim() };
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string };
    if (typeof e.code === 'number') return { code: e.code, out: (e.stdout ?? '').trim() };
    return null; // not installed
  }
}

/** `KEY=value` lines of /etc/os-release. */
export function parseOsRelease(content: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of content.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m?.[1]) out[m[1]] = (m[2] ?? '').replace(/^"(.*)"$/, '$1');
  }
  return out;
}

const VM_VENDORS = /qemu|kvm|vmware|virtualbox|innotek|xen|microsoft corporation|parallels|bochs|amazon ec2|google/i;

async function linuxInventory(screenCount: number): Promise<Inventory> {
  const release = parseOsRelease((await text('/etc/os-release')) ?? '');
  const virt = await command('systemd-detect-virt', []);
  const vendor = await text('/sys/class/dmi/id/sys_vendor');
  const cpu = (await text('/proc/cpuinfo')) ?? '';
  const isVirtualMachine = virt
    ? virt.out !== 'none' && virt.code === 0
    : vendor
      ? VM_VENDORS.test(vendor) || /\bhypervisor\b/.test(cpu)
      : /\bhypervisor\b/.test(cpu) || null;
  const blocks = await command('lsblk', ['-rno', 'TYPE,MOUNTPOINT']);
  const diskEncrypted = blocks && blocks.code === 0 ? /^crypt\b/m.test(blocks.out) : null;
  return {
    hostname: hostname(),
    os: 'linux',
    osVersion: release['PRETTY_NAME'] ?? release['VERSION_ID'] ?? null,
    model: await text('/sys/class/dmi/id/product_name'),
    serial: await text('/sys/class/dmi/id/product_serial'),
    isVirtualMachine: typeof isVirtualMachine === 'boolean' ? isVirtualMachine : null,
    diskEncrypted,
    firewallEnabled: null, // reading nftables/iptables rules needs root; not evaluated
    screenCount,
    agentVersion: agentVersion(),
  };
}

/** UNTESTED: written from Apple's documented command-line tools, never run here. */
async function macInventory(screenCount: number): Promise<Inventory> {
  const version = await command('sw_vers', ['-productVersion']);
  const model = await command('sysctl', ['-n', 'hw.model']);
  const vmm = await command('sysctl', ['-n', 'kern.hv_vmm_present']);
  const vault = await command('fdesetup', ['status']);
  const firewall = await command('/usr/libexec/ApplicationFirewall/socketfilterfw', ['--getglobalstate']);
  const ioreg = await command('ioreg', ['-rd1', '-c', 'IOPlatformExpertDevice']);
  const serial = ioreg ? (/"IOPlatformSerialNumber" = "([^"]+)"/.exec(ioreg.out)?.[1] ?? null) : null;
  return {
    hostname: hostname(),
    os: 'macos',
    osVersion: version?.out || null,
    model: model?.out || null,
    serial,
    isVirtualMachine: vmm ? vmm.out === '1' : null,
    diskEncrypted: vault ? /FileVault is On/.test(vault.out) : null,
    firewallEnabled: firewall ? /enabled/i.test(firewall.out) : null,
    screenCount,
    agentVersion: agentVersion(),
  };
}

/** Collects the inventory of this machine; the result always passes the protocol schema. */
export async function collectInventory(
  screenCount: number,
  platform: NodeJS.Platform = process.platform,
): Promise<Inventory> {
  const inventory = platform === 'darwin' ? await macInventory(screenCount) : await linuxInventory(screenCount);
  const clip = (v: string | null, n: number) => (v === null ? null : v.slice(0, n));
  return InventorySchema.parse({
    ...inventory,
    hostname: clip(inventory.hostname, 255),
    osVersion: clip(inventory.osVersion, 64),
    model: clip(inventory.model, 128),
    serial: clip(inventory.serial, 128),
    screenCount: Math.min(16, Math.max(0, screenCount)),
  });
}

/**
 * How many displays this machine has, for its inventory (0 when they cannot be listed). Through the platform's
 * own count where it has one (Linux: the X server's outputs, XWayland's included), else through a capture.
 */
export async function displayCount(platform: PlatformAdapter): Promise<number> {
  try {
    if (platform.countDisplays) return await platform.countDisplays();
    const screen = await platform.openScreenSource();
    try {
      return (await screen.listDisplays()).length;
    } finally {
      await screen.close();
    }
  } catch {
    return 0;
  }
}
