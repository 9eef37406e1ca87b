/* Exam control: open check-in, start (with the release code when sealed), end, broadcast, extend all. */
(function () {
  'use strict';
  function val(id) { var e = document.getElementById(id); return e ? e.value : ''; }
  document.querySelectorAll('button[data-act]').forEach(function (b) {
    b.addEventListener('click', function () {
      var act = b.dataset.act, data = {session_id: CONSOLE.session};
      if (act === 'end' && !confirm(CONSOLE.lang === 'en' ? 'End the exam and collect every paper?' : '确定结束考试并收回所有试卷？')) return;
      if (act === 'start') data.release_code = val('release-code');
      if (act === 'message') data.text = val('broadcast-text');
      if (act === 'extend_all') { act = 'extend'; data.all = true; data.minutes = Number(val('extend-minutes')); data.reason = val('extend-reason'); }
      consoleApi(act, data).then(function (r) { if (r.ok && (act === 'start' || act === 'end' || act === 'open_checkin')) setTimeout(function () { location.reload(); }, 500); });
    });
  });
  window.onRoomUpdate = function (u) { if (updateHas(u, ['session'])) location.reload(); };
})();
