/* 红网 reader-side helpers, no library:
   - 适老化 (MIIT elder-friendly norms): text-size steps, a high-contrast mode and read-aloud with the browser's
     own speech synthesis. Choices are remembered in localStorage only (never a cookie) and applied before the
     page is drawn (this script loads in <head>); each control's text says which mode is on, and a status line
     announces a change to screen readers. Without JavaScript the buttons stay hidden and the page is as built.
   - notice states recomputed from the reader's clock, so a page built on Monday is still right on Friday.
     Without this script the build-time state and the dates stay on the page. */
(function () {
  "use strict";
  var root = document.documentElement;
  var SIZES = [["", "标准"], ["text-l", "大"], ["text-xl", "特大"], ["text-xxl", "超大"]];
  var SIZE_KEY = "hw-text-size", CONTRAST_KEY = "hw-contrast", OLD_KEY = "hw-large-text";
  var DAY = 86400000;

  function load(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function save(key, value) {
    try {
      if (value) { window.localStorage.setItem(key, value); } else { window.localStorage.removeItem(key); }
    } catch (e) { /* private mode: the choice lasts for this page */ }
  }
  function setClass(name, on) {
    root.className = (" " + root.className + " ").replace(" " + name + " ", " ").trim() + (on ? " " + name : "");
  }
  function sizeStep() {
    var step = parseInt(load(SIZE_KEY), 10);
    if (isNaN(step) && load(OLD_KEY) === "1") { step = 1; }  // the single 大字版 toggle of earlier versions
    return step >= 0 && step < SIZES.length ? step : 0;
  }
  function applySize(step) {
    for (var i = 1; i < SIZES.length; i += 1) { setClass(SIZES[i][0], i === step); }
  }
  var currentSize = sizeStep();
  applySize(currentSize);  // before first paint
  setClass("high-contrast", load(CONTRAST_KEY) === "1");

  function announce(text) {
    var status = document.getElementById("tool-status");
    if (status) { status.textContent = text; }
  }

  function wireTextSize() {
    var button = document.getElementById("text-size");
    if (!button) { return; }
    var show = function (step) { button.textContent = "字号：" + SIZES[step][1]; };
    button.hidden = false;
    show(currentSize);
    button.addEventListener("click", function () {
      var step = currentSize = (currentSize + 1) % SIZES.length;
      applySize(step);
      save(SIZE_KEY, step ? String(step) : "");
      save(OLD_KEY, "");
      show(step);
      announce("字号已调为" + SIZES[step][1]);
    });
  }

  function wireContrast() {
    var button = document.getElementById("contrast");
    if (!button) { return; }
    var show = function (on) {
      button.setAttribute("aria-pressed", String(on));
      button.textContent = "高对比度：" + (on ? "开" : "关");
    };
    button.hidden = false;
    show(/(^|\s)high-contrast(\s|$)/.test(root.className));
    button.addEventListener("click", function () {
      var on = !/(^|\s)high-contrast(\s|$)/.test(root.className);
      setClass("high-contrast", on);
      save(CONTRAST_KEY, on ? "1" : "");
      show(on);
      announce(on ? "已打开高对比度模式" : "已关闭高对比度模式");
    });
  }

  // Read aloud: the page's main text, sentence by sentence (long utterances stop early in some browsers).
  function wireReadAloud() {
    var button = document.getElementById("read-aloud");
    var speech = window.speechSynthesis;
    if (!button || !speech || typeof window.SpeechSynthesisUtterance !== "function") { return; }
    var reading = false;
    var show = function (on) {
      reading = on;
      button.setAttribute("aria-pressed", String(on));
      button.textContent = on ? "停止朗读" : "朗读本页";
    };
    button.hidden = false;
    button.addEventListener("click", function () {
      speech.cancel();
      if (reading) { show(false); announce("已停止朗读"); return; }
      var main = document.getElementById("main");
      var text = main ? (main.innerText || main.textContent || "") : "";
      var parts = text.replace(/\s+/g, " ").replace(/([。！？；!?;])/g, "$1\n").split("\n");
      var queued = 0;
      for (var i = 0; i < parts.length; i += 1) {
        if (!parts[i].trim()) { continue; }
        var utterance = new window.SpeechSynthesisUtterance(parts[i]);
        utterance.lang = "zh-CN";
        utterance.rate = 0.9;
        queued += 1;
        utterance.onend = utterance.onerror = function () {
          queued -= 1;
          if (queued <= 0 && reading) { show(false); }
        };
        speech.speak(utterance);
      }
      show(queued > 0);
      announce(queued > 0 ? "开始朗读" : "本页没有可朗读的文字");
    });
    window.addEventListener("pagehide", function () { speech.cancel(); });
  }

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

  function wirePrint() {
    var buttons = document.querySelectorAll("[data-print]");
    for (var i = 0; i < buttons.length; i += 1) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function () { window.print(); });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    wireTextSize();
    wireContrast();
    wireReadAloud();
    wirePrint();
    updateNotices();
  });
}());
