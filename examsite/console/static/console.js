/* Console common code: CSRF-carrying actions, the /console socket, toasts. No framework, no CDN. */
(function () {
  'use strict';
  var csrf = document.querySelector('meta[name=csrf-token]').content;
  var toastTimer = null;

  window.toast = function (text, bad) {
    var el = document.getElementById('toast');
    el.textContent = text;
    el.className = 'toast show' + (bad ? ' bad' : '');
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { el.className = 'toast'; }, bad ? 8000 : 3000);
  };

  function messageOf(r) {
    if (!r) return '';
    return CONSOLE.lang === 'en' ? (r.message_en || r.message) : (r.message + (r.message_en ? '（' + r.message_en + '）' : ''));
  }
  window.messageOf = messageOf;

  /* The login has ended: the live dot goes off and the proctor is sent to the login page. */
  function toLogin() {
    var d = document.getElementById('live-dot');
    if (d) d.className = 'dot off';
    location.href = '/console/login?expired=1&next=' + encodeURIComponent(location.pathname + location.search);
  }
  window.toLogin = toLogin;

  /* The account still has the password an administrator assigned (004 §5): change it first. */
  function toPassword() {
    if (location.pathname === '/console/password') return;
    location.href = '/console/password';
  }

  /* Refusals that leave this page: an ended login, a password that must be changed first. */
  function leaveIfRefused(r) {
    if (!r) return false;
    if (r.code === 'login_required') { toLogin(); return true; }
    if (r.code === 'password_change_required') { toPassword(); return true; }
    return false;
  }

  window.consoleApi = function (action, data) {
    return fetch('/console/api/' + action, {
      method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf},
      body: JSON.stringify(data || {})
    }).then(function (resp) {
      return resp.json().catch(function () { return {ok: false, message: 'HTTP ' + resp.status}; });
    }).then(function (r) {
      leaveIfRefused(r);
      if (r.ok) toast('✔ ' + (CONSOLE.lang === 'en' ? 'Done' : '已完成'));
      else toast('✘ ' + messageOf(r) + (r.detail ? ' ' + r.detail : ''), true);
      return r;
    }).catch(function (e) { toast('✘ ' + e, true); return {ok: false}; });
  };

  var dot = document.getElementById('live-dot');
  var timer = null;
  if (window.io && dot) {
    var sock = io('/console', {transports: ['websocket', 'polling']});
    window.consoleSocket = sock;
    sock.on('connect', function () { dot.className = 'dot on'; if (window.onRoomUpdate) window.onRoomUpdate(null); });
    sock.on('disconnect', function () { dot.className = 'dot off'; });
    sock.on('connect_error', function (err) {
      dot.className = 'dot off';
      if (err && err.data) leaveIfRefused(err.data);
    });
    // The server ended this socket because the login expired (it disconnects right after).
    sock.on('login_expired', function (r) {
      toast('✘ ' + messageOf(r), true);
      if (!leaveIfRefused(r)) toLogin();
    });
    var burst = [];
    sock.on('room_update', function (u) {
      if (!window.onRoomUpdate) return;
      // Many pushes in a burst: one refresh, told every kind of the burst (a check-in followed
      // at once by a journal push must still reach a page that waits for the check-in).
      burst.push(u || {});
      clearTimeout(timer);
      timer = setTimeout(function () {
        var us = burst;
        burst = [];
        var merged = Object.assign({}, us[us.length - 1]);
        merged.kinds = us.map(function (x) { return x.kind; });
        window.onRoomUpdate(merged);
      }, 150);
    });
  }

  /* True when the (merged) room update `u` holds a push of one of `kinds`. */
  window.updateHas = function (u, kinds) {
    if (!u) return false;
    return (u.kinds || [u.kind]).some(function (k) { return kinds.indexOf(k) >= 0; });
  };

  /* The live room data, over the socket (or HTTP while it is down). A refusal is never dropped
     silently: an ended login goes to the login page, anything else is shown. */
  window.snapshot = function () {
    return new Promise(function (resolve) {
      if (window.consoleSocket && window.consoleSocket.connected) {
        window.consoleSocket.emit('snapshot', {session_id: CONSOLE.session}, resolve);
      } else {
        fetch('/console/api/snapshot?session=' + encodeURIComponent(CONSOLE.session || ''), {credentials: 'same-origin'})
          .then(function (r) { return r.json(); }).then(resolve)
          .catch(function (e) { resolve({ok: false, message: String(e)}); });
      }
    }).then(function (r) {
      if (leaveIfRefused(r)) return r;
      if (r && !r.ok && r.code !== 'no_session') toast('✘ ' + messageOf(r), true);
      return r;
    });
  };

  window.fmtTime = function (iso) {
    if (!iso) return '';
    var d = new Date(iso);
    return d.toLocaleTimeString('zh-CN', {hour12: false});
  };
  window.esc = function (s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  };
  window.L = function (pair) { return pair ? (CONSOLE.lang === 'en' ? pair[1] : pair[0]) : ''; };
})();
