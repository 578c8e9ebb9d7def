// Espruino's API shapes (2v29), over the QuickJS harness bridge: require('net'|'tls'|'http'|'Wifi'|'crypto'|'Storage'),
// modules uploaded to Storage, setTime/getTime, E.hwRand / E.toUint8Array / E.toString / E.convolve, sockets that carry binary strings. Not Espruino itself:
// the language limits come from deleting globals, the API shapes from here.
(function () {
  function toStr(u) {
    var s = '';
    for (var i = 0; i < u.length; i++) s += String.fromCharCode(u[i]);
    return s;
  }
  function toU8(s) {
    var u = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) u[i] = s.charCodeAt(i) & 255;
    return u;
  }
  // As on Espruino, clearing a timer that already fired (or never existed) throws.
  var live = {};
  globalThis.setTimeout = function (fn, ms) {
    var id = host.setTimeout(function () { delete live[id]; fn(); }, ms || 0);
    live[id] = true;
    return id;
  };
  globalThis.clearTimeout = function (id) {
    if (!live[id]) throw new Error('Unknown Timeout');
    delete live[id];
    host.clearTimeout(id);
  };
  globalThis.E = {
    hwRand: function () {
      var b = host.randomBytes(4);
      return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24));
    },
    toUint8Array: toU8,
    toString: toStr,
    // native in Espruino (the signer's column sums): v = 0; for (i in arr1) v += arr1[i] * arr2[(i + offset) % arr2.length]
    convolve: function (a, b, offset) {
      var v = 0;
      var l = b.length;
      var j = ((offset % l) + l) % l;
      for (var i = 0; i < a.length; i++) {
        v += a[i] * b[j];
        if (++j === l) j = 0;
      }
      return v;
    },
  };
  // Espruino's native btoa/atob (binary strings; QuickJS has neither). Written out here, not
  // bridged to the host, so the bundle's strict checks around them are what the tests exercise.
  var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  globalThis.btoa = function (s) {
    var out = '';
    for (var i = 0; i < s.length; i += 3) {
      var n = (s.charCodeAt(i) << 16) | ((s.charCodeAt(i + 1) || 0) << 8) | (s.charCodeAt(i + 2) || 0);
      out += B64[n >> 18] + B64[(n >> 12) & 63] + (i + 1 < s.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < s.length ? B64[n & 63] : '=');
    }
    return out;
  };
  globalThis.atob = function (s) {
    var out = '';
    var acc = 0;
    var bits = 0;
    for (var i = 0; i < s.length && s[i] !== '='; i++) {
      acc = ((acc << 6) | B64.indexOf(s[i])) & 0xffffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out += String.fromCharCode((acc >> bits) & 255);
      }
    }
    return out;
  };
  function socket(opts, onConnect) {
    var handlers = { data: [], close: [], error: [], end: [], drain: [] };
    var sock;
    var emit = function (ev, arg) {
      for (var i = 0; i < handlers[ev].length; i++) handlers[ev][i](arg);
    };
    var s = host.connect({ host: opts.host, port: opts.port }, {
      onConnect: function () { onConnect(); },
      onData: function (b) { emit('data', toStr(b)); },
      onError: function (m) { emit('error', { type: 'error', message: m }); },
      onClose: function () { emit('close'); },
    });
    // The host takes each write at once: as on Espruino, 'drain' (with the socket) follows on a later turn.
    sock = {
      on: function (ev, fn) { handlers[ev].push(fn); },
      write: function (str) {
        if (typeof str !== 'string') throw new Error('Espruino sockets take strings here');
        s.write(toU8(str));
        setTimeout(function () { emit('drain', sock); }, 0);
      },
      end: function () { s.close(); },
    };
    return sock;
  }
  var modules = {
    net: { connect: socket },
    // The harness bridges plain TCP; what is checked here is what reaches tls.connect.
    tls: { connect: function (opts, cb) { globalThis.__tlsOptions = { host: opts.host, caBytes: opts.ca ? opts.ca.length : 0, caIsDer: !!opts.ca && opts.ca.charCodeAt(0) === 0x30 }; return socket(opts, cb); } },
    crypto: {
      SHA256: function (m) { return __host.hash('sha256', typeof m === 'string' ? toU8(m).buffer : m.buffer.slice(m.byteOffset, m.byteOffset + m.length)); },
      SHA1: function (m) { return __host.hash('sha1', typeof m === 'string' ? toU8(m).buffer : m.buffer.slice(m.byteOffset, m.byteOffset + m.length)); },
    },
    Storage: (function () {
      var files = {};
      var erased = {};
      // Files the harness was given (e.g. an uploaded module) read as binary strings, as Espruino's do.
      var hostFile = function (name) {
        if (erased[name]) return undefined;
        var b = __host.readFile(name);
        return b ? toStr(new Uint8Array(b)) : undefined;
      };
      return {
        readArrayBuffer: function (name) { return __host.readFile(name); },
        read: function (name) { return name in files ? files[name] : hostFile(name); },
        write: function (name, data) { files[name] = String(data); delete erased[name]; return true; },
        erase: function (name) { delete files[name]; erased[name] = true; },
        readJSON: function (name, noExceptions) {
          var t = name in files ? files[name] : hostFile(name);
          if (t === undefined) return undefined;
          try { return JSON.parse(t); } catch (e) { if (noExceptions) return undefined; throw e; }
        },
        writeJSON: function (name, v) { files[name] = JSON.stringify(v); delete erased[name]; return true; },
      };
    })(),
  };

  // ---- For board programs such as examples/espruino-esp32/main.js (the bundle itself needs none of it) ----
  if (typeof console === 'undefined') {
    globalThis.console = {
      log: function () {
        var parts = [];
        for (var i = 0; i < arguments.length; i++) parts.push(typeof arguments[i] === 'string' ? arguments[i] : JSON.stringify(arguments[i]));
        print(parts.join(' '));
      },
    };
  }
  // Espruino's clock: setTime(seconds) sets it, getTime() reads it in seconds. A board boots at 1970;
  // a harness that sets __bootAt1970 before these shims gets that too (the engine test keeps real time).
  var realNow = Date.now;
  var clockOffsetMs = globalThis.__bootAt1970 ? -realNow() : 0;
  Date.now = function () { return realNow() + clockOffsetMs; };
  globalThis.setTime = function (s) { clockOffsetMs = s * 1000 - realNow(); };
  globalThis.getTime = function () { return Date.now() / 1000; };
  // setInterval/clearInterval over the timers above (ids share their space, as on Espruino).
  var intervals = {};
  var nextInterval = 1;
  globalThis.setInterval = function (fn, ms) {
    var id = 'i' + nextInterval++;
    var tick = function () {
      intervals[id] = setTimeout(tick, ms);
      fn();
    };
    intervals[id] = setTimeout(tick, ms);
    return id;
  };
  globalThis.clearInterval = function (id) {
    if (intervals[id] === undefined) throw new Error('Unknown Interval');
    clearTimeout(intervals[id]);
    delete intervals[id];
  };
  // require('Wifi'): joins at once; the test checks what it was asked for.
  modules.Wifi = {
    connect: function (ssid, opts, cb) {
      globalThis.__wifi = { ssid: ssid, hasPassword: !!(opts && opts.password) };
      setTimeout(function () { if (cb) cb(null); }, 10);
    },
    getIP: function (cb) { setTimeout(function () { cb(null, { ip: '127.0.0.1' }); }, 0); },
    setSNTP: function () {},
    on: function () {},
  };
  // require('http').get(url, cb): HTTP/1.0 GET over the TCP bridge; res has statusCode, headers (names
  // as the server sent them) and 'data'/'close' events; the request has an 'error' event.
  modules.http = {
    get: function (url, cb) {
      var errs = [];
      var req = { on: function (ev, fn) { if (ev === 'error') errs.push(fn); return req; } };
      var fail = function (m) { setTimeout(function () { for (var i = 0; i < errs.length; i++) errs[i]({ message: m }); }, 0); };
      var m = /^http:\/\/([^\/:]+)(?::(\d+))?(\/.*)?$/.exec(url);
      if (!m) { fail('unsupported URL ' + url); return req; }
      var buf = '';
      var s = socket({ host: m[1], port: Number(m[2] || 80) }, function () {
        s.write('GET ' + (m[3] || '/') + ' HTTP/1.0\r\nHost: ' + m[1] + '\r\nConnection: close\r\n\r\n');
      });
      s.on('data', function (d) { buf += d; });
      s.on('error', function (e) { fail(e.message); });
      s.on('close', function () {
        var end = buf.indexOf('\r\n\r\n');
        if (end < 0) return fail('no HTTP response');
        var lines = buf.slice(0, end).split('\r\n');
        var headers = {};
        for (var i = 1; i < lines.length; i++) {
          var c = lines[i].indexOf(':');
          if (c > 0) headers[lines[i].slice(0, c)] = lines[i].slice(c + 1).trim();
        }
        var body = buf.slice(end + 4);
        cb({
          statusCode: lines[0].split(' ')[1],
          headers: headers,
          on: function (ev, fn) {
            if (ev === 'data' && body) setTimeout(function () { fn(body); }, 0);
            if (ev === 'close') setTimeout(fn, 0);
          },
        });
      });
      return req;
    },
  };

  // As Espruino's require(): built-in modules first, then a module uploaded to Storage under that name.
  var loaded = {};
  globalThis.require = function (name) {
    if (modules[name]) return modules[name];
    if (loaded[name]) return loaded[name];
    var src = modules.Storage.read(name);
    if (src === undefined) throw new Error('Module ' + name + ' not found');
    var exp = {};
    loaded[name] = exp;
    new Function('exports', 'module', src)(exp, { exports: exp });
    return exp;
  };
  // Espruino's module cache: removeCached drops a module (the next require runs it again).
  globalThis.Modules = { removeCached: function (name) { delete loaded[name]; } };
})();
