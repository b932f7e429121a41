"""A minimal client of the Chrome DevTools protocol over a WebSocket, with
the standard library only (tests drive Debian's headless Chromium)."""
import base64
import json
import os
import socket
import struct
import time
import urllib.parse
import urllib.request


class CDP:
    def __init__(self, port, timeout=60):
        deadline = time.time() + timeout
        while True:
            try:
                targets = json.load(urllib.request.urlopen(
                    'http://127.0.0.1:%d/json/list' % port, timeout=5))
                pages = [t for t in targets if t.get('type') == 'page']
                if pages:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError('no page target on port %d' % port)
            time.sleep(0.2)
        url = urllib.parse.urlparse(pages[0]['webSocketDebuggerUrl'])
        self.sock = socket.create_connection((url.hostname, url.port), 30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(('GET %s HTTP/1.1\r\nHost: %s:%d\r\n'
                           'Upgrade: websocket\r\nConnection: Upgrade\r\n'
                           'Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13'
                           '\r\n\r\n' % (url.path, url.hostname, url.port,
                                         key)).encode())
        head = b''
        while b'\r\n\r\n' not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise RuntimeError('websocket handshake failed')
            head += chunk
        if b' 101 ' not in head.split(b'\r\n')[0]:
            raise RuntimeError('websocket handshake: %r' % head)
        self.next_id = 0
        self.events = []

    def _send_frame(self, data):
        mask = os.urandom(4)
        n = len(data)
        if n < 126:
            hdr = struct.pack('!BB', 0x81, 0x80 | n)
        elif n < 65536:
            hdr = struct.pack('!BBH', 0x81, 0x80 | 126, n)
        else:
            hdr = struct.pack('!BBQ', 0x81, 0x80 | 127, n)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(hdr + mask + body)

    def _recv_exact(self, n):
        buf = b''
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise RuntimeError('websocket closed')
            buf += chunk
        return buf

    def _recv_message(self):
        data = b''
        while True:
            b0, b1 = self._recv_exact(2)
            n = b1 & 0x7f
            if n == 126:
                n = struct.unpack('!H', self._recv_exact(2))[0]
            elif n == 127:
                n = struct.unpack('!Q', self._recv_exact(8))[0]
            data += self._recv_exact(n)
            if b0 & 0x80:
                return json.loads(data.decode())

    def send(self, method, **params):
        self.next_id += 1
        mid = self.next_id
        self._send_frame(json.dumps(
            {'id': mid, 'method': method, 'params': params}).encode())
        while True:
            m = self._recv_message()
            if m.get('id') == mid:
                if 'error' in m:
                    raise RuntimeError('%s: %s' % (method, m['error']))
                return m.get('result', {})
            self.events.append(m)

    def eval(self, expr):
        """The value of a JavaScript expression (promises awaited)."""
        r = self.send('Runtime.evaluate', expression=expr,
                      returnByValue=True, awaitPromise=True)
        if 'exceptionDetails' in r:
            raise RuntimeError('%s: %s' % (expr, r['exceptionDetails']))
        return r['result'].get('value')

    def wait(self, expr, what, timeout=60):
        """Poll until expr is truthy; raise naming what otherwise."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                v = self.eval('!!(' + expr + ')')
            except RuntimeError:
                v = None
            if v:
                return v
            time.sleep(0.2)
        raise RuntimeError('timed out waiting for %s (%s)' % (what, expr))

    def wait_event(self, method, timeout=20):
        """The params of the next event named method."""
        deadline = time.time() + timeout
        while True:
            for i, m in enumerate(self.events):
                if m.get('method') == method:
                    del self.events[i]
                    return m.get('params', {})
            if time.time() > deadline:
                raise RuntimeError('timed out waiting for event ' + method)
            self.sock.settimeout(max(0.1, deadline - time.time()))
            try:
                self.events.append(self._recv_message())
            except socket.timeout:
                pass
            finally:
                self.sock.settimeout(30)
