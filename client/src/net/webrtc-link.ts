import {
  DATA_CHANNEL_OPTIONS,
  DataChannelLabel,
  decodeSnapshot,
  ErrorCode,
  type GameEventMessage,
  type IceCandidatePayload,
  LinkProbe,
  type LinkProbeMessage,
  type NetworkImpairment,
  parseGameEvent,
  parseLinkProbe,
  type SnapshotMessage,
  WebRtcEvent,
  type WebRtcStatePayload,
} from '@starcatch/shared';
import type { Channel } from 'phoenix';
import { type DataChannelStates, Listeners } from './game-connection.ts';
import { impairDataChannel } from './impaired-link.ts';
import { refusalText } from './refusal-text.ts';
import type { NetTiming } from './timing.ts';

export interface WebRtcLinkOptions {
  /** The joined `user:<id>` channel, which carries the signaling. */
  readonly signaling: Channel;
  readonly timing: NetTiming;
  /**
   * Passed to RTCPeerConnection; empty (no STUN) for local play. The server sends the real ones in
   * the `user:<id>` join reply: see `setIceServers`.
   */
  readonly iceServers?: RTCIceServer[];
  /** `relay` gathers TURN candidates only (the `?relay=1` debug flag, to test a TURN server). */
  readonly iceTransportPolicy?: RTCIceTransportPolicy;
  /** Monotonic ms clock. */
  readonly now?: () => number;
  /** The tab's simulated bad network, applied to both DataChannels (see impaired-link.ts). */
  readonly impairment?: NetworkImpairment;
}

/** One attempt: its peer, channels and the candidates gathered before the answer. */
interface Attempt {
  readonly pc: RTCPeerConnection;
  readonly events: RTCDataChannel;
  readonly state: RTCDataChannel;
  readonly offeredAt: number;
  answered: boolean;
  readonly earlyCandidates: IceCandidatePayload[];
  openTimer: ReturnType<typeof setTimeout>;
  /** When the server peer last sent anything on either channel. */
  heardAt: number;
  /** Checks `heardAt` while the channels are open. */
  silenceTimer: ReturnType<typeof setInterval> | null;
}

/**
 * The browser's side of the WebRTC path: it offers, owns both DataChannels, trickles candidates
 * both ways, and starts over with backoff whenever the peer fails, closes or takes too long.
 *
 * It answers the server's pings on `events`, and gives up on a peer that has sent nothing for
 * `rtcSilenceTimeoutMs`: a wedged server peer can leave Chromium's DataChannels looking open.
 *
 * Signaling messages are handled strictly one after another (a promise chain), so no
 * `addIceCandidate` runs while `setRemoteDescription` is still pending (docs/webrtc.md §1); our own
 * candidates wait for the answer, because the server drops candidates for a peer it has not made.
 */
export class WebRtcLink {
  readonly snapshots = new Listeners<SnapshotMessage>();
  readonly events = new Listeners<GameEventMessage>();
  /** Called whenever a channel opens or closes. */
  readonly changes = new Listeners<DataChannelStates>();
  /** The id of every pong the server sends back to our `ping`. */
  readonly pongs = new Listeners<number>();
  bytesIn = 0;
  bytesOut = 0;
  /** Offer → both channels open of the last successful attempt, in ms. */
  lastOpenMs: number | null = null;
  /** Why this link gave up on WebRTC for good (in the player's words); null while it keeps trying. */
  gaveUp: string | null = null;
  readonly #options: WebRtcLinkOptions;
  readonly #now: () => number;
  readonly #refs: number[] = [];
  #attempt: Attempt | null = null;
  #queue: Promise<void> = Promise.resolve();
  #tries = 0;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;
  #iceServers: RTCIceServer[];
  /** ICE server errors already logged (`url code`), so a retrying link logs each one once. */
  readonly #iceErrorsLogged = new Set<string>();

  constructor(options: WebRtcLinkOptions) {
    this.#options = options;
    this.#iceServers = options.iceServers ?? [];
    this.#now = options.now ?? (() => performance.now());
    const { signaling } = options;
    this.#refs.push(
      signaling.on(WebRtcEvent.answer, (payload: RTCSessionDescriptionInit) => this.#answered(payload)),
      signaling.on(WebRtcEvent.ice, (payload: IceCandidatePayload) => this.#remoteCandidate(payload)),
      signaling.on(WebRtcEvent.state, (payload: WebRtcStatePayload) => {
        // Only once answered: the server closes the previous peer when our new offer arrives, and
        // that report comes before the answer; it must not tear down the attempt that replaced it.
        if (!this.#attempt?.answered) return;
        if (payload.state !== 'failed' && payload.state !== 'closed') return;
        // Another tab of this user took the last WebRTC slot: offering again would push out theirs.
        if (payload.reason === ErrorCode.tooManyPeers) {
          this.#giveUp(refusalText('webrtc', payload.reason, 'Playing over the WebSocket.'));
          return;
        }
        // The room is simulated on another server node: offer again at once, the peer is made there.
        if (payload.reason === ErrorCode.peerMoved) this.#tries = 0;
        this.#restart(`server peer ${payload.state}${payload.reason ? ` (${payload.reason})` : ''}`);
      }),
    );
  }

  get channels(): DataChannelStates {
    const attempt = this.#attempt;
    return {
      events: attempt?.events.readyState === 'open',
      state: attempt?.state.readyState === 'open',
    };
  }

  get isOpen(): boolean {
    const { events, state } = this.channels;
    return events && state;
  }

  /** Offers, unless an attempt is under way or waiting for its retry, or the link gave up. */
  start(): void {
    if (this.#closed || this.gaveUp !== null || this.#attempt !== null || this.#retryTimer !== null) return;
    this.#offer();
  }

  /**
   * The ICE servers of the next attempts (each `user:<id>` join reply brings them, with fresh TURN
   * credentials); an open peer keeps the ones it was made with.
   */
  setIceServers(servers: RTCIceServer[]): void {
    this.#iceServers = servers;
  }

  /** Sends `{type: 'ping', id}` on `events` (the server pongs it at once); false when it is not open. */
  ping(id: number): boolean {
    const channel = this.#attempt?.events;
    if (channel?.readyState !== 'open') return false;
    this.#sendEvent(channel, { type: LinkProbe.ping, id });
    return true;
  }

  /** Sends one INPUT message on `state`; false when the channel is not open. */
  send(bytes: Uint8Array<ArrayBuffer>): boolean {
    const channel = this.#attempt?.state;
    if (channel?.readyState !== 'open') return false;
    channel.send(bytes);
    this.bytesOut += bytes.byteLength;
    return true;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#teardown();
    this.#options.signaling.push(WebRtcEvent.close, {});
    const { signaling } = this.#options;
    signaling.off(WebRtcEvent.answer, this.#refs[0]);
    signaling.off(WebRtcEvent.ice, this.#refs[1]);
    signaling.off(WebRtcEvent.state, this.#refs[2]);
    this.snapshots.clear();
    this.events.clear();
    this.changes.clear();
    this.pongs.clear();
  }

  #serially(task: () => Promise<void>): void {
    this.#queue = this.#queue.then(task).catch((error: unknown) => {
      console.warn('[starcatch] WebRTC signaling step failed', error);
    });
  }

  #offer(): void {
    const pc = new RTCPeerConnection({
      iceServers: this.#iceServers,
      iceTransportPolicy: this.#options.iceTransportPolicy ?? 'all',
    });
    let events = pc.createDataChannel(DataChannelLabel.events, DATA_CHANNEL_OPTIONS.events);
    let state = pc.createDataChannel(DataChannelLabel.state, DATA_CHANNEL_OPTIONS.state);
    const { impairment } = this.#options;
    if (impairment) {
      events = impairDataChannel(events, impairment);
      state = impairDataChannel(state, impairment);
    }
    state.binaryType = 'arraybuffer';
    const attempt: Attempt = {
      pc,
      events,
      state,
      offeredAt: this.#now(),
      answered: false,
      earlyCandidates: [],
      openTimer: setTimeout(
        () => this.#restart('channels did not open in time'),
        this.#options.timing.rtcOpenTimeoutMs,
      ),
      heardAt: this.#now(),
      silenceTimer: null,
    };
    this.#attempt = attempt;
    const current = () => this.#attempt === attempt;

    pc.onicecandidate = ({ candidate }) => {
      if (!current() || candidate === null || candidate.candidate === '') return;
      const payload = candidate.toJSON() as IceCandidatePayload;
      if (attempt.answered) this.#pushCandidate(payload);
      else attempt.earlyCandidates.push(payload);
    };
    // A TURN server that refuses our credentials is said once, plainly: without the relay this peer
    // may never connect, and the game stays on the WebSocket.
    pc.onicecandidateerror = (event) => {
      if (current()) this.#iceServerError(event);
    };
    pc.onconnectionstatechange = () => {
      if (current() && (pc.connectionState === 'failed' || pc.connectionState === 'closed')) {
        this.#restart(`peer ${pc.connectionState}`);
      }
    };
    for (const channel of [events, state]) {
      channel.onopen = () => current() && this.#channelChanged();
      channel.onclose = () => current() && this.#restart(`${channel.label} channel closed`);
    }
    state.onmessage = ({ data }) => {
      if (!(data instanceof ArrayBuffer)) return;
      attempt.heardAt = this.#now();
      this.bytesIn += data.byteLength;
      const decoded = decodeSnapshot(data);
      if (decoded.ok) this.snapshots.emit(decoded.value);
    };
    events.onmessage = ({ data }) => {
      if (typeof data !== 'string') return;
      attempt.heardAt = this.#now();
      this.bytesIn += data.length;
      let raw: unknown;
      try {
        raw = JSON.parse(data);
      } catch {
        return;
      }
      const probe = parseLinkProbe(raw);
      if (probe) {
        if (probe.type === LinkProbe.ping) this.#sendEvent(events, { type: LinkProbe.pong, id: probe.id });
        else this.pongs.emit(probe.id);
        return;
      }
      const parsed = parseGameEvent(raw);
      if (parsed.ok) this.events.emit(parsed.event);
    };

    this.#serially(async () => {
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      if (!current()) return;
      this.#options.signaling
        .push(WebRtcEvent.offer, { sdp: offer.sdp ?? '', type: 'offer' })
        .receive('error', () => current() && this.#restart('offer refused'))
        .receive('timeout', () => current() && this.#restart('offer not answered'));
    });
  }

  #answered(answer: RTCSessionDescriptionInit): void {
    const attempt = this.#attempt;
    if (attempt === null || attempt.answered) return;
    this.#serially(async () => {
      if (this.#attempt !== attempt) return;
      await attempt.pc.setRemoteDescription(answer);
      attempt.answered = true;
      for (const candidate of attempt.earlyCandidates.splice(0)) this.#pushCandidate(candidate);
    });
  }

  #remoteCandidate(candidate: IceCandidatePayload): void {
    const attempt = this.#attempt;
    if (attempt === null) return;
    this.#serially(async () => {
      if (this.#attempt !== attempt || !attempt.answered) return;
      await attempt.pc.addIceCandidate(candidate);
    });
  }

  #sendEvent(channel: RTCDataChannel, message: LinkProbeMessage): void {
    if (channel.readyState !== 'open') return;
    const text = JSON.stringify(message);
    channel.send(text);
    this.bytesOut += text.length;
  }

  #iceServerError({ url, errorCode, errorText }: RTCPeerConnectionIceErrorEvent): void {
    const key = `${url} ${errorCode}`;
    if (this.#iceErrorsLogged.has(key)) return;
    this.#iceErrorsLogged.add(key);
    if (errorCode === 401 || errorCode === 403 || errorCode === 441) {
      console.warn(
        `[starcatch] ICE server ${url} refused our credentials (${errorCode} ${errorText}): no relay, so WebRTC may not connect; playing over the WebSocket meanwhile (server operators: TURN_SECRET must equal the TURN server's static-auth-secret)`,
      );
    } else {
      // 701 (no answer from that server, often on one network interface only) is common and harmless.
      console.info(`[starcatch] ICE server ${url}: ${errorCode} ${errorText}`);
    }
  }

  #pushCandidate(candidate: IceCandidatePayload): void {
    this.#options.signaling.push(WebRtcEvent.ice, candidate);
  }

  #channelChanged(): void {
    const attempt = this.#attempt;
    if (attempt !== null && this.isOpen) {
      clearTimeout(attempt.openTimer);
      this.#tries = 0;
      this.lastOpenMs = this.#now() - attempt.offeredAt;
      attempt.heardAt = this.#now();
      this.#watchSilence(attempt);
      console.log(`[starcatch] WebRTC offer → both DataChannels open: ${this.lastOpenMs.toFixed(0)} ms`);
    }
    this.changes.emit(this.channels);
  }

  #watchSilence(attempt: Attempt): void {
    if (attempt.silenceTimer !== null) return;
    const limit = this.#options.timing.rtcSilenceTimeoutMs;
    attempt.silenceTimer = setInterval(
      () => {
        if (this.#attempt === attempt && this.#now() - attempt.heardAt > limit) this.#restart('server peer silent');
      },
      Math.max(250, limit / 4),
    );
  }

  #teardown(): void {
    const attempt = this.#attempt;
    if (attempt === null) return;
    this.#attempt = null;
    clearTimeout(attempt.openTimer);
    if (attempt.silenceTimer !== null) clearInterval(attempt.silenceTimer);
    attempt.pc.onicecandidate = null;
    attempt.pc.onicecandidateerror = null;
    attempt.pc.onconnectionstatechange = null;
    for (const channel of [attempt.events, attempt.state]) {
      channel.onopen = null;
      channel.onclose = null;
      channel.onmessage = null;
    }
    attempt.pc.close();
  }

  /** Stays on the WebSocket for the rest of the session; the server has closed its peer already. */
  #giveUp(notice: string): void {
    console.info(`[starcatch] ${notice}`);
    this.gaveUp = notice;
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#teardown();
    this.changes.emit(this.channels);
  }

  #restart(reason: string): void {
    if (this.#closed || this.#attempt === null) return;
    console.warn(`[starcatch] WebRTC down (${reason}); playing over the WebSocket meanwhile`);
    this.#teardown();
    // Tell the server at once: it may not notice a closed browser peer for a while, and would
    // route snapshots into it instead of the WebSocket until then.
    this.#options.signaling.push(WebRtcEvent.close, {});
    this.changes.emit(this.channels);
    this.#tries++;
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (!this.#closed) this.#offer();
    }, this.#options.timing.rtcRetryAfterMs(this.#tries));
  }
}
