/* Exam control: open check-in, start (with the release code when sealed), end, broadcast, extend all. */
(function () {
  'use strict';
  function val(id) { var e = document.getElementById(id); return e ? e.value : ''; }
  document.querySelectorAll('button[data-act]').forEach(function (b) {
    b.addEventListener('click', function () {
      var act = b.dataset.act, data = {session_id: CONSOLE.session};
      if (act === 'end' && !confirm(CONSOLE.lang === 'en' ? 'End the exam of this room (this class with every paper collected, and every other class of the room that has finished)?' : '确定结束本考场考试？（本场次收回所有试卷；同一考场已全部交卷的其他班级一并结束）')) return;
      if (act === 'start') data.release_code = val('release-code');
      if (act === 'message') data.text = val('broadcast-text');
      if (act === 'extend_all') { act = 'extend'; data.all = true; data.minutes = Number(val('extend-minutes')); data.reason = val('extend-reason'); }
      consoleApi(act, data).then(function (r) {
        if (!r.ok) return;
        var sitting = r.still_running || [], wait = 500;
        if (sitting.length) {
          // classes of the room still answering stay running: say which, before the page reloads
          wait = 6000;
          toast((CONSOLE.lang === 'en' ? 'Still sitting, not ended: ' : '以下班级仍在考试，未结束：') + sitting.map(function (s) {
            return s.title + ' (' + s.session_id + ', ' + s.open + ')';
          }).join('；'), true);
        }
        if (act === 'start' || act === 'end' || act === 'open_checkin') setTimeout(function () { location.reload(); }, wait);
      });
    });
  });
  window.onRoomUpdate = function (u) { if (updateHas(u, ['session'])) location.reload(); };
})();
