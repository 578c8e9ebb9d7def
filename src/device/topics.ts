// The platform's MQTT topics for both auth modes (design brief, section 1).

export interface Topics {
  up: string;
  /** Prefix of every downlink topic; the subscription is `down + '/#'`. */
  down: string;
}

export function jwtTopics(deviceId: string): Topics {
  return { up: '/up/device/id/' + deviceId, down: '/down/device/id/' + deviceId };
}

export function secretTopics(deviceId: string, uplinkSecret: string): Topics {
  return { up: '/up/' + uplinkSecret + '/id/' + deviceId, down: '/down/' + uplinkSecret + '/id/' + deviceId };
}

/** A data sub-topic: relative, no wildcards, no empty levels. */
export function checkSubTopic(t: string): boolean {
  // Scanned, not a regex: Espruino's regexes have no quantified groups and a [^...]+ there matches ''.
  const levels = t.split('/');
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i];
    if (!l || l.indexOf('#') >= 0 || l.indexOf('+') >= 0 || l.indexOf('\0') >= 0) return false;
  }
  return true;
}
