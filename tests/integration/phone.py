"""The grid worker page on a phone-sized screen in headless Chromium, for
the scripts that drive it (worker-page.py, worker-photo-race.py): the
DevTools connection set up as a 360x640 phone, a PNG writer, and a failure
hook that prints what the page showed and threw."""
import json
import struct
import sys
import zlib

from cdp import CDP


def write_png(path, w, h):
    """A w x h RGB PNG: gradients, so a JPEG made of it has something to
    keep."""
    row = bytes(v for x in range(w) for v in (x * 255 // w, 0, (x * 7) % 256))
    raw = b''.join(b'\0' + row[:1] + bytes([y * 255 // h]) + row[2:]
                   for y in range(h))

    def chunk(t, d):
        return (struct.pack('!I', len(d)) + t + d +
                struct.pack('!I', zlib.crc32(t + d)))
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' +
                chunk(b'IHDR', struct.pack('!IIBBBBB', w, h, 8, 2, 0, 0, 0)) +
                chunk(b'IDAT', zlib.compress(raw, 1)) + chunk(b'IEND', b''))


def step(what):
    print('ok - page: ' + what, flush=True)


def visible(id_):
    """JavaScript: the element id_ exists and no ancestor is hidden."""
    return ("(function(){var e=document.getElementById(%s);"
            "return e && !e.closest('.hide');})()" % json.dumps(id_))


class Phone(CDP):
    """The page's tab, with the screen of a phone; a failing script prints
    the page's message, text and console on its way out."""

    def __init__(self, port):
        CDP.__init__(self, port)
        self.send('Page.enable')
        self.send('Runtime.enable')
        self.send('Network.enable')
        self.send('Emulation.setDeviceMetricsOverride', width=360,
                  height=640, deviceScaleFactor=2, mobile=True)
        sys.excepthook = self._report_failure

    def text(self, id_):
        return self.eval('document.getElementById(%s).textContent'
                         % json.dumps(id_))

    def click(self, id_):
        self.eval('document.getElementById(%s).click(), 1' % json.dumps(id_))

    def _report_failure(self, exc_type, exc, tb):
        import traceback
        traceback.print_exception(exc_type, exc, tb)
        try:
            print('page message: %r' % self.text('msg'))
            print('page text: %r' % self.eval('document.body.innerText')[:600])
        except Exception:
            pass
        for m in self.events:
            if m.get('method') in ('Runtime.exceptionThrown',
                                   'Runtime.consoleAPICalled'):
                print('page: %s' % json.dumps(m['params'])[:400])
