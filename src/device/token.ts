// The token lifecycle: clock trust, minting (one signature at a time), the pre-mint of the next
// token before the refresh time, and the refresh itself (stop new QoS 1, drain PUBACKs, reconnect).
import { mintJwt } from '../jwt';
import { random } from '../platform';
import type { Signer } from '../sign/signer';
import { now, stepped as clockStepped } from './clock';
import { clearTimer, later, setTimer, error, type DeviceContext, type Token } from './context';

/** Checks clock trust and steps (emitting clockState); a step drops the tokens. Returns trust. */
export function checkClock(c: DeviceContext): boolean {
  const stepped = clockStepped(c);
  const trusted = now(c) >= c.notBefore_;
  if (stepped) {
    c.token_ = null; // claims computed on the old clock cannot be trusted either way
    c.next_ = null;
  }
  if (trusted !== c.clockTrusted_ || stepped) {
    c.clockTrusted_ = trusted;
    c.events_.emit('clockState', { trusted, stepped, now: now(c) });
  }
  if (stepped && trusted && c.state_ === 'connected') refresh(c);
  return trusted;
}

/**
 * Checks the clock now, and every clockCheckMs until stop() where there is a monotonic clock to see
 * steps by. Without one (Espruino, Moddable) trust is checked while waiting for it (connection.ts)
 * and before each mint; a periodic check could see nothing more, and one pending timer is ~15
 * variables on Espruino.
 */
export function clockLoop(c: DeviceContext): void {
  checkClock(c);
  if (c.state_ !== 'stopped' && c.platform_.monotonic) setTimer(c, 'clock', c.clockCheckMs_, clockLoop);
}

/** One signature at a time; callers that arrive while it runs get the same token. */
export function mint(c: DeviceContext, cb: (t: Token | null, err?: unknown) => void): void {
  if (c.mintWaiters_) return void c.mintWaiters_.push(cb);
  c.mintWaiters_ = [cb];
  const at = now(c);
  const lifetimeS = c.lifetimeS_;
  mintJwt(c.signer_ as Signer, { deviceId: c.deviceId_, kid: c.kid_, audienceBase: c.audienceBase_, lifetimeS, now: at }, (err, value) => {
    const waiters = c.mintWaiters_ as ((t: Token | null, err?: unknown) => void)[];
    c.mintWaiters_ = null;
    if (err || !value) error(c, err);
    const s = Math.floor(at / 1000);
    const t = err || !value ? null : { value, exp: s + lifetimeS };
    for (let i = 0; i < waiters.length; i++) waiters[i](t, err);
  }, (fn) => c.platform_.setTimeout(fn, 0));
}

/** A token with more than 10% of its lifetime left. */
export function tokenUsable(c: DeviceContext, t: Token | null): boolean {
  return !!t && now(c) < (t.exp - c.lifetimeS_ * 0.1) * 1000;
}

/**
 * Sets the refresh of the current token (10% of lifetime left, minus 0-10% jitter), preceded by
 * the pre-mint of the next one: one timer for both (each pending timer holds ~16 variables on
 * Espruino), the pre-mint's setting the refresh's.
 */
export function scheduleRefresh(c: DeviceContext): void {
  const t = c.token_ as Token;
  const at = (t.exp - c.lifetimeS_ * (0.1 + 0.1 * random(c.platform_))) * 1000 - now(c);
  // Lead bounded by the lifetime, so a short-lived token's successor is not minted in the same second.
  const premintAt = Math.max(0, at - Math.max(0, Math.min(c.premintLeadMs_, c.lifetimeS_ * 50)));
  c.refreshIn_ = at - premintAt;
  setTimer(c, 'refresh', premintAt, premint);
}

/** Mints the next token ahead of the refresh, whose timer it then sets. */
function premint(c: DeviceContext): void {
  setTimer(c, 'refresh', c.refreshIn_, refresh);
  // no token from an untrusted clock; none now if a mint does not fit beside the connection (the
  // signer binding's word: on Espruino, memory): refresh() mints after its disconnect then
  const f = c.platform_.signers.fitsNow;
  if (!c.next_ && (!f || f()) && checkClock(c)) mint(c, (n) => (c.next_ = n));
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
    else setTimer(c, 'drain', c.drainTimeoutMs_, finishDrain);
  };
  const f = c.platform_.signers.fitsNow; // (inline, as in premint(): a function is ~6 variables on Espruino)
  if (c.next_ || !checkClock(c)) later(proceed);
  else if (f && !f()) {
    // short of memory: connectWithToken mints after the disconnect, with the connection's memory free
    c.renew_ = true;
    later(proceed);
  } else mint(c, (n) => {
    c.next_ = n;
    proceed();
  });
}

/** The drain is over (PUBACKs in, or its timeout): switch to the next token and disconnect. */
export function finishDrain(c: DeviceContext): void {
  clearTimer(c, 'drain');
  c.draining_ = false;
  if (!c.session_ || !c.refreshing_) return;
  if (!c.renew_) {
    const oldExp = c.token_ ? c.token_.exp : null;
    if (c.next_) c.token_ = c.next_;
    c.next_ = null;
    c.events_.emit('tokenRefreshed', { previousExp: oldExp, exp: c.token_ ? c.token_.exp : null });
    // A handler may have stopped the device (which closed the session): nothing left to do.
    if (!c.session_ || !c.refreshing_) return;
  }
  // The new token is ready (or, short of memory, is minted next): the offline gap is one reconnect (and that mint).
  c.reconnectNow_ = true;
  c.session_.disconnect();
}
