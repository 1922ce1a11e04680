/* 学习测试: draw questions from the bank in the page, answer, score, explain, print a result sheet.
   Everything happens in this browser: no request is made, nothing is stored, the name typed is only printed.
   Works from a village PC's server and from file:// (the bank is a JSON block in the page). No library. */
(function () {
  "use strict";
  var LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  var TYPES = { single: "单选题", multiple: "多选题", judge: "判断题" };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var key in attrs || {}) {
      if (Object.prototype.hasOwnProperty.call(attrs, key)) { node.setAttribute(key, attrs[key]); }
    }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function draw(questions, count) {
    var pool = questions.slice();
    for (var i = pool.length - 1; i > 0; i -= 1) {
      var j = Math.floor(Math.random() * (i + 1));
      var swap = pool[i]; pool[i] = pool[j]; pool[j] = swap;
    }
    return pool.slice(0, Math.min(count || pool.length, pool.length));
  }

  function choices(q) { return q.type === "judge" ? ["正确", "错误"] : q.options; }
  function correct(q) { return q.type === "judge" ? [q.answer ? 0 : 1] : q.answer; }
  function label(q, indexes) {
    if (!indexes.length) { return "未作答"; }
    return indexes.map(function (i) { return q.type === "judge" ? choices(q)[i] : LETTERS[i]; }).join("");
  }
  function beijingToday() {
    var iso = new Date(Date.now() + 8 * 3600000).toISOString();
    return iso.slice(0, 4) + "年" + iso.slice(5, 7) + "月" + iso.slice(8, 10) + "日";
  }
  function clock(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  function Quiz(app, data) {
    this.app = app;
    this.data = data;
    this.timer = null;
  }

  Quiz.prototype.intro = function () {
    var self = this;
    clear(this.app);
    var form = el("form", { "class": "quiz-start" });
    var field = el("p");
    field.appendChild(el("label", { "for": "hw-quiz-name" }, "姓名（只用于打印成绩单，不上传）"));
    field.appendChild(el("input", { id: "hw-quiz-name", name: "name", type: "text", autocomplete: "name" }));
    form.appendChild(field);
    var limit = this.data.timeLimit ? "，限时 " + this.data.timeLimit + " 分钟" : "";
    form.appendChild(el("p", {}, "每次从题库随机抽取 " + this.data.draw + " 题，答对 " + this.data.passMark + " 题为合格" + limit + "。"));
    form.appendChild(el("button", { type: "submit", "class": "button" }, "开始测试"));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.name = form.elements.name.value.trim();
      self.start();
    });
    this.app.appendChild(form);
  };

  Quiz.prototype.start = function () {
    var self = this;
    this.drawn = draw(this.data.questions, this.data.draw);
    clear(this.app);
    var form = el("form", { "class": "quiz-form", id: "hw-quiz-form" });
    if (this.data.timeLimit) {
      this.left = this.data.timeLimit * 60;
      this.clock = el("p", { "class": "quiz-timer", role: "timer" }, "剩余时间 " + clock(this.left));
      form.appendChild(this.clock);
      this.timer = window.setInterval(function () {
        self.left -= 1;
        self.clock.textContent = "剩余时间 " + clock(Math.max(self.left, 0));
        if (self.left <= 0) { self.finish(true); }
      }, 1000);
    }
    var list = el("ol", { "class": "quiz-questions" });
    this.drawn.forEach(function (q, number) {
      var item = el("li");
      var set = el("fieldset", { "data-question": String(number) });
      set.appendChild(el("legend", {}, "（" + TYPES[q.type] + "）" + q.question));
      choices(q).forEach(function (text, index) {
        var id = "q" + number + "-" + index;
        var row = el("p", { "class": "option" });
        var input = el("input", { type: q.type === "multiple" ? "checkbox" : "radio", name: "q" + number, id: id, value: String(index) });
        row.appendChild(input);
        row.appendChild(el("label", { "for": id }, (q.type === "judge" ? "" : LETTERS[index] + ". ") + text));
        set.appendChild(row);
      });
      item.appendChild(set);
      list.appendChild(item);
    });
    form.appendChild(list);
    form.appendChild(el("button", { type: "submit", "class": "button" }, "交卷"));
    form.addEventListener("submit", function (event) { event.preventDefault(); self.finish(false); });
    this.form = form;
    this.app.appendChild(form);
    var first = form.querySelector("input");
    if (first) { first.focus(); }
  };

  Quiz.prototype.finish = function (timedOut) {
    if (this.done) { return; }
    this.done = true;
    if (this.timer) { window.clearInterval(this.timer); }
    if (this.clock) {
      var used = this.data.timeLimit * 60 - Math.max(this.left, 0);
      this.clock.textContent = "已交卷，用时 " + clock(used);
    }
    var self = this, right = 0;
    var answers = this.drawn.map(function (q, number) {
      var picked = [];
      var inputs = self.form.querySelectorAll("input[name=q" + number + "]");
      for (var i = 0; i < inputs.length; i += 1) {
        if (inputs[i].checked) { picked.push(+inputs[i].value); }
        inputs[i].disabled = true;
      }
      var ok = picked.join(",") === correct(q).slice().sort().join(",");
      if (ok) { right += 1; }
      return { q: q, picked: picked, ok: ok };
    });
    var submit = this.form.querySelector("button[type=submit]");
    if (submit) { submit.disabled = true; }
    this.result(answers, right, timedOut);
  };

  Quiz.prototype.result = function (answers, right, timedOut) {
    var self = this, passed = right >= this.data.passMark;
    var sheet = el("section", { "class": "quiz-result", id: "hw-quiz-result", "aria-labelledby": "h-result", tabindex: "-1" });
    sheet.appendChild(el("h2", { id: "h-result" }, this.data.title + " 成绩单"));
    var facts = el("dl", { "class": "result-facts" });
    [["姓名", this.name || "（未填写）"], ["日期", beijingToday()], ["成绩", "答对 " + right + " / " + answers.length + " 题"],
     ["结果", passed ? "合格" : "不合格（答对 " + this.data.passMark + " 题为合格）"]].forEach(function (pair) {
      var row = el("div");
      row.appendChild(el("dt", {}, pair[0]));
      row.appendChild(el("dd", pair[0] === "结果" ? { "class": passed ? "passed" : "failed", id: "hw-quiz-verdict" } : {}, pair[1]));
      facts.appendChild(row);
    });
    sheet.appendChild(facts);
    if (timedOut) { sheet.appendChild(el("p", { "class": "note" }, "答题时间已到，已自动交卷。")); }
    var list = el("ol", { "class": "result-list" });
    answers.forEach(function (a) {
      var item = el("li", { "class": a.ok ? "right" : "wrong" });
      item.appendChild(el("p", { "class": "result-question" }, a.q.question));
      item.appendChild(el("p", {}, (a.ok ? "✓ 答对" : "✗ 答错") + "　您的答案：" + label(a.q, a.picked) + "　正确答案：" + label(a.q, correct(a.q))));
      item.appendChild(el("p", { "class": "explanation" }, "解析：" + a.q.explanation));
      item.appendChild(el("p", { "class": "source" }, "出处：" + a.q.source));
      list.appendChild(item);
    });
    sheet.appendChild(list);
    var actions = el("p", { "class": "quiz-actions" });
    var print = el("button", { type: "button", "class": "button" }, "打印成绩单");
    print.addEventListener("click", function () { window.print(); });
    var again = el("button", { type: "button", "class": "button" }, "再测一次");
    again.addEventListener("click", function () { self.done = false; self.start(); });
    actions.appendChild(print);
    actions.appendChild(again);
    sheet.appendChild(actions);
    this.app.insertBefore(sheet, this.app.firstChild);
    document.body.className += " quiz-finished";
    sheet.focus();
  };

  document.addEventListener("DOMContentLoaded", function () {
    var app = document.getElementById("hw-quiz-app"), source = document.getElementById("hw-quiz-data");
    if (!app || !source) { return; }
    var data;
    try { data = JSON.parse(source.textContent); } catch (e) { return; }
    var bank = document.getElementById("hw-quiz-static");
    if (bank) { bank.hidden = true; }
    app.hidden = false;
    new Quiz(app, data).intro();
  });
}());
