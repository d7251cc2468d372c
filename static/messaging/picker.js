// Recipient picker: as the name is typed, show the matching people one may
// write to (the "Find" button does the same without JavaScript).
(function () {
  "use strict";
  var input = document.getElementById("msg-find-q");
  var box = document.getElementById("msg-found");
  if (!input || !box || !window.fetch) return;
  var url = input.getAttribute("data-recipients-url");
  var empty = document.getElementById("msg-found-empty");
  var timer = null;
  function chosen() {
    var set = {};
    document.querySelectorAll('input[name="to"]:checked').forEach(function (el) { set[el.value] = true; });
    return set;
  }
  function render(results) {
    var keep = chosen();
    var list = document.createElement("ul");
    list.className = "msg-choices";
    results.forEach(function (r) {
      if (keep[r.token]) return;
      var li = document.createElement("li");
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox"; box.name = "to"; box.value = r.token;
      box.addEventListener("change", function () {
        if (box.checked) document.getElementById("msg-chosen").appendChild(li);
      });
      var meta = document.createElement("span");
      meta.className = "msg-meta";
      meta.textContent = (r.detail ? " (" + r.detail + ")" : "") + " · " + r.school;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + r.name + " "));
      label.appendChild(meta);
      li.appendChild(label);
      list.appendChild(li);
    });
    if (!list.children.length) {
      var li = document.createElement("li");
      li.textContent = empty ? empty.content.textContent : "";
      list.appendChild(li);
    }
    box.replaceChildren(list);
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) { box.replaceChildren(); return; }
    timer = setTimeout(function () {
      fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { render(data.results || []); })
        .catch(function () {});
    }, 250);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); }
  });
})();
