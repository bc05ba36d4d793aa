/**
 * @module test/softAuthenticator
 * A WebAuthn authenticator in software for the server's tests: ES256 keys made with
 * `node:crypto`, "none" attestation, discoverable credentials, a signature counter. It answers
 * the server's JSON options the way a browser would (`RegistrationResponseJSON`,
 * `AuthenticationResponseJSON`), and lets a test lie on purpose: another origin or RP ID, a
 * counter that goes backwards, no user verification. Real browsers are driven by Chromium's
 * virtual authenticator in the e2e journey; this one makes the refusals reachable.
 */
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

const b64url = (bytes: Uint8Array | Buffer): string => Buffer.from(bytes).toString('base64url');

export interface SoftCredential {
  id: string;
  privateKey: KeyObject;
  rpId: string;
  /** The user handle the server gave at registration (base64url). */
  userHandle: string;
  counter: number;
}

/** What a test may change in one answer. */
export interface Lie {
  origin?: string;
  rpId?: string;
  /** The signature counter to report (default: the previous one + 1). */
  counter?: number;
  /** User verified (default true). */
  uv?: boolean;
  /** `create`: answer with this existing credential's id and key instead of a new one. */
  reuse?: SoftCredential;
  /** Answer with this credential (default: the first one the options allow, or the first stored). */
  credential?: SoftCredential;
  /** The user handle to report (default: the credential's). */
  userHandle?: string;
}

interface CreationOptions {
  challenge: string;
  rp: { id?: string };
  user: { id: string };
}

interface RequestOptions {
  challenge: string;
  rpId?: string;
  allowCredentials?: { id: string }[];
}

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];

  constructor(private readonly origin: string) {}

  private clientData(type: string, challenge: string, lie: Lie): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: lie.origin ?? this.origin, crossOrigin: false }));
  }

  private flags(lie: Lie, attested: boolean): number {
    return 0x01 | (lie.uv === false ? 0 : 0x04) | (attested ? 0x40 : 0);
  }

  private static counterBytes(n: number): Buffer {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  }

  /** `navigator.credentials.create()` for these options: a new discoverable ES256 credential. */
  create(options: CreationOptions, lie: Lie = {}): Record<string, unknown> {
    const rpId = lie.rpId ?? options.rp.id ?? new URL(this.origin).hostname;
    const { privateKey, publicKey } = lie.reuse
      ? { privateKey: lie.reuse.privateKey, publicKey: createPublicKey(lie.reuse.privateKey) }
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x ?? '', 'base64url')],
        [-3, Buffer.from(jwk.y ?? '', 'base64url')],
      ]),
    );
    const id = lie.reuse ? Buffer.from(lie.reuse.id, 'base64url') : randomBytes(16);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const authData = Buffer.concat([
      createHash('sha256').update(rpId).digest(),
      Buffer.from([this.flags(lie, true)]),
      SoftAuthenticator.counterBytes(lie.counter ?? 0),
      Buffer.alloc(16),
      idLength,
      id,
      Buffer.from(cose),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Map<string, string>>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, string>()],
        ['authData', authData],
      ]),
    );
    const credential: SoftCredential = {
      id: b64url(id),
      privateKey,
      rpId,
      userHandle: options.user.id,
      counter: lie.counter ?? 0,
    };
    this.credentials.push(credential);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(this.clientData('webauthn.create', options.challenge, lie)),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /** `navigator.credentials.get()` for these options, signed with the credential's key. */
  get(options: RequestOptions, lie: Lie = {}): Record<string, unknown> {
    const allowed = new Set((options.allowCredentials ?? []).map((c) => c.id));
    const credential =
      lie.credential ?? this.credentials.find((c) => !allowed.size || allowed.has(c.id)) ?? this.credentials[0];
    if (!credential) throw new Error('the soft authenticator holds no credential');
    const counter = lie.counter ?? credential.counter + 1;
    credential.counter = Math.max(credential.counter, counter);
    const authData = Buffer.concat([
      createHash('sha256')
        .update(lie.rpId ?? options.rpId ?? credential.rpId)
        .digest(),
      Buffer.from([this.flags(lie, false)]),
      SoftAuthenticator.counterBytes(counter),
    ]);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, lie);
    const signature = sign(
      'sha256',
      Buffer.concat([authData, createHash('sha256').update(clientDataJSON).digest()]),
      credential.privateKey,
    );
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: lie.userHandle ?? credential.userHandle,
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }
}
