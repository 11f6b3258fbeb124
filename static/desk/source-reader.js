// The source reading page: selecting a passage of the archived text fills the quote
// (and its offset) into the "mark a claim" and "quote as evidence" forms. The server
// anchors the quote itself; without this script a pasted quote works the same way.
(function () {
  "use strict";
  var text = document.getElementById("desk-text");
  if (!text) {
    return;
  }
  var box = document.getElementById("desk-selection");
  var lengthOut = document.getElementById("desk-selection-length");

  function offsetIn(node, offset) {
    var range = document.createRange();
    range.selectNodeContents(text);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function onSelectionChange() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) {
      return;
    }
    var range = selection.getRangeAt(0);
    if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) {
      return;
    }
    var raw = range.toString();
    var quote = raw.trim();
    if (!quote) {
      return;
    }
    var start = offsetIn(range.startContainer, range.startOffset) + (raw.length - raw.replace(/^\s+/, "").length);
    document.querySelectorAll("textarea.desk-quote").forEach(function (field) {
      field.value = quote;
    });
    document.querySelectorAll("input.desk-near").forEach(function (field) {
      field.value = String(start);
    });
    if (box) {
      box.hidden = false;
      lengthOut.textContent = String(quote.length);
    }
  }

  document.addEventListener("selectionchange", onSelectionChange);
  onSelectionChange(); // a selection made while the page was still loading
  // A quote typed or pasted by hand has no known offset: let the server find it.
  document.querySelectorAll("textarea.desk-quote").forEach(function (field) {
    field.addEventListener("input", function () {
      var near = field.form.querySelector("input.desk-near");
      if (near) {
        near.value = "";
      }
    });
  });
})();
