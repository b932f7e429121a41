"""A photo opened on a task while a refresh re-renders the task list
(t-worker-photo-race.sh): worker-photo-race.py DEVTOOLS_PORT HUB_URL TOKEN
ALERT_ID.  The page, signed in with TOKEN, lists ALERT_ID with a note
carrying photo 1.  Its download is held at the browser's network layer
(the DevTools Fetch domain) from the tap until the list has been
re-rendered by the refresh button, then released: the photo must be shown
on the task the list shows now, after a second refresh too, and be
downloaded once."""
import json
import sys
import time

from phone import Phone, step, visible

port, hub, token, alert = sys.argv[1:5]
SHOWN = 15  # seconds for a released local photo to be shown

c = Phone(int(port))
# Every download reaches the network layer, where it is counted.
c.send('Network.setCacheDisabled', cacheDisabled=True)
c.send('Page.navigate', url=hub + '/m/')
c.wait(visible('signin'), 'the sign-in form')
c.eval('localStorage.setItem("cb.token", %s), 1' % json.dumps(token))
c.send('Page.reload')
c.wait(visible('main'), 'signed in with the device token')

task = json.dumps('.task[data-id="%s"]' % alert)
button = json.dumps('.task[data-id="%s"] .note button' % alert)
shots = 'document.querySelectorAll(%s + " img.shot")' % task
c.wait('document.querySelector(%s)' % button, 'the task and its photo button')
step('the task lists a note with photo 1')

held = []    # photo requests paused by the Fetch domain, oldest first
seen = []    # photo requests the page sent, as the network saw them


def collect():
    """Move the photo requests among the events received into held and
    seen (c.events fills while any command waits for its answer)."""
    rest = []
    for m in c.events:
        p = m.get('params', {})
        if (m.get('method') == 'Fetch.requestPaused' and
                '/photos/' in p['request']['url']):
            held.append(p['requestId'])
        elif (m.get('method') == 'Network.requestWillBeSent' and
              '/photos/' in p['request']['url']):
            seen.append(p['request']['url'])
        else:
            rest.append(m)
    c.events[:] = rest


def rerender(what):
    """Refresh with the page's own button and wait for a new task node."""
    c.eval('window.cbOldTask = document.querySelector(%s), 1' % task)
    c.click('refresh')
    c.wait('document.querySelector(%s) && document.querySelector(%s) !== '
           'window.cbOldTask' % (task, task), what)


c.send('Fetch.enable', patterns=[{'urlPattern': '*/api/v1/m/tasks/*/photos/*',
                                  'requestStage': 'Request'}])
c.eval('document.querySelector(%s).click(), 1' % button)
first = c.wait_event('Fetch.requestPaused')
if '/photos/1' not in first['request']['url']:
    raise SystemExit('the tap asked for %s, not photo 1'
                     % first['request']['url'])
step('tapped: the photo download is held')

rerender('the list re-rendered while the photo is held')
collect()
if c.eval('%s.length' % shots):
    raise SystemExit('a photo is shown while its download is held')
step('the list was re-rendered with the photo still on its way')


def shown_releasing(what):
    """Wait for the photo on the task the list shows now, releasing any
    other download of it the page asks for meanwhile (counted, so a page
    that downloads again fails on the count rather than waiting for an
    answer that never comes)."""
    deadline = time.time() + SHOWN
    while True:
        collect()
        for rid in held:
            c.send('Fetch.continueRequest', requestId=rid)
        del held[:]
        if c.eval('(function(){var i=%s;return i.length === 1 && '
                  'i[0].complete && i[0].naturalWidth > 0;})()' % shots):
            return
        if time.time() > deadline:
            raise SystemExit(
                'photo 1 is not shown %s within %d s (images on the task '
                'now: %s; on the task the refresh replaced: %s; the button '
                'is %s)' % (what, SHOWN, c.eval('%s.length' % shots),
                            c.eval('window.cbOldTask.querySelectorAll('
                                   '"img.shot").length'),
                            'disabled' if c.eval(
                                'document.querySelector(%s).disabled'
                                % button) else 'enabled again'))
        time.sleep(0.1)


c.send('Fetch.continueRequest', requestId=first['requestId'])
shown_releasing('on the re-rendered task after its download was released')
step('released: the photo is shown on the task the list shows now')

rerender('the list re-rendered again')
shown_releasing('after a second refresh')
if not c.eval('document.querySelector(%s).disabled' % button):
    raise SystemExit('the photo button is enabled again though it is shown')
time.sleep(0.5)  # a stray download would have started by now
c.eval('1')      # and its events arrived with this answer
collect()
for rid in held:
    c.send('Fetch.continueRequest', requestId=rid)
c.send('Fetch.disable')
if len(seen) != 1:
    raise SystemExit('photo 1 was downloaded %d times, not once: %s'
                     % (len(seen), seen))
step('shown again after a second refresh; downloaded once')
