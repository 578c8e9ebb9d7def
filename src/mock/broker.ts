// The broker's session table: one live session per clientId (a new CONNECT closes the old one),
// downlink fan-out to matching subscriptions, drops, and re-arming expiry when the clock moves.
import type { Socket } from 'node:net';
import { InOrder } from './in-order';
import { MqttSession, type SessionHost } from './mqtt-session';

export interface SessionEvents {
  connect(s: MqttSession): void;
  disconnect(s: MqttSession, reason: string): void;
}

export class Broker {
  readonly byClientId = new Map<string, MqttSession>();
  private readonly host: SessionHost;

  constructor(base: Omit<SessionHost, 'attach' | 'detach' | 'verdicts' | 'mayTakeOver'>, private readonly events: SessionEvents) {
    // The host object is extended in place so its live fields (faults, registry()) stay shared.
    this.host = Object.assign(base, {
      attach: (s: MqttSession) => this.attach(s),
      mayTakeOver: (clientId: string, connectorId: string) => {
        const old = this.byClientId.get(clientId);
        return !old || (old.auth === 'secret' && old.connectorId === connectorId);
      },
      detach: (s: MqttSession, reason: string) => this.detach(s, reason),
      verdicts: new InOrder(),
    });
  }

  /** Takes a new TCP or TLS connection. */
  accept(socket: Socket, transport: 'mqtt' | 'mqtts'): MqttSession {
    return new MqttSession(socket, transport, this.host);
  }

  private attach(s: MqttSession): void {
    const old = this.byClientId.get(s.clientId);
    if (old && old !== s) old.close('session taken over: a new connection with the same clientId');
    this.byClientId.set(s.clientId, s);
    this.events.connect(s);
  }

  private detach(s: MqttSession, reason: string): void {
    if (this.byClientId.get(s.clientId) === s) this.byClientId.delete(s.clientId);
    this.events.disconnect(s, reason);
  }

  get sessions(): MqttSession[] {
    return [...this.byClientId.values()];
  }

  /** Closes every session (or those speaking for `deviceId`, JWT or uplink secret); returns how many. */
  drop(deviceId?: string, reason = 'fault injection: dropConnections', transport?: 'mqtt' | 'mqtts'): number {
    let n = 0;
    for (const s of this.sessions) {
      if (deviceId !== undefined && !s.deviceIds.includes(deviceId)) continue;
      if (transport !== undefined && s.transport !== transport) continue;
      s.close(reason);
      n++;
    }
    return n;
  }

  /** Publishes to every session subscribed to the device's downlink topic; returns how many got it. */
  downlink(deviceId: string, payload: Buffer, subTopic: string | undefined, qos: 0 | 1): number {
    let n = 0;
    for (const s of this.sessions) if (s.deliver(deviceId, subTopic, payload, qos)) n++;
    return n;
  }

  rescheduleExpiry(): void {
    for (const s of this.sessions) s.scheduleExpiry();
  }
}
