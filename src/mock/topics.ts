// MQTT topic rules of the platform: each session's own uplink and downlink trees, filter syntax and
// matching (MQTT 3.1.1 section 4.7), and the data-topic name recorded for an uplink.

/** What a session may touch: the roots of its uplink and downlink trees, per device. */
export interface TopicGrant {
  deviceId: string;
  /** e.g. '/up/device/id/{id}' or '/up/{secret}/id/{id}' (and its variant without the leading slash). */
  upRoots: string[];
  downRoots: string[];
  /** The root downlinks are published under for this session. */
  downRoot: string;
}

export function jwtGrant(deviceId: string): TopicGrant {
  return { deviceId, upRoots: ['/up/device/id/' + deviceId], downRoots: ['/down/device/id/' + deviceId], downRoot: '/down/device/id/' + deviceId };
}

export function secretGrant(secret: string, deviceId: string): TopicGrant {
  return {
    deviceId,
    upRoots: ['/up/' + secret + '/id/' + deviceId, 'up/' + secret + '/id/' + deviceId],
    downRoots: ['/down/' + secret + '/id/' + deviceId, 'down/' + secret + '/id/' + deviceId],
    downRoot: '/down/' + secret + '/id/' + deviceId,
  };
}

/** The sub-topic below `root` ('' for the root itself), or null when `topic` is outside the tree. */
export function under(root: string, topic: string): string | null {
  if (topic === root) return '';
  if (topic.length > root.length + 1 && topic.startsWith(root) && topic[root.length] === '/') return topic.slice(root.length + 1);
  return null;
}

/** A topic name in PUBLISH: non-empty, no wildcards, no NUL. */
export function validTopicName(t: string): boolean {
  return t.length > 0 && !/[#+\u0000]/.test(t);
}

/** A subscription filter: '#' only as the whole last level, '+' only as a whole level. */
export function validFilter(f: string): boolean {
  if (!f.length || f.includes('\u0000')) return false;
  const levels = f.split('/');
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i];
    if (l.includes('#') && (l !== '#' || i !== levels.length - 1)) return false;
    if (l.includes('+') && l !== '+') return false;
  }
  return true;
}

/** A filter stays inside a tree when its literal prefix pins the root and wildcards only follow it. */
export function filterInside(root: string, filter: string): boolean {
  if (filter === root) return true;
  if (!filter.startsWith(root + '/')) return false;
  return true; // wildcards can only appear in levels after the root's own levels
}

export function topicMatches(filter: string, topic: string): boolean {
  if (filter === topic) return true;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
