// Follows a running step's log on the log page (LogPage.cs): Server-Sent Events from .../log/stream carry
// complete lines as styled segments; each becomes <li id="Ln"><a class="ln" href="#Ln">n</a><span class=...>text
// </span></li>, built with text nodes only (the log is untrusted). The page scrolls with the log while its end
// is in view, and the "first error" link appears when the first error line arrives.
(function () {
  "use strict";
  var list = document.getElementById("log");
  if (!list || !list.dataset.stream || !window.EventSource) {
    return;
  }
  var allowed = /^(ansi-(fg|bg)-([0-9]|1[0-5])|ansi-(bold|faint|italic|underline))$/;
  var firstError = list.dataset.firstError ? Number(list.dataset.firstError) : null;
  var url = list.dataset.stream + "?offset=" + encodeURIComponent(list.dataset.offset) +
    "&line=" + encodeURIComponent(list.dataset.nextLine);
  var source = new EventSource(url);

  function atBottom() {
    return window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
  }

  function classesOf(value) {
    return (value || "").split(" ").filter(function (c) { return allowed.test(c); }).join(" ");
  }

  function showFirstError(number) {
    var link = document.getElementById("first-error-link");
    if (!link) {
      return;
    }
    var a = document.createElement("a");
    a.id = "first-error-link";
    a.href = "#L" + number;
    a.textContent = "Jump to the first error (line " + number + ")";
    link.replaceWith(a);
  }

  function appendLine(line) {
    var item = document.createElement("li");
    item.id = "L" + line.n;
    var number = document.createElement("a");
    number.className = "ln";
    number.href = "#L" + line.n;
    number.textContent = String(line.n);
    item.appendChild(number);
    (line.s || []).forEach(function (segment) {
      var classes = classesOf(segment.c);
      if (classes) {
        var span = document.createElement("span");
        span.className = classes;
        span.textContent = segment.t;
        item.appendChild(span);
      } else {
        item.appendChild(document.createTextNode(segment.t));
      }
    });
    if (line.e) {
      item.className = "error";
      if (firstError === null) {
        firstError = line.n;
        showFirstError(line.n);
      }
    }
    list.appendChild(item);
  }

  source.addEventListener("lines", function (event) {
    var follow = atBottom();
    JSON.parse(event.data).lines.forEach(appendLine);
    if (follow) {
      window.scrollTo(0, document.body.scrollHeight);
    }
  });

  source.addEventListener("end", function (event) {
    source.close();
    var live = document.getElementById("log-live");
    if (live) {
      live.textContent = "The step finished: " + JSON.parse(event.data).status + ". Reload the page for its summary.";
      live.className = "live ended";
    }
  });
})();
