// Espruino's API shapes (2v29), over the QuickJS harness bridge: require('net'|'tls'|'crypto'|'Storage'),
// E.hwRand / E.toUint8Array / E.toString, sockets that carry binary strings. Not Espruino itself:
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
  };
  function socket(opts, onConnect) {
    var handlers = { data: [], close: [], error: [], end: [] };
    var emit = function (ev, arg) {
      for (var i = 0; i < handlers[ev].length; i++) handlers[ev][i](arg);
    };
    var s = host.connect({ host: opts.host, port: opts.port }, {
      onConnect: function () { onConnect(); },
      onData: function (b) { emit('data', toStr(b)); },
      onError: function (m) { emit('error', { type: 'error', message: m }); },
      onClose: function () { emit('close'); },
    });
    return {
      on: function (ev, fn) { handlers[ev].push(fn); },
      write: function (str) {
        if (typeof str !== 'string') throw new Error('Espruino sockets take strings here');
        s.write(toU8(str));
      },
      end: function () { s.close(); },
    };
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
      return {
        readArrayBuffer: function (name) { return __host.readFile(name); },
        read: function (name) { return files[name]; },
        write: function (name, data) { files[name] = String(data); return true; },
        erase: function (name) { delete files[name]; },
      };
    })(),
  };
  globalThis.require = function (name) {
    if (!modules[name]) throw new Error('Module ' + name + ' not found');
    return modules[name];
  };
})();
