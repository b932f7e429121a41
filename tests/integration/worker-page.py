"""Drive the grid worker page in headless Chromium (t-worker-page.sh):
worker-page.py DEVTOOLS_PORT HUB_URL CODE ALERT_ID BUILDING LAT LON PHOTO
Signs in with the code on a 360x640 phone screen, sees the task, checks in
by building code, reads the building, checks out and is refused, checks in
by position, reports progress while offline (the report waits in the
outbox across a reload) with a photo the page took from a file input
(written to PHOTO: a 2000x1500 PNG the page downscales to a JPEG) and
sends it when the link returns, then shows the photo from the hub."""
import json
import sys

from phone import Phone, step, visible, write_png

port, hub, code, alert, building, lat, lon, photo = sys.argv[1:9]

write_png(photo, 2000, 1500)
c = Phone(int(port))
c.send('Browser.grantPermissions', origin=hub, permissions=['geolocation'])
c.send('Emulation.setGeolocationOverride', latitude=float(lat),
       longitude=float(lon), accuracy=10)
text = c.text
click = c.click


def fetch_status(path):
    return c.eval("fetch('../api/v1/m/%s', {headers: {Authorization: "
                  "'Bearer ' + localStorage.getItem('cb.token')}})"
                  ".then(function (r) { return r.status; })" % path)


c.send('Page.navigate', url=hub + '/m/')
c.wait(visible('signin'), 'the sign-in form')
if c.eval('document.documentElement.scrollWidth') > 360:
    raise SystemExit('the page is wider than a 360 px screen')
step('sign-in form on a 360x640 screen')

c.eval('document.getElementById("code").value = %s, 1' % json.dumps(code))
click('signin-go')
c.wait(visible('main'), 'signed in')
c.wait('localStorage.getItem("cb.token")', 'a device token kept')
step('signed in with the enrolment code')

sel = json.dumps('.task[data-id="%s"]' % alert)
c.wait('document.querySelector(%s)' % sel, 'the dispatched task')
if c.eval('document.documentElement.scrollWidth') > 360:
    raise SystemExit('the task list is wider than a 360 px screen')
step('the dispatched task is listed')

c.eval('document.getElementById("bcode").value = %s, 1' % json.dumps(building))
click('checkin')
c.wait(visible('bldg') + ' && document.getElementById("building")'
       '.textContent.indexOf(%s) >= 0' % json.dumps(building),
       'the building shown')
step('checked in by building code; building: ' + text('building')[:40])
if fetch_status('building') != 200:
    raise SystemExit('building not readable while checked in')

click('checkout')
c.wait('!(' + visible('bldg') + ') && '
       'document.getElementById("building").textContent === ""',
       'the building hidden after check-out')
st = fetch_status('building')
if st != 403:
    raise SystemExit('after check-out the building answers %s, not 403' % st)
step('checked out: the page shows nothing and the hub refuses (403)')

click('geo')
c.wait(visible('bldg') + ' && document.getElementById("building")'
       '.textContent.indexOf(%s) >= 0' % json.dumps(building),
       'checked in by position')
step('checked in by position')
click('checkout')
c.wait('!(' + visible('bldg') + ')', 'checked out again')

# A dropped link: the report waits in the outbox, survives a reload, and
# when its answer is lost on the way back it is sent again and applied
# once (the hub knows the client's action id).
c.send('Network.setBlockedURLs', urls=['*/api/v1/m/*'])
c.eval('document.querySelector(%s + " textarea").value = '
       '"积水已排除 water pumped out", 1' % sel)
# The photo, as the phone's camera would hand it to the file input.
inp = c.send('Runtime.evaluate',
             expression='document.querySelector(%s + " input[type=file]")'
             % sel)['result']
if c.eval('document.querySelector(%s + " input[type=file]")'
          '.getAttribute("capture")' % sel) != 'environment':
    raise SystemExit('the photo input does not ask for the rear camera')
c.send('DOM.setFileInputFiles', files=[photo], objectId=inp['objectId'])
c.wait('document.querySelector(%s + " .pinfo").textContent'
       '.indexOf("photo attached") >= 0' % sel, 'the photo downscaled')
step('photo attached: ' + c.eval('document.querySelector(%s + " .pinfo")'
                                 '.textContent' % sel))
c.eval('document.querySelector(%s + " button[data-act=progress]").click(), 1'
       % sel)
c.wait('JSON.parse(localStorage.getItem("cb.outbox") || "[]").length === 1',
       'the report queued while the link is down')
if not c.eval('JSON.parse(localStorage.getItem("cb.outbox"))[0].photo'
              '.indexOf("/9j/") === 0'):
    raise SystemExit('the queued report does not carry a JPEG photo')
c.wait('document.getElementById("net").textContent.indexOf("offline") >= 0',
       'shown offline')
c.wait('document.getElementById("outbox").textContent.indexOf("queued") >= 0',
       'the queue shown')
step('link down: the report is queued')
c.send('Page.reload')
c.wait(visible('main'), 'the page again after a reload', timeout=30)
if c.eval('JSON.parse(localStorage.getItem("cb.outbox") || "[]").length') != 1:
    raise SystemExit('the queued report did not survive the reload')
step('the queued report survives a reload')

c.send('Fetch.enable', patterns=[{'urlPattern': '*/api/v1/m/tasks/*',
                                  'requestStage': 'Response'}])
c.send('Network.setBlockedURLs', urls=[])
click('refresh')
paused = c.wait_event('Fetch.requestPaused', timeout=30)
c.send('Fetch.failRequest', requestId=paused['requestId'],
       errorReason='ConnectionReset')
c.send('Fetch.disable')
step('the hub took the report but its answer was lost')
click('refresh')
c.wait('JSON.parse(localStorage.getItem("cb.outbox") || "[]").length === 0',
       'the outbox emptied', timeout=30)
c.wait('document.querySelector(%s + " .wstate") && document.querySelector('
       '%s + " .wstate").textContent.indexOf("progress") >= 0' % (sel, sel),
       'the task shows the report', timeout=40)
step('link back: the report was sent again and the outbox is empty')

# The report's photo, shown from the hub on the task.
pb = json.dumps('.task[data-id="%s"] .note button' % alert)
c.wait('document.querySelector(%s)' % pb, 'the note links its photo', timeout=30)
c.eval('document.querySelector(%s).click(), 1' % pb)
c.wait('document.querySelector(%s + " img.shot") && document.querySelector('
       '%s + " img.shot").naturalWidth > 0' % (sel, sel), 'the photo shown')
w = c.eval('document.querySelector(%s + " img.shot").naturalWidth' % sel)
if w > 1280 or c.eval('document.documentElement.scrollWidth') > 360:
    raise SystemExit('the photo is %s px wide or overflows the screen' % w)
step('the photo comes back from the hub, %s px wide' % w)
