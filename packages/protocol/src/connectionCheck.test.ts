import { describe, expect, it } from 'vitest';
import {
  connectionCheckCode,
  connectionCheckOfPeer,
  ConnectionCheckWatch,
  handshakeFingerprints,
  sdpFingerprints,
} from './connectionCheck.js';

const H = 'sha-256 1F:2E:3D:4C:5B:6A:79:88:97:A6:B5:C4:D3:E2:F1:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:01';
const S = 'sha-256 A0:B1:C2:D3:E4:F5:06:17:28:39:4A:5B:6C:7D:8E:9F:A0:B1:C2:D3:E4:F5:06:17:28:39:4A:5B:6C:7D:8E:9F';

/** An SDP as a browser writes it, with the fingerprint at media level. */
const sdp = (fingerprint: string) =>
  [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'c=IN IP4 0.0.0.0',
    'a=ice-ufrag:abcd',
    'a=ice-pwd:abcdefghijklmnopqrstuvwx',
    `a=fingerprint:${fingerprint}`,
    'a=setup:actpass',
    'a=mid:0',
    '',
  ].join('\r\n');

const hex = (f: string) => f.slice('sha-256 '.length);

/** Statistics as Chromium and wrtc report them once DTLS is up (the parts read; others around them). */
const stats = (local: string, remote: string, dtlsState = 'connected') => [
  { id: 'CP1', type: 'candidate-pair', state: 'succeeded' },
  {
    id: 'T01',
    type: 'transport',
    dtlsState,
    localCertificateId: `CF${hex(local)}`,
    remoteCertificateId: `CF${hex(remote)}`,
  },
  { id: `CF${hex(local)}`, type: 'certificate', fingerprint: hex(local), fingerprintAlgorithm: 'sha-256' },
  { id: `CF${hex(remote)}`, type: 'certificate', fingerprint: hex(remote), fingerprintAlgorithm: 'sha-256' },
];
const report = (entries: unknown[]) => new Map(entries.map((e, i) => [String(i), e]));

describe('the connection check', () => {
  it('is the same for both ends, whichever fingerprint is whose: 12 digits in three groups', async () => {
    const helper = await connectionCheckCode(H, S);
    expect(helper).toMatch(/^\d{4} \d{4} \d{4}$/);
    expect(await connectionCheckCode(S, H)).toBe(helper);
  });

  it('is fixed for given fingerprints (agents and browsers of different versions must agree)', async () => {
    expect(await connectionCheckCode('sha-256 AA:BB', 'sha-256 CC:DD')).toBe('8381 2205 7578');
  });

  it('differs between the two sides when someone in the middle replaced the fingerprints', async () => {
    const m1 =
      'sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF';
    const m2 =
      'sha-256 FF:EE:DD:CC:BB:AA:99:88:77:66:55:44:33:22:11:00:FF:EE:DD:CC:BB:AA:99:88:77:66:55:44:33:22:11:00';
    // The helper sees its own H and the middle's m1; the sharer its own S and the middle's m2.
    const helperSees = await connectionCheckCode(H, m1);
    const sharerSees = await connectionCheckCode(S, m2);
    expect(helperSees).not.toBe(sharerSees);
    // Replacing only one of the two is caught as well.
    expect(await connectionCheckCode(H, S)).not.toBe(await connectionCheckCode(S, m2));
  });

  it('reads the two certificates the DTLS handshake used from the statistics, in one spelling', () => {
    expect(handshakeFingerprints(report(stats(H, S)))).toEqual({ local: H, remote: S });
    const lower = stats(H, S).map((e) =>
      e.type === 'certificate'
        ? { ...e, fingerprint: String(e.fingerprint).toLowerCase(), fingerprintAlgorithm: 'SHA-256' }
        : e,
    );
    expect(handshakeFingerprints(report(lower))).toEqual({ local: H, remote: S });
  });

  it('is unknown before the handshake, without both certificates, or with rubbish in their place', () => {
    expect(handshakeFingerprints(report(stats(H, S, 'connecting')))).toBeNull();
    expect(handshakeFingerprints(report([]))).toBeNull();
    expect(handshakeFingerprints(report(stats(H, S).slice(0, 3)))).toBeNull();
    const rubbish = stats(H, S).map((e) => (e.type === 'certificate' ? { ...e, fingerprint: 'not-hex' } : e));
    expect(handshakeFingerprints(report(rubbish))).toBeNull();
    expect(handshakeFingerprints(report([null, 7, 'x', ...stats(H, S)]))).toEqual({ local: H, remote: S });
  });

  it('checks nothing when two connected transports used different certificates', () => {
    const m = 'sha-256 ' + Array.from({ length: 32 }, () => '5A').join(':');
    const second = stats(H, m).map((e) => ({ ...e, id: `2${String(e.id)}` }));
    const transport = second[1] as Record<string, unknown>;
    transport['localCertificateId'] = `2CF${hex(H)}`;
    transport['remoteCertificateId'] = `2CF${hex(m)}`;
    expect(handshakeFingerprints(report([...stats(H, S), ...second]))).toBeNull();
    // The same pair twice (one transport listed under two ids) is still one check.
    const same = stats(H, S).map((e) => ({ ...e, id: `2${String(e.id)}` }));
    (same[1] as Record<string, unknown>)['localCertificateId'] = `2CF${hex(H)}`;
    (same[1] as Record<string, unknown>)['remoteCertificateId'] = `2CF${hex(S)}`;
    expect(handshakeFingerprints(report([...stats(H, S), ...same]))).toEqual({ local: H, remote: S });
  });

  it('gives both ends the same check from their own statistics', async () => {
    const helper = handshakeFingerprints(report(stats(H, S)));
    const sharer = handshakeFingerprints(report(stats(S, H)));
    expect(await connectionCheckCode(helper!.local, helper!.remote)).toBe(
      await connectionCheckCode(sharer!.local, sharer!.remote),
    );
  });

  it('waits for statistics that name the certificates a moment after the connection is up', async () => {
    let calls = 0;
    const remoteDescription = { sdp: sdp(S) };
    const pc = {
      remoteDescription,
      getStats: async () => report(++calls < 3 ? stats(H, S, 'connecting') : stats(H, S)),
    };
    expect(await connectionCheckOfPeer(pc)).toBe(await connectionCheckCode(H, S));
    expect(calls).toBe(3);
    // A connection replaced meanwhile gets no check; a closed one (getStats throws) neither.
    expect(await connectionCheckOfPeer(pc, () => false)).toBeNull();
    const closed = { remoteDescription, getStats: () => Promise.reject(new Error('closed')) };
    expect(await connectionCheckOfPeer(closed)).toBeNull();
  });

  it('waits for the handshake of the current description, and takes the check from the handshake', async () => {
    const renewed = 'sha-256 ' + Array.from({ length: 32 }, () => '7C').join(':');
    // The helper reloaded: its new description announces a new certificate, the old handshake is still listed.
    let calls = 0;
    const pc = {
      remoteDescription: { sdp: sdp(renewed) },
      getStats: async () => report(++calls < 4 ? stats(H, S) : stats(H, renewed)),
    };
    expect(await connectionCheckOfPeer(pc)).toBe(await connectionCheckCode(H, renewed));
    expect(calls).toBe(4);
    // A description with a decoy before the fingerprint the handshake used: the check is the handshake's.
    const decoy = {
      remoteDescription: { sdp: sdp(S).replace('s=-', `s=-\r\na=fingerprint:${H}`) },
      getStats: async () => report(stats(H, S)),
    };
    expect(sdpFingerprints(decoy.remoteDescription.sdp)).toEqual([H, S]);
    expect(await connectionCheckOfPeer(decoy)).toBe(await connectionCheckCode(H, S));
  });

  it('emits the check of the latest update only, and none once the connection is gone', async () => {
    const checks: string[] = [];
    const watch = new ConnectionCheckWatch((check) => checks.push(check));
    const renewed = 'sha-256 ' + Array.from({ length: 32 }, () => '7C').join(':');
    // The first update waits (no handshake yet) and is superseded by a second one for the new peer.
    let calls = 0;
    const slow = {
      remoteDescription: { sdp: sdp(renewed) },
      getStats: async () => report(++calls < 3 ? stats(H, S, 'connecting') : stats(H, renewed)),
    };
    const first = watch.update(slow);
    await watch.update({ remoteDescription: { sdp: sdp(S) }, getStats: async () => report(stats(H, S)) });
    await first;
    expect(checks).toEqual([await connectionCheckCode(H, S)]);
    await watch.update({ remoteDescription: { sdp: sdp(S) }, getStats: async () => report(stats(H, S)) }, () => false);
    expect(checks).toHaveLength(1);
  });
});
