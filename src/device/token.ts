// The token lifecycle: clock trust, minting (one signature at a time), the pre-mint of the next
// token before the refresh time, and the refresh itself (stop new QoS 1, drain PUBACKs, reconnect).
import { mintJwt } from '../jwt';
import { random } from '../platform';
import type { Signer } from '../sign/signer';
import { clearTimer, later, setTimer, error, type DeviceContext, type Token } from './context';

/** Checks clock trust and steps (emitting clockState); a step drops the tokens. Returns trust. */
export function checkClock(c: DeviceContext): boolean {
  const stepped = c.clock_.stepped();
  const trusted = c.clock_.trusted();
  if (stepped) {
    c.token_ = null; // claims computed on the old clock cannot be trusted either way
    c.next_ = null;
  }
  if (trusted !== c.clockTrusted_ || stepped) {
    c.clockTrusted_ = trusted;
    c.events_.emit('clockState', { trusted, stepped, now: c.clock_.now() });
  }
  if (stepped && trusted && c.state_ === 'connected') refresh(c);
  return trusted;
}

/** Checks the clock every clockCheckMs until stop(). */
export function clockLoop(c: DeviceContext): void {
  checkClock(c);
  if (c.state_ !== 'stopped') setTimer(c, 'clock', c.clockCheckMs_, () => clockLoop(c));
}

/** One signature at a time; callers that arrive while it runs get the same token. */
export function mint(c: DeviceContext, cb: (t: Token | null, err?: unknown) => void): void {
  if (c.mintWaiters_) return void c.mintWaiters_.push(cb);
  c.mintWaiters_ = [cb];
  const now = c.clock_.now();
  const lifetimeS = c.lifetimeS_;
  mintJwt(c.signer_ as Signer, { deviceId: c.deviceId_, kid: c.kid_, audienceBase: c.audienceBase_, lifetimeS, now }, (err, value) => {
    const waiters = c.mintWaiters_ as ((t: Token | null, err?: unknown) => void)[];
    c.mintWaiters_ = null;
    if (err || !value) error(c, err);
    const s = Math.floor(now / 1000);
    const t = err || !value ? null : { value, iat: s, exp: s + lifetimeS };
    for (let i = 0; i < waiters.length; i++) waiters[i](t, err);
  }, (fn) => c.platform_.setTimeout(fn, 0));
}

/** A token with more than 10% of its lifetime left. */
export function tokenUsable(c: DeviceContext, t: Token | null): boolean {
  return !!t && c.clock_.now() < (t.exp - c.lifetimeS_ * 0.1) * 1000;
}

/** Sets the pre-mint and refresh timers of the current token (10% of lifetime left, minus 0-10% jitter). */
export function scheduleRefresh(c: DeviceContext): void {
  const t = c.token_ as Token;
  const at = (t.exp - c.lifetimeS_ * (0.1 + 0.1 * random(c.platform_))) * 1000 - c.clock_.now();
  // Lead bounded by the lifetime, so a short-lived token's successor is not minted in the same second.
  setTimer(c, 'premint', at - Math.min(c.premintLeadMs_, c.lifetimeS_ * 50), () => {
    if (!c.next_) mint(c, (n) => (c.next_ = n));
  });
  setTimer(c, 'refresh', at, () => refresh(c));
}

/**
 * Stop new QoS 1, wait (bounded) for PUBACKs, DISCONNECT; the close reconnects with the next token.
 * Public as device.refresh(): its events follow later, never from inside the call.
 */
export function refresh(c: DeviceContext): void {
  if (!c.jwtMode_ || c.state_ !== 'connected' || c.refreshing_ || !c.session_) return;
  c.refreshing_ = true;
  c.refreshes_++;
  const proceed = () => {
    if (!c.refreshing_) return;
    c.draining_ = true;
    if (c.outbox_.inflight() === 0) finishDrain(c);
    else setTimer(c, 'drain', c.drainTimeoutMs_, () => finishDrain(c));
  };
  if (c.next_ || !checkClock(c)) later(proceed);
  else mint(c, (n) => {
    c.next_ = n;
    proceed();
  });
}

/** The drain is over (PUBACKs in, or its timeout): switch to the next token and disconnect. */
export function finishDrain(c: DeviceContext): void {
  clearTimer(c, 'drain');
  c.draining_ = false;
  if (!c.session_ || !c.refreshing_) return;
  const oldExp = c.token_ ? c.token_.exp : null;
  if (c.next_) c.token_ = c.next_;
  c.next_ = null;
  c.events_.emit('tokenRefreshed', { previousExp: oldExp, exp: c.token_ ? c.token_.exp : null });
  // A handler may have stopped the device (which closed the session): nothing left to do.
  if (!c.session_ || !c.refreshing_) return;
  // The new token is ready: disconnecting now means the offline gap is one reconnect.
  c.reconnectNow_ = true;
  c.session_.disconnect();
}
