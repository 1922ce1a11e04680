/* 红网: what changes with the reader's clock, kept true between builds without a rebuild.
   - 紧急发布: alert/current.js (one small file the build rewrites alone) lists the alerts not yet expired when
     the site was built; a banner links to each one only between its start and its expiry.
   - 在线访谈: 预告 / 进行中 / 已结束 from the interview's start and end; the 提问 box only before the start.
   No library; nothing is sent anywhere. Without JavaScript the build-time state stays on the page. */
(function () {
  "use strict";
  var MINUTE = 60000;

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function time(iso, fallback) { var t = iso ? Date.parse(iso) : NaN; return isNaN(t) ? fallback : t; }

  function showAlerts(now) {
    var box = document.getElementById("hw-alerts");
    if (!box) { return; }
    var alerts = window.HW_ALERTS || [];
    var root = box.getAttribute("data-root") || ".";
    clear(box);
    for (var i = 0; i < alerts.length; i += 1) {
      var alert = alerts[i];
      if (!(time(alert.start, -Infinity) <= now && now < time(alert.expires, Infinity))) { continue; }
      var line = document.createElement("p");
      line.className = "alert-banner alert-" + alert.level;
      var label = document.createElement("strong");
      label.textContent = "紧急发布" + (alert.levelName ? "（" + alert.levelName + "）" : "") + "：";
      var link = document.createElement("a");
      link.href = root + "/" + alert.url;
      link.textContent = alert.title;
      line.appendChild(label);
      line.appendChild(link);
      box.appendChild(line);
    }
    box.hidden = !box.firstChild;
  }

  var STATES = { upcoming: "预告", live: "进行中", ended: "已结束" };

  function interviewState(start, end, now) {
    if (now < start) { return "upcoming"; }
    return now < end ? "live" : "ended";
  }

  function showInterviews(now) {
    var spans = document.querySelectorAll("[data-interview-start]");
    for (var i = 0; i < spans.length; i += 1) {
      var span = spans[i];
      var start = time(span.getAttribute("data-interview-start"), NaN);
      if (isNaN(start)) { continue; }
      var state = interviewState(start, time(span.getAttribute("data-interview-end"), start + 2 * 3600000), now);
      span.textContent = STATES[state];
      span.className = "state state-" + state;
    }
    var asks = document.querySelectorAll("[data-interview-before]");
    for (var j = 0; j < asks.length; j += 1) {
      asks[j].hidden = now >= time(asks[j].getAttribute("data-interview-before"), Infinity);
    }
  }

  function tick() {
    var now = Date.now();
    showAlerts(now);
    showInterviews(now);
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, MINUTE);  // a page left open loses an expired banner within a minute
  });
}());
