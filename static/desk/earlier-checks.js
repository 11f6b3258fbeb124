// Earlier checks as a reporter types a claim's statement (tracker/desk/admin/intake.py).
// Beside the statement it lists the few claims the desk has checked, or is checking,
// that the statement most likely repeats, and offers one choice: "This repeats ...",
// which fills the form's hidden `repeats` field. Without this script the form
// works the same, and the claim's page offers the repeats once the draft is saved.
(function () {
  "use strict";
  var WAIT_MS = 450; // after the last key stroke
  var MIN_WORDS = 3;

  function element(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    if (text) node.textContent = text;
    return node;
  }

  function setUp(hidden) {
    var prefix = hidden.name.slice(0, hidden.name.length - "repeats".length);
    var form = hidden.form;
    var statement = form && form.querySelector('[name="' + prefix + 'statement"]');
    if (!statement || !window.fetch) return;
    var url = hidden.getAttribute("data-earlier-checks");
    var exclude = hidden.getAttribute("data-exclude") || "";
    var panel = element("div", { "class": "desk-intake", "aria-live": "polite", id: hidden.id + "-panel" });
    var row = statement.closest(".form-row") || statement;
    row.parentNode.insertBefore(panel, row.nextSibling);
    statement.setAttribute("aria-describedby",
      ((statement.getAttribute("aria-describedby") || "") + " " + panel.id).trim());

    var timer = null;
    var pending = null;
    var asked = "";

    function choose(value) {
      hidden.value = value;
    }

    function show(results, note) {
      panel.textContent = "";
      if (!results.length) {
        if (note) panel.appendChild(element("p", { "class": "help" }, note));
        if (hidden.value) choose("");
        return;
      }
      var fieldset = element("fieldset", { "class": "desk-intake-choice" });
      fieldset.appendChild(element("legend", {}, "This repeats …"));
      var list = element("ol", { "class": "desk-intake-list" });
      var still = false;
      var name = prefix + "earlier-pick";
      function option(value, label, detail, link) {
        var item = element("li");
        var id = hidden.id + "-pick-" + (value || "none");
        var radio = element("input", { type: "radio", name: name, value: value, id: id });
        if (String(hidden.value) === String(value)) {
          radio.checked = true;
          still = true;
        }
        radio.addEventListener("change", function () {
          if (radio.checked) choose(value);
        });
        var text = element("label", { "for": id }, label);
        item.appendChild(radio);
        item.appendChild(text);
        if (detail) item.appendChild(element("span", { "class": "help desk-intake-detail" }, detail));
        if (link) {
          var open = element("a", { href: link, target: "_blank", rel: "noopener" }, "open");
          open.appendChild(element("span", { "class": "desk-sr" }, " this earlier check in a new tab"));
          item.appendChild(document.createTextNode(" "));
          item.appendChild(open);
        }
        list.appendChild(item);
      }
      results.forEach(function (result) {
        option(String(result.id), result.statement,
          result.verdict + " · " + result.state + " · " + result.score + "% alike", result.url);
      });
      option("", "None of these: this is a new claim", "", "");
      if (!still) {
        choose("");
        list.querySelector('input[value=""]').checked = true;
      }
      fieldset.appendChild(list);
      panel.appendChild(element("p", { "class": "desk-intake-title" },
        results.length === 1 ? "An earlier check says much the same:" :
          results.length + " earlier checks say much the same, closest first:"));
      panel.appendChild(fieldset);
    }

    function lookUp() {
      var text = statement.value.replace(/\s+/g, " ").trim();
      if (text === asked) return;
      asked = text;
      if (pending) pending.abort();
      if (text.split(" ").length < MIN_WORDS) {
        show([], "");
        return;
      }
      pending = window.AbortController ? new AbortController() : null;
      var address = url + "?q=" + encodeURIComponent(text) + (exclude ? "&exclude=" + encodeURIComponent(exclude) : "");
      panel.setAttribute("aria-busy", "true");
      fetch(address, { credentials: "same-origin", signal: pending ? pending.signal : undefined,
                       headers: { "Accept": "application/json" } })
        .then(function (response) {
          return response.json().then(function (data) {
            return { status: response.status, data: data };
          });
        })
        .then(function (answer) {
          panel.removeAttribute("aria-busy");
          if (answer.status === 200) {
            show(answer.data.results || [], answer.data.results && answer.data.results.length ? "" :
              "No earlier check says much the same.");
          } else {
            asked = ""; // ask again after the next pause
            show([], answer.data.error || "");
          }
        })
        .catch(function () {
          panel.removeAttribute("aria-busy");
        });
    }

    statement.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, WAIT_MS);
    });
    if (statement.value) lookUp();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-earlier-checks]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
