/* Check-in desk: shows the latest card read (pushed over /console) and takes the proctor's decision. */
(function () {
  'use strict';
  var W = CONSOLE.words, current = null;
  function el(id) { return document.getElementById(id); }

  function draw(d) {
    if (d.reader) el('reader-state') && (el('reader-state').textContent = d.reader.message || d.reader.state);
    var cam = el('camera-state');
    if (d.camera && cam) {
      cam.textContent = CONSOLE.lang === 'en' ? (d.camera.message_en || d.camera.state) : d.camera.message + (d.camera.message_en ? '（' + d.camera.message_en + '）' : '');
      cam.dataset.state = d.camera.state;
      cam.className = d.camera.state === 'ok' ? 'ok' : 'error';
    }
    var r = d.latest;
    if (!r) return;
    current = r;
    el('desk-waiting').hidden = true;
    el('desk-read').hidden = false;
    var c = r.candidate, id = r.identity, face = r.face || {};
    var good = !r.problems.length;
    var blocking = r.blocking && r.blocking.length;
    el('desk-banner').className = 'verdict-banner ' + (good ? 'good' : (blocking ? 'bad' : 'warn'));
    el('desk-banner').textContent = c
      ? (good ? (CONSOLE.lang === 'en' ? 'All checks passed' : '核验通过') : (blocking ? (CONSOLE.lang === 'en' ? 'Not admissible' : '不得入场') : (CONSOLE.lang === 'en' ? 'Check failed: admit only with a reason' : '核验未通过：放行须填写理由'))) +
        ' — ' + c.name + ' ' + c.ticket + (r.mode === 'return' ? (CONSOLE.lang === 'en' ? ' (return from leave)' : '（暂离返回）') : '')
      : (CONSOLE.lang === 'en' ? 'Not on today\'s roster: ' : '不在今日考生名单中：') + id.name;
    el('desk-photo').src = c ? '/console/photo/' + c.id + '?r=' + r.id : '';
    el('desk-still').src = '/console/desk/still/' + r.id;
    el('desk-facts').innerHTML = [[W.name, id.name], [W.id_number, id.id_number_masked], ['性别 Sex', id.sex === 'M' ? '男' : '女'],
      ['有效期 Valid', id.valid_from + '–' + id.valid_to], [W.ticket, c ? c.ticket : '-'], [W.seat, c ? c.seat : '-'],
      [W.face, (face.verdict || '-') + (face.distance != null ? ' · ' + W.distance + ' ' + face.distance.toFixed(3) + ' / ' + W.threshold + ' ' + face.threshold : '')]]
      .map(function (f) { return '<dt>' + esc(f[0]) + '</dt><dd>' + esc(f[1]) + '</dd>'; }).join('');
    var codes = r.problems.map(function (p) { return p.code; });
    var rows = [['not_on_roster', CONSOLE.lang === 'en' ? 'On today\'s roster' : '今日考生名单'],
      ['id_number_checksum', CONSOLE.lang === 'en' ? 'ID number valid' : '证件号码有效'],
      ['card_expired', CONSOLE.lang === 'en' ? 'Card valid today' : '证件在有效期内'],
      ['birth_mismatch', CONSOLE.lang === 'en' ? 'Birth date consistent' : '出生日期一致'],
      ['sex_mismatch', CONSOLE.lang === 'en' ? 'Sex consistent' : '性别一致'],
      ['face_no_match', CONSOLE.lang === 'en' ? 'Face matches the registered photo' : '人脸与登记照片一致']];
    var html = rows.map(function (x) {
      var bad = codes.indexOf(x[0]) >= 0 || (x[0] === 'card_expired' && codes.indexOf('card_not_yet_valid') >= 0);
      return '<li class="' + (bad ? 'bad' : 'good') + '">' + (bad ? '✘ ' : '✔ ') + esc(x[1]) + '</li>';
    }).join('');
    r.problems.forEach(function (p) {
      html += '<li class="bad detail">' + esc(CONSOLE.lang === 'en' ? p.message_en : p.message + '（' + p.message_en + '）') + '</li>';
    });
    el('desk-checks').innerHTML = html;
    el('desk-decide').hidden = !!r.decision || !c;
    el('desk-decision').textContent = r.decision ? ((CONSOLE.lang === 'en' ? 'Decision: ' : '处理结果：') + r.decision + ' · ' + (r.decided_by || '') + (r.reason ? ' · ' + r.reason : '')) : '';
  }

  function refresh() {
    return fetch('/console/api/desk', {credentials: 'same-origin'}).then(function (r) { return r.json(); }).then(function (d) { if (d.ok) draw(d); });
  }
  function rosterStates() {
    snapshot().then(function (s) {
      if (!s || !s.ok) return;
      s.seats.forEach(function (x) {
        var row = document.querySelector('tr[data-cid="' + x.candidate_id + '"] .st');
        if (row) { row.textContent = L(x.state_label); row.dataset.state = x.state; }
      });
    });
  }
  window.onRoomUpdate = function (u) {
    refresh();
    // on (re)connect too: pushes missed while the socket was away are caught up
    if (!u || updateHas(u, ['checkin', 'return', 'desk_decision'])) rosterStates();
  };
  el('btn-admit').addEventListener('click', function () {
    if (current) consoleApi('desk_admit', {read_id: current.id, reason: el('desk-reason').value}).then(function (r) { if (r.ok) { el('desk-reason').value = ''; refresh(); rosterStates(); } });
  });
  el('btn-refuse').addEventListener('click', function () {
    if (current) consoleApi('desk_refuse', {read_id: current.id, reason: el('desk-reason').value}).then(function () { refresh(); rosterStates(); });
  });
  document.querySelectorAll('.sim-card').forEach(function (b) {
    b.addEventListener('click', function () { consoleApi('sim_card', {candidate_id: Number(b.dataset.cid)}); });
  });
  refresh();
})();
