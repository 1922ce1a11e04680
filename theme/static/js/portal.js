/* 红网 reader-side helpers, no library: the large-text toggle (remembered in localStorage only)
   and notice states recomputed from the reader's clock, so a page built on Monday is still right on Friday.
   Without this script the build-time state and the dates stay on the page. */
(function () {
  "use strict";
  var root = document.documentElement;
  var KEY = "hw-large-text";
  var DAY = 86400000;

  function remembered() {
    try { return window.localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }
  function remember(on) {
    try { if (on) { window.localStorage.setItem(KEY, "1"); } else { window.localStorage.removeItem(KEY); } } catch (e) { /* private mode */ }
  }
  function setLarge(on) {
    root.className = root.className.replace(/\s*\blarge-text\b/g, "") + (on ? " large-text" : "");
  }
  if (remembered()) { setLarge(true); }  // before first paint: the script is loaded in <head>

  // Today in Beijing time (UTC+8, no daylight saving), whatever the reader's PC time zone is.
  function today() { return new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10); }
  function utc(iso) { var p = iso.split("-"); return Date.UTC(+p[0], +p[1] - 1, +p[2]); }

  // Working days from..to inclusive by the official calendar; null when a year is not in it.
  function workdays(calendar, from, to) {
    var count = 0;
    for (var t = utc(from); t <= utc(to); t += DAY) {
      var iso = new Date(t).toISOString().slice(0, 10);
      if (calendar.years.indexOf(+iso.slice(0, 4)) < 0) { return null; }
      var weekday = new Date(t).getUTCDay();
      var working = weekday > 0 && weekday < 6;
      if (calendar.holidays.indexOf(iso) >= 0) { working = false; }
      if (calendar.workdays.indexOf(iso) >= 0) { working = true; }
      if (working) { count += 1; }
    }
    return count;
  }

  function describe(start, end, now, calendar) {
    if (now < start) {
      return { state: "即将开始", css: "upcoming", note: Math.round((utc(start) - utc(now)) / DAY) + "天后开始" };
    }
    if (now > end) { return { state: "已结束", css: "closed", note: "" }; }
    var left = calendar ? workdays(calendar, now, end) : null;
    var note = left === null ? "" : "还剩" + left + "个工作日";
    if (now === end) { note = note ? note + "，今天截止" : "今天截止"; }
    return { state: "公示中", css: "open", note: note };
  }

  function updateNotices() {
    var data = document.getElementById("hw-workdays");
    var calendar = null;
    try { calendar = data ? JSON.parse(data.textContent) : null; } catch (e) { calendar = null; }
    var now = today();
    var spans = document.querySelectorAll("[data-notice-start][data-notice-end]");
    for (var i = 0; i < spans.length; i += 1) {
      var span = spans[i];
      var start = span.getAttribute("data-notice-start"), end = span.getAttribute("data-notice-end");
      if (!start || !end) { continue; }
      var found = describe(start, end, now, calendar);
      span.textContent = found.state;
      span.className = "state state-" + found.css;
      var note = span.nextSibling;
      if (!(note && note.className === "remaining")) {
        note = document.createElement("span");
        note.className = "remaining";
        span.parentNode.insertBefore(note, span.nextSibling);
      }
      note.textContent = found.note;
    }
  }

  function wireTextSize() {
    var button = document.getElementById("text-size");
    if (!button) { return; }
    button.hidden = false;
    button.setAttribute("aria-pressed", String(/\blarge-text\b/.test(root.className)));
    button.addEventListener("click", function () {
      var on = button.getAttribute("aria-pressed") !== "true";
      setLarge(on);
      remember(on);
      button.setAttribute("aria-pressed", String(on));
    });
  }

  function wirePrint() {
    var buttons = document.querySelectorAll("[data-print]");
    for (var i = 0; i < buttons.length; i += 1) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function () { window.print(); });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    wireTextSize();
    wirePrint();
    updateNotices();
  });
}());
