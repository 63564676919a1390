/**
 * Guards the handshake parts of patches/werift@0.25.2.patch (docs/webrtc.md §9, §10). First: werift's DTLS ECDHE (X25519 and
 * P-256) runs on node:crypto instead of tweetnacl and @noble/curves, with the same byte formats.
 * The key functions are not exported, so they are checked in werift's CommonJS copy (loaded by
 * path); the bundled ESM copy, the one that runs, is checked by real handshakes forced onto each
 * curve, and by its imports. Then: a ClientHello that arrives before the DTLS server has started
 * is kept, not lost to a 500 ms retransmit.
 */
import { webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NamedCurveAlgorithm, NamedCurveAlgorithmList, type RTCDataChannel, type RTCPeerConnection } from 'werift';
import { isLoopback, loopbackPeerConnection } from '../support/loopback-offerer.ts';

const require = createRequire(import.meta.url);
/** werift's package directory (its CommonJS main is lib/webrtc/src/index.js). */
const weriftRoot = join(dirname(require.resolve('werift')), '../../..');

interface KeyPair {
  readonly curve: number;
  readonly privateKey: Buffer;
  readonly publicKey: Buffer;
}
const { generateKeyPair } = require(join(weriftRoot, 'lib/dtls/src/cipher/namedCurve.js')) as {
  generateKeyPair(curve: number): KeyPair;
};
const { prfPreMasterSecret } = require(join(weriftRoot, 'lib/dtls/src/cipher/prf.js')) as {
  prfPreMasterSecret(publicKey: Buffer, privateKey: Buffer, curve: number): Buffer;
};

const X25519 = NamedCurveAlgorithm.x25519_29;
const P256 = NamedCurveAlgorithm.secp256r1_23;
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

/** The shared secret by another route: WebCrypto's deriveBits on JWK-imported keys. */
async function independentSecret(curve: number, own: KeyPair, peerPublicKey: Buffer): Promise<Buffer> {
  const { subtle } = webcrypto;
  if (curve === X25519) {
    const privateKey = await subtle.importKey(
      'jwk',
      { kty: 'OKP', crv: 'X25519', d: b64(own.privateKey), x: b64(own.publicKey) },
      { name: 'X25519' },
      false,
      ['deriveBits'],
    );
    const publicKey = await subtle.importKey('raw', peerPublicKey, { name: 'X25519' }, false, []);
    return Buffer.from(await subtle.deriveBits({ name: 'X25519', public: publicKey }, privateKey, 256));
  }
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    d: b64(own.privateKey),
    x: b64(own.publicKey.subarray(1, 33)),
    y: b64(own.publicKey.subarray(33, 65)),
  };
  const params = { name: 'ECDH', namedCurve: 'P-256' };
  const privateKey = await subtle.importKey('jwk', jwk, params, false, ['deriveBits']);
  const publicKey = await subtle.importKey('raw', peerPublicKey, params, false, []);
  return Buffer.from(await subtle.deriveBits({ name: 'ECDH', public: publicKey }, privateKey, 256));
}

describe('werift ECDHE key functions (patched: node:crypto)', () => {
  it.each([
    ['X25519', X25519, 32],
    ['P-256', P256, 65],
  ])(
    '%s: raw key formats, and both sides reach the secret an independent computation gets',
    async (_name, curve, publicLength) => {
      for (let i = 0; i < 10; i++) {
        const a = generateKeyPair(curve);
        const b = generateKeyPair(curve);
        expect([a.curve, a.privateKey.length, a.publicKey.length]).toEqual([curve, 32, publicLength]);
        if (curve === P256) expect(a.publicKey[0]).toBe(0x04);
        const secret = prfPreMasterSecret(b.publicKey, a.privateKey, curve);
        expect(secret.length).toBe(32);
        expect(prfPreMasterSecret(a.publicKey, b.privateKey, curve)).toEqual(secret);
        expect(await independentSecret(curve, a, b.publicKey)).toEqual(secret);
        // A private key that did not come from generateKeyPair (a copy) is imported, same result.
        expect(prfPreMasterSecret(b.publicKey, Buffer.from(a.privateKey), curve)).toEqual(secret);
      }
    },
  );

  it('X25519 matches RFC 7748 §6.1', () => {
    const hex = (s: string) => Buffer.from(s, 'hex');
    const alicePrivate = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const bobPublic = hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    expect(prfPreMasterSecret(bobPublic, alicePrivate, X25519).toString('hex')).toBe(
      '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
    );
  });

  it('refuses an X25519 peer key that forces an all-zero secret (tweetnacl returned the zeros)', () => {
    const own = generateKeyPair(X25519);
    expect(() => prfPreMasterSecret(Buffer.alloc(32), own.privateKey, X25519)).toThrow();
  });

  it('refuses a P-256 peer key that is not on the curve', () => {
    const own = generateKeyPair(P256);
    const offCurve = Buffer.concat([Buffer.from([0x04]), Buffer.alloc(64, 1)]);
    expect(() => prfPreMasterSecret(offCurve, own.privateKey, P256)).toThrow();
  });

  it('the bundled ESM copies no longer import tweetnacl or @noble/curves', () => {
    for (const file of ['lib/index.mjs', 'lib/polyfill/index.mjs', 'lib/polyfill/dom.mjs']) {
      const source = readFileSync(join(weriftRoot, file), 'utf8');
      expect(source, file).not.toMatch(/from "tweetnacl"|from "@noble\/curves/);
    }
  });
});

/** werift internals reached after a handshake. */
interface CipherInternals {
  readonly localKeyPair: KeyPair;
  readonly remoteKeyPair: { readonly publicKey: Buffer };
}
const cipherOf = (pc: RTCPeerConnection): CipherInternals =>
  (pc.dtlsTransports[0] as unknown as { dtls: { cipher: CipherInternals } }).dtls.cipher;

const open: RTCPeerConnection[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((pc) => pc.close().catch(() => undefined)));
});

function loopbackPeer(): RTCPeerConnection {
  const pc = loopbackPeerConnection();
  open.push(pc);
  pc.onIceCandidate.subscribe((candidate) => {
    const peer = open[open.indexOf(pc) ^ 1];
    if (candidate?.candidate && isLoopback(candidate.candidate.split(' ')[4])) {
      peer?.addIceCandidate(candidate.toJSON()).catch(() => undefined);
    }
  });
  return pc;
}

/** Two werift peers over loopback; resolves with the first message the answerer receives. */
async function handshake(): Promise<{ offerer: RTCPeerConnection; answerer: RTCPeerConnection; received: string }> {
  const offerer = loopbackPeer();
  const answerer = loopbackPeer();
  const channel = offerer.createDataChannel('events');
  const received = new Promise<string>((resolve) => {
    answerer.onDataChannel.subscribe((remote: RTCDataChannel) => {
      remote.onMessage.subscribe((data) => resolve(data.toString()));
    });
  });
  channel.onopen = () => channel.send('over the new keys');
  await offerer.setLocalDescription(await offerer.createOffer());
  await answerer.setRemoteDescription(offerer.localDescription as NonNullable<RTCPeerConnection['localDescription']>);
  await answerer.setLocalDescription(await answerer.createAnswer());
  await offerer.setRemoteDescription(answerer.localDescription as NonNullable<RTCPeerConnection['localDescription']>);
  return { offerer, answerer, received: await received };
}

describe('werift DTLS handshake on each curve (patched ESM copy)', () => {
  it.each([
    ['X25519', X25519],
    ['P-256', P256],
  ])(
    '%s: a DataChannel opens and both sides hold matching keys',
    async (_name, curve) => {
      // The client offers werift's curve list and the server takes its first entry: offer only one.
      const curves = [...NamedCurveAlgorithmList];
      NamedCurveAlgorithmList.splice(0, NamedCurveAlgorithmList.length, curve);
      try {
        const { offerer, answerer, received } = await handshake();
        expect(received).toBe('over the new keys');
        const [a, b] = [cipherOf(offerer), cipherOf(answerer)];
        expect([a.localKeyPair.curve, b.localKeyPair.curve]).toEqual([curve, curve]);
        expect(a.remoteKeyPair.publicKey).toEqual(b.localKeyPair.publicKey);
        expect(b.remoteKeyPair.publicKey).toEqual(a.localKeyPair.publicKey);
        expect(await independentSecret(curve, a.localKeyPair, b.localKeyPair.publicKey)).toEqual(
          await independentSecret(curve, b.localKeyPair, a.localKeyPair.publicKey),
        );
      } finally {
        NamedCurveAlgorithmList.splice(0, NamedCurveAlgorithmList.length, ...curves);
      }
    },
    15_000,
  );
});

describe('werift DTLS start (patched: early datagrams kept, no 100 ms sleep)', () => {
  it('a ClientHello that arrives before the DTLS server starts is kept, not retransmitted 500 ms later', async () => {
    const offerer = loopbackPeer();
    const answerer = loopbackPeer();
    const channel = offerer.createDataChannel('events');
    const opened = new Promise<number>((resolve) => {
      channel.onopen = () => resolve(performance.now());
    });
    await offerer.setLocalDescription(await offerer.createOffer());
    // werift's offerer is the DTLS server: hold its start for 250 ms after its ICE connects, so the
    // answerer's ClientHello (sent as soon as the answerer's ICE connects) arrives first.
    const server = offerer.dtlsTransports[0] as unknown as { start(): Promise<void> };
    const start = server.start.bind(server);
    let serverStarted = 0;
    server.start = async () => {
      await new Promise((resolve) => setTimeout(resolve, 250));
      serverStarted = performance.now();
      return start();
    };
    await answerer.setRemoteDescription(offerer.localDescription as NonNullable<RTCPeerConnection['localDescription']>);
    await answerer.setLocalDescription(await answerer.createAnswer());
    await offerer.setRemoteDescription(answerer.localDescription as NonNullable<RTCPeerConnection['localDescription']>);
    const openedAt = await opened;
    // Lost, the ClientHello would come again 500 ms after it was first sent: well after this.
    expect(openedAt - serverStarted).toBeLessThan(200);
  }, 15_000);
});
