/* citybrain grid worker page: sign in, tasks, check-in, building data.
 * No framework, no resources from elsewhere.  Task actions go through an
 * outbox kept in localStorage, each with a client id the hub applies
 * once, so a dropped link loses and doubles nothing. */
'use strict';
(function () {
  var API = '../api/v1/m/';
  var $ = function (id) { return document.getElementById(id); };
  var tok = localStorage.getItem('cb.token');
  var outbox = JSON.parse(localStorage.getItem('cb.outbox') || '[]');
  var flushing = false, grantTimer = null, stream = null, maxPhoto = 1 << 20;
  var SEV = { high: '高 high', medium: '中 medium', low: '低 low', info: '信息 info' };
  var ACTS = [['accept', '接受 Accept'], ['arrive', '到场 Arrive'],
    ['progress', '进展 Report'], ['handled', '已处理 Handled']];
  var STATE = { accept: '已接受 accepted', arrive: '已到场 on site',
    progress: '处理中 in progress', handled: '已处理 handled' };

  function msg(t) { $('msg').textContent = t || ''; }
  function show(id, on) { $(id).classList.toggle('hide', !on); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function when(ms) {
    if (!ms) return '';
    var d = new Date(ms);
    return d.toLocaleString('zh-CN', { hour12: false });
  }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16), s = '';
    crypto.getRandomValues(a);
    a.forEach(function (b) { s += (b + 256).toString(16).slice(1); });
    return s;
  }
  function online(on) {
    $('net').textContent = on ? '在线 online' : '离线 offline';
  }
  function saveOutbox() {
    $('outbox').textContent = outbox.length
      ? outbox.length + ' 项待发送 queued, sent when the link returns' : '';
    try { localStorage.setItem('cb.outbox', JSON.stringify(outbox)); } catch (e) {
      msg('存储已满 storage full: the queue is kept until the page closes');
    }
  }

  /* One API call; resolves {status, body}, rejects when the hub cannot
   * be reached. */
  function call(method, path, body) {
    var o = { method: method, headers: {} };
    if (tok) o.headers.Authorization = 'Bearer ' + tok;
    if (body !== undefined) {
      o.headers['Content-Type'] = 'application/json';
      o.body = JSON.stringify(body);
    }
    return fetch(API + path, o).then(function (r) {
      online(true);
      return r.text().then(function (t) {
        var j = null;
        try { j = JSON.parse(t); } catch (e) { j = null; }
        if (r.status === 401 && path !== 'signin') signedOut();
        return { status: r.status, body: j };
      });
    }, function (e) { online(false); throw e; });
  }
  function errText(r) {
    return (r.body && r.body.error) || ('HTTP ' + r.status);
  }

  function signedOut() {
    tok = null;
    localStorage.removeItem('cb.token');
    show('main', false);
    show('signin', true);
  }

  function signin(code) {
    msg('');
    call('POST', 'signin', { code: code }).then(function (r) {
      if (r.status !== 200) { msg('登录失败 sign-in failed: ' + errText(r)); return; }
      tok = r.body.token;
      localStorage.setItem('cb.token', tok);
      start();
    }, function () { msg('无法连接 cannot reach the hub'); });
  }

  /* ---- Photos: downscaled to a JPEG within the hub's limit ---- */
  function shrink(file) {
    return createImageBitmap(file).then(function (bm) {
      var side = 1280, q = 0.8, c = el('canvas'), b64;
      for (;;) {
        var k = Math.min(1, side / Math.max(bm.width, bm.height));
        c.width = Math.round(bm.width * k);
        c.height = Math.round(bm.height * k);
        c.getContext('2d').drawImage(bm, 0, 0, c.width, c.height);
        b64 = c.toDataURL('image/jpeg', q).split(',')[1];
        if (b64.length / 4 * 3 <= maxPhoto || side < 200) return b64;
        side = Math.round(side * 0.7);
        q = Math.max(0.5, q - 0.1);
      }
    });
  }
  /* Photos opened, by "task/n": the promise of their data URL, so a list
   * re-rendered by a refresh shows them again without a second download. */
  var shots = {};
  function showPhoto(id, n, box) {
    var key = id + '/' + n;
    if (!shots[key]) {
      shots[key] = fetch(API + 'tasks/' + encodeURIComponent(id) + '/photos/' + n,
        { headers: { Authorization: 'Bearer ' + tok } }).then(function (r) {
        if (!r.ok) throw r;
        return r.blob();
      }).then(function (b) {
        return new Promise(function (ok, fail) {
          var fr = new FileReader();
          fr.onload = function () { ok(fr.result); };
          fr.onerror = fail;
          fr.readAsDataURL(b);
        });
      });
      shots[key].catch(function () {
        delete shots[key];
        msg('无法加载照片 cannot load the photo');
      });
    }
    shots[key].then(function (url) {
      var i = el('img', 'shot');
      i.src = url;
      box.appendChild(i);
    }, function () {});
  }

  /* ---- Outbox: task actions, each sent exactly once ---- */
  function queue(id, action, text, photo) {
    outbox.push({ id: id, action: action, text: text, photo: photo,
      action_id: newId() });
    saveOutbox();
    flush();
  }
  function flush() {
    if (flushing || !outbox.length || !tok) return;
    flushing = true;
    var a = outbox[0];
    call('POST', 'tasks/' + encodeURIComponent(a.id) + '/' + a.action,
      { action_id: a.action_id, text: a.text, photo: a.photo }).then(function (r) {
      flushing = false;
      if (r.status >= 500) return; /* the hub will take it later */
      outbox.shift();
      saveOutbox();
      if (r.status >= 400) msg(a.id + ': ' + errText(r));
      if (outbox.length) flush(); else loadTasks();
    }, function () { flushing = false; });
  }

  /* ---- Tasks ---- */
  function renderTask(t) {
    var d = el('div', 'task ' + t.severity);
    d.dataset.id = t.id;
    d.appendChild(el('b', null, (SEV[t.severity] || t.severity) + ' · ' + t.id));
    d.appendChild(el('div', null, t.message));
    d.appendChild(el('small', null, t.place || t.code));
    if (t.deadline_ms) d.appendChild(el('div', 'st', '期限 deadline ' + when(t.deadline_ms)));
    if (t.assigned) d.appendChild(el('div', 'st', '指派给您 assigned to you'));
    d.appendChild(el('div', 'st wstate', t.worker_state ? STATE[t.worker_state] : '新 new'));
    (t.notes || []).forEach(function (n) {
      var nd = el('div', 'note', n.who + ': ' + n.text);
      if (n.photo) {
        var pb = el('button', 'alt', '照片 photo ' + n.photo);
        pb.onclick = function () { pb.disabled = true; showPhoto(t.id, n.photo, nd); };
        nd.appendChild(pb);
        if (shots[t.id + '/' + n.photo]) { pb.disabled = true; showPhoto(t.id, n.photo, nd); }
      }
      d.appendChild(nd);
    });
    var txt = el('textarea'), photo, pinfo = el('div', 'st pinfo');
    txt.rows = 2;
    txt.placeholder = '进展说明 progress report';
    d.appendChild(txt);
    var file = el('input');
    file.type = 'file';
    file.accept = 'image/*';
    file.setAttribute('capture', 'environment');
    file.setAttribute('aria-label', '照片 photo');
    file.onchange = function () {
      if (!file.files[0]) return;
      photo = null;
      pinfo.textContent = '处理中 processing…';
      shrink(file.files[0]).then(function (b) {
        photo = b;
        pinfo.textContent = '已附照片 photo attached, ' + Math.round(b.length * 3 / 4096) + ' KB';
      }, function () { pinfo.textContent = '无法读取照片 cannot read the photo'; });
    };
    d.appendChild(file);
    d.appendChild(pinfo);
    ACTS.forEach(function (a) {
      var b = el('button', a[0] === 'handled' ? 'alt' : null, a[1]);
      b.dataset.act = a[0];
      b.onclick = function () {
        var text = txt.value.trim();
        if (a[0] === 'progress' && !text) { msg('请填写进展 write the report first'); return; }
        var p = a[0] === 'progress' ? photo : undefined;
        queue(t.id, a[0], text || undefined, p);
        txt.value = '';
        if (p) { photo = null; file.value = ''; pinfo.textContent = ''; }
      };
      d.appendChild(b);
    });
    return d;
  }
  function loadTasks() {
    call('GET', 'tasks').then(function (r) {
      if (r.status !== 200) { msg(errText(r)); return; }
      var box = $('tasks');
      box.textContent = '';
      if (!r.body.tasks.length) box.appendChild(el('small', null, '暂无任务 no tasks'));
      r.body.tasks.forEach(function (t) { box.appendChild(renderTask(t)); });
    }, function () {});
  }

  /* ---- Check-in and the building ---- */
  function clearGrant() {
    if (grantTimer) clearTimeout(grantTimer);
    grantTimer = null;
    $('building').textContent = '';
    $('metrics').textContent = '';
    show('bldg', false);
    show('checkout', false);
    $('grant').textContent = '未登记 · not checked in';
  }
  function table(rows) {
    var keys = [], t = el('table'), tr = el('tr');
    rows.forEach(function (o) {
      Object.keys(o).forEach(function (k) { if (keys.indexOf(k) < 0) keys.push(k); });
    });
    keys.forEach(function (k) { tr.appendChild(el('th', null, k)); });
    t.appendChild(tr);
    rows.forEach(function (o) {
      var r = el('tr');
      keys.forEach(function (k) {
        var v = o[k];
        r.appendChild(el('td', null, v === undefined ? '' :
          typeof v === 'object' ? JSON.stringify(v) : v));
      });
      t.appendChild(r);
    });
    return t;
  }
  function renderBuilding(b) {
    var box = $('building');
    box.textContent = '';
    box.appendChild(el('b', null, b.name + ' (' + b.code + ')'));
    if (b.address) box.appendChild(el('div', null, b.address));
    ['rooms', 'enterprises', 'events'].forEach(function (k) {
      if (b[k] && b[k].length) {
        box.appendChild(el('div', 'st', { rooms: '房屋 rooms', enterprises: '法人 enterprises', events: '事件 events' }[k]));
        box.appendChild(table(b[k]));
      }
    });
  }
  function loadPlace() {
    call('GET', 'building').then(function (r) {
      if (r.status === 200) renderBuilding(r.body.building);
      else $('building').textContent = errText(r);
    }, function () {});
    call('GET', 'metrics').then(function (r) {
      if (r.status !== 200) return;
      var m = r.body.metrics, box = $('metrics');
      box.textContent = '';
      Object.keys(m).forEach(function (k) {
        box.appendChild(el('div', null, k + ': ' + Math.round(m[k] * 10) / 10));
      });
    }, function () {});
  }
  function setGrant(g) {
    clearGrant();
    if (!g) return;
    $('grant').textContent = '已登记 checked in: ' + (g.building || g.grid) +
      ' · 至 until ' + when(g.until_ms);
    show('bldg', true);
    show('checkout', true);
    grantTimer = setTimeout(clearGrant, Math.max(0, g.remaining_ms));
    loadPlace();
  }
  function checkin(body) {
    msg('');
    call('POST', 'checkin', body).then(function (r) {
      if (r.status === 200) setGrant(r.body.grant);
      else { clearGrant(); msg('登记失败 check-in refused: ' + errText(r)); }
    }, function () { msg('无法连接 cannot reach the hub'); });
  }
  function scan() {
    var det = new window.BarcodeDetector({ formats: ['qr_code'] }), v = $('cam');
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } }).then(function (s) {
      stream = s;
      v.srcObject = s;
      show('cam', true);
      v.play();
      var tick = function () {
        det.detect(v).then(function (codes) {
          if (codes.length) {
            stream.getTracks().forEach(function (t) { t.stop(); });
            show('cam', false);
            $('bcode').value = codes[0].rawValue;
            checkin({ building: codes[0].rawValue });
          } else setTimeout(tick, 300);
        }, function () { setTimeout(tick, 300); });
      };
      tick();
    }, function () { msg('无法使用相机 no camera'); });
  }

  function start() {
    show('signin', false);
    show('main', true);
    call('GET', 'me').then(function (r) {
      if (r.status !== 200) return;
      if (r.body.max_photo_bytes) maxPhoto = r.body.max_photo_bytes;
      $('who').textContent = (r.body.display || r.body.name) + ' · ' + r.body.name;
      $('grids').textContent = r.body.grids.map(function (g) {
        return (g.name || '') + ' ' + g.code;
      }).join(', ');
      setGrant(r.body.grant);
    }, function () { online(false); });
    loadTasks();
    saveOutbox();
    flush();
  }

  $('signin-go').onclick = function () { signin($('code').value.trim()); };
  $('checkin').onclick = function () {
    var c = $('bcode').value.trim();
    if (c) checkin({ building: c });
  };
  $('geo').onclick = function () {
    if (!navigator.geolocation) { msg('无定位 no geolocation'); return; }
    navigator.geolocation.getCurrentPosition(function (p) {
      checkin({ lat: p.coords.latitude, lon: p.coords.longitude });
    }, function (e) { msg('定位失败 position unavailable: ' + e.message); },
    { enableHighAccuracy: true, timeout: 15000 });
  };
  $('checkout').onclick = function () {
    call('POST', 'checkout', {}).then(function () { clearGrant(); }, function () {});
  };
  $('refresh').onclick = function () { flush(); loadTasks(); };
  $('signout').onclick = function () { signedOut(); };
  if ('BarcodeDetector' in window && navigator.mediaDevices) {
    show('scan', true);
    $('scan').onclick = scan;
  }
  window.addEventListener('online', flush);
  setInterval(function () { if (tok) { flush(); } }, 5000);
  /* Refresh the list unless the worker is writing a report. */
  setInterval(function () {
    var busy = [].some.call(document.querySelectorAll('.task textarea, .pinfo'),
      function (e) { return e.value || (!e.value && e.textContent); });
    if (tok && !outbox.length && !busy) loadTasks();
  }, 30000);

  var m = /^#code=([A-Za-z0-9-]+)/.exec(location.hash);
  if (m) {
    history.replaceState(null, '', location.pathname);
    signin(m[1]);
  } else if (tok) start();
  else show('signin', true);
})();
