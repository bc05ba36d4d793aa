import { describe, expect, it } from 'vitest';
import { connectionCheckCode, connectionCheckOf, sdpFingerprint } from './connectionCheck.js';

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

  it('reads the fingerprint an SDP announces, in one spelling whatever the case', () => {
    expect(sdpFingerprint(sdp(H))).toBe(H);
    expect(sdpFingerprint(sdp(H.replace('sha-256', 'SHA-256').toLowerCase()))).toBe(H);
    expect(sdpFingerprint(sdp(H).replace(/a=fingerprint:[^\r]*\r\n/, ''))).toBeNull();
    expect(sdpFingerprint('a=fingerprint:sha-256 not-hex\r\n')).toBeNull();
  });

  it('is known once both descriptions carry a fingerprint', async () => {
    expect(await connectionCheckOf({ sdp: sdp(H) }, null)).toBeNull();
    expect(await connectionCheckOf(null, { sdp: sdp(S) })).toBeNull();
    expect(await connectionCheckOf({ sdp: sdp(H) }, { sdp: 'v=0\r\n' })).toBeNull();
    expect(await connectionCheckOf({ sdp: sdp(H) }, { sdp: sdp(S) })).toBe(
      await connectionCheckOf({ sdp: sdp(S) }, { sdp: sdp(H) }),
    );
  });
});
