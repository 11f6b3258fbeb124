// "Edit in desk" on a public page, for signed-in staff only (tracker/desk/desk_link.py).
// The page itself is the same for everyone, so caches may keep it.
(function () {
  if (!/(?:^|;\s*)desk_staff=1/.test(document.cookie)) return;
  var slot = document.getElementById("desk-edit-link");
  if (!slot || !window.fetch) return;
  fetch("/admin/desk-link/?path=" + encodeURIComponent(location.pathname), { credentials: "same-origin" })
    .then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      return response.status === 200 && type.indexOf("application/json") === 0 ? response.json() : null;
    })
    .then(function (data) {
      if (!data || !data.url) return;
      var link = document.createElement("a");
      link.href = data.url;
      link.textContent = "Edit in desk";
      slot.appendChild(link);
      slot.hidden = false;
    })
    .catch(function () {});
})();
