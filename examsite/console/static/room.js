/* Live room view: a seat map redrawn from /console snapshots whenever the server pushes a change. */
(function () {
  'use strict';
  var W = CONSOLE.words, snap = null, selected = null;

  function el(id) { return document.getElementById(id); }

  function visible(s) {
    var st = el('f-state').value, alertsOnly = el('f-alerts').checked, q = el('f-text').value.trim();
    if (st && s.state !== st) return false;
    if (alertsOnly && !s.alerts.length) return false;
    if (q && s.name.indexOf(q) < 0 && s.ticket.indexOf(q) < 0) return false;
    return true;
  }

  function draw() {
    if (!snap || !snap.ok) return;
    var s = snap.session, c = snap.counts;
    el('session-state').innerHTML = '<span class="chip st-' + s.state + '">' + esc(L(s.state_label)) + '</span> ' +
      '<span class="muted">' + W.exam_password + ': </span><strong class="pw">' + esc(s.exam_password) + '</strong>' +
      (snap.pending_reviews ? ' <a class="chip warnchip" href="/console/captures?session=' + esc(s.session_id) + '">' + W.captures + ' ' + snap.pending_reviews + '</a>' : '');
    var keys = ['expected', 'checked_in', 'logged_in', 'answering', 'submitted', 'absent'];
    el('counts').innerHTML = keys.map(function (k) {
      return '<div class="count" data-count="' + k + '"><b>' + c[k] + '</b><span>' + W[k] + '</span></div>';
    }).join('');
    el('seats').innerHTML = snap.seats.filter(visible).map(function (x) {
      var alerts = x.alerts.map(function (a) { return '<span class="alert a-' + a.code + '">' + esc(L(a.label)) + '</span>'; }).join('');
      return '<button class="seat st-' + x.state + (selected === x.candidate_id ? ' selected' : '') + '" data-cid="' + x.candidate_id + '" data-ticket="' + esc(x.ticket) + '">' +
        '<div class="seat-top"><span class="seat-no">' + (x.seat || '-') + '</span>' +
        '<span class="conn ' + (x.connected ? 'on' : 'off') + '" title="' + (x.connected ? W.connected : W.disconnected) + '"></span></div>' +
        '<div class="seat-name">' + esc(x.name) + '</div>' +
        '<div class="seat-ticket">' + esc(x.ticket) + '</div>' +
        '<div class="seat-state">' + esc(L(x.state_label)) + '</div>' +
        '<div class="seat-progress"><span style="width:' + (x.total ? Math.round(100 * x.answered / x.total) : 0) + '%"></span></div>' +
        '<div class="seat-meta"><span class="answered">' + x.answered + '/' + x.total + '</span>' +
        '<span>' + (x.last_answer_at ? fmtTime(x.last_answer_at) : '') + '</span></div>' +
        (x.terminal_id ? '<div class="seat-term">' + esc(x.terminal_id) + (x.added_s ? ' · +' + (x.added_s < 60 ? x.added_s + 's' : Math.round(x.added_s / 60) + 'min') : '') + '</div>' : '') +
        '<div class="alerts">' + alerts + '</div></button>';
    }).join('');
    el('updated').textContent = (CONSOLE.lang === 'en' ? 'updated ' : '更新于 ') + new Date().toLocaleTimeString('zh-CN', {hour12: false});
    drawPanel();
  }

  function drawPanel() {
    var p = el('panel');
    var x = snap && snap.seats.filter(function (s) { return s.candidate_id === selected; })[0];
    if (!x) { p.hidden = true; return; }
    p.hidden = false;
    el('p-title').textContent = (x.seat || '-') + ' · ' + x.name;
    el('p-facts').innerHTML = [[W.ticket, x.ticket], [W.id_number, x.id_number_masked], [W.state, L(x.state_label)],
      ['Terminal', x.terminal_id || '-'], [W.answered, x.answered + '/' + x.total],
      [W.extend, x.added_s ? Math.round(x.added_s) + ' s' : '0'], [W.alerts, x.alerts.map(function (a) { return L(a.label); }).join('、') || '-']]
      .map(function (f) { return '<dt>' + esc(f[0]) + '</dt><dd>' + esc(f[1]) + '</dd>'; }).join('');
    var sel = el('p-terminal'), keep = sel.value;
    sel.innerHTML = '<option value="">' + W.free_terminal + '…</option>' + snap.free_terminals.map(function (t) {
      return '<option value="' + esc(t.id) + '">' + esc(t.id) + (t.seat ? ' (' + W.seat + ' ' + t.seat + ')' : '') + (t.connected ? '' : ' ·' + W.disconnected) + '</option>';
    }).join('');
    sel.value = keep;
    el('p-cancel-transfer-box').hidden = !x.transfer_to;
    el('p-dispute-box').hidden = !x.disputed;
    el('p-unlock-box').hidden = !x.login_locked_s;
    el('p-unlock-s').textContent = x.login_locked_s || 0;
    var late = x.late_answers || {pending: 0, before_end: 0};
    el('p-late-box').hidden = !late.before_end;
    el('p-late-count').textContent = late.before_end + ' / ' + late.pending;
  }

  function refresh() {
    return snapshot().then(function (r) {
      if (r && r.ok) { snap = r; draw(); return; }
      // a refused snapshot leaves the map as it was: say so instead of looking live
      el('updated').textContent = (CONSOLE.lang === 'en' ? 'not updated: ' : '未能更新：') + messageOf(r);
    });
  }
  window.onRoomUpdate = refresh;
  window.roomSnapshot = function () { return snap; };

  el('seats').addEventListener('click', function (e) {
    var b = e.target.closest('.seat');
    if (!b) return;
    selected = Number(b.dataset.cid);
    draw();
  });
  ['f-state', 'f-alerts', 'f-text'].forEach(function (id) { el(id).addEventListener('input', draw); });

  el('panel').addEventListener('click', function (e) {
    var b = e.target.closest('button[data-act]');
    if (!b || !selected) return;
    var act = b.dataset.act, data = {candidate_id: selected, session_id: CONSOLE.session};
    if (act === 'transfer') { data.terminal_id = el('p-terminal').value; data.reason = el('p-transfer-reason').value; }
    if (act === 'cancel_transfer') data.reason = el('p-cancel-transfer-reason').value;
    if (act === 'leave') data.reason = el('p-leave-reason').value;
    if (act === 'come_back') data.reason = el('p-return-reason').value;
    if (act === 'extend') { data.minutes = Number(el('p-minutes').value); data.reason = el('p-extend-reason').value; }
    if (act === 'violation') {
      data.category = Number(el('p-category').value); data.handling = el('p-handling').value; data.conduct = el('p-conduct').value;
      if (data.handling === 'disqualify' && !confirm(CONSOLE.lang === 'en' ? 'Disqualify this candidate?' : '确定取消该考生的考核资格和成绩？')) return;
    }
    if (act === 'message_one') { act = 'message'; data.text = el('p-message').value; }
    if (act === 'resolve_dispute') data.note = el('p-dispute-note').value;
    if (act === 'accept_late_answers') data.reason = el('p-late-reason').value;
    if (act === 'unlock_login') data.reason = el('p-unlock-reason').value;
    consoleApi(act, data).then(refresh);
  });
  refresh();
})();
