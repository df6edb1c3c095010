// Offline intake: each registration is queued in IndexedDB with its own idempotency key and sent when
// there is a connection. A retried send (lost answer, reload, second tab) carries the same key, so the
// server stores it once. The page works without this script too (it then posts the form directly).
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form || !window.indexedDB || !window.fetch) return;

  var HOUSEHOLD = ["current_city", "in_shelter", "shelter_name", "contact_phone", "contact_whatsapp", "preferred_language", "notes"];
  var PERSON = ["given_names", "first_family_name", "second_family_name", "date_of_birth", "date_of_birth_estimated", "sex",
    "nationality", "languages", "relationship_to_head", "a_number", "arrival_date", "immigration_court",
    "next_hearing_date", "vulnerabilities", "narrative", "notes"];
  var FLAGS = ["in_shelter", "contact_whatsapp", "date_of_birth_estimated"];
  var LISTS = ["languages", "vulnerabilities"];
  var ROWS = 6;
  var text = form.dataset;
  var box = document.getElementById("outbox");
  var statusLine = document.getElementById("outbox-status");
  var list = document.getElementById("outbox-list");
  var syncing = false;

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/intake/sw.js", { scope: "/intake/" }).catch(function () {});
  }

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("refugio-intake", 1);
      request.onupgradeneeded = function () { request.result.createObjectStore("outbox", { keyPath: "key" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function store(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("outbox", mode);
        var result = work(tx.objectStore("outbox"));
        tx.oncomplete = function () { resolve(result && result.result); db.close(); };
        tx.onerror = function () { reject(tx.error); db.close(); };
      });
    });
  }

  var outbox = {
    all: function () { return store("readonly", function (s) { return s.getAll(); }); },
    put: function (item) { return store("readwrite", function (s) { s.put(item); }); },
    remove: function (key) { return store("readwrite", function (s) { s["delete"](key); }); }
  };

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function value(data, name, field) {
    if (LISTS.indexOf(field) >= 0) return data.getAll(name).filter(Boolean);
    if (FLAGS.indexOf(field) >= 0) return data.get(name) === "on";
    var v = data.get(name);
    return typeof v === "string" ? v.trim() : "";
  }

  function collect() {
    var data = new FormData(form);
    var body = { members: [], consent: data.get("consent") === "on" };
    var org = data.get("organisation_id");
    if (org) body.organisation_id = parseInt(org, 10);
    HOUSEHOLD.forEach(function (field) {
      var v = value(data, "h-" + field, field);
      if (v !== "" && !(Array.isArray(v) && !v.length)) body[field] = v;
    });
    for (var i = 0; i < ROWS; i++) {
      var p = "m" + i + "-";
      if (i > 0 && !value(data, p + "given_names", "") && !value(data, p + "first_family_name", "")) continue;
      var person = {};
      PERSON.forEach(function (field) {
        var v = value(data, p + field, field);
        if (v !== "" && v !== false && !(Array.isArray(v) && !v.length)) person[field] = v;
      });
      body.members.push(person);
    }
    var raw = [];
    data.forEach(function (v, k) { if (k !== "csrfmiddlewaretoken" && k !== "idempotency_key") raw.push([k, v]); });
    var head = body.members[0] || {};
    return { key: newKey(), body: body, raw: raw, label: [head.given_names, head.first_family_name].join(" ").trim(), createdAt: Date.now(), error: null };
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function say(message) { statusLine.textContent = message; }

  function render(sentCodes) {
    return outbox.all().then(function (items) {
      list.textContent = "";
      items.sort(function (a, b) { return a.createdAt - b.createdAt; }).forEach(function (item) {
        var li = document.createElement("li");
        li.dataset.key = item.key;
        if (item.error) {
          li.textContent = item.label + " — " + text.msgRejected + " " + item.error + " ";
          var edit = document.createElement("button");
          edit.type = "button";
          edit.className = "link";
          edit.textContent = text.msgEdit;
          edit.addEventListener("click", function () { reopen(item); });
          li.appendChild(edit);
        } else {
          li.textContent = text.msgWaiting + " " + item.label;
        }
        list.appendChild(li);
      });
      (sentCodes || []).forEach(function (sent) {
        var li = document.createElement("li");
        li.className = "sent";
        li.textContent = sent.label + " — " + text.msgSent + " " + sent.code;
        list.appendChild(li);
      });
      box.hidden = !items.length && !(sentCodes && sentCodes.length);
      return items;
    });
  }

  function reopen(item) {
    // A rejected registration was not stored; correcting it makes a new request with a new key.
    form.reset();
    item.raw.forEach(function (pair) {
      var fields = form.querySelectorAll('[name="' + pair[0] + '"]');
      fields.forEach(function (field) {
        if (field.type === "checkbox" || field.type === "radio") {
          if (field.value === pair[1]) field.checked = true;
        } else if (field.tagName === "SELECT" && field.multiple) {
          Array.prototype.forEach.call(field.options, function (o) { if (o.value === pair[1]) o.selected = true; });
        } else {
          field.value = pair[1];
        }
      });
    });
    form.querySelectorAll("details.member").forEach(function (d) {
      if (d.querySelector("input[name$='given_names']").value) d.open = true;
    });
    outbox.remove(item.key).then(function () { render(); form.scrollIntoView(); });
  }

  function sync() {
    if (syncing) return Promise.resolve();
    syncing = true;
    var sent = [];
    return outbox.all().then(function (items) {
      var chain = Promise.resolve(true);
      items.filter(function (i) { return !i.error; }).forEach(function (item) {
        chain = chain.then(function (goOn) {
          if (!goOn) return false;
          return fetch(form.dataset.api, {
            method: "POST",
            credentials: "same-origin",
            headers: {
              "Content-Type": "application/json",
              "Accept": "application/json",
              "X-CSRFToken": csrfToken(),
              "Idempotency-Key": item.key,
              "Accept-Language": document.documentElement.lang || "es"
            },
            body: JSON.stringify(item.body)
          }).then(function (response) {
            if (response.status === 201 || response.status === 200) {
              return response.json().then(function (answer) {
                sent.push({ label: item.label, code: answer.registration_code });
                say("");  // the connection is back: an earlier "no connection" no longer holds
                return outbox.remove(item.key).then(function () { return true; });
              });
            }
            if (response.status === 401 || response.status === 403) { say(text.msgSignin); return false; }
            if (response.status >= 500 || response.status === 429) return false;  // try again later
            return response.json().then(function (problem) {
              var details = Object.keys(problem.fields || {}).map(function (k) { return k + ": " + problem.fields[k]; });
              item.error = [problem.message].concat(details).join(" ");
              return outbox.put(item).then(function () { return true; });
            });
          }, function () { say(text.msgOffline); return false; });
        });
      });
      return chain;
    }).then(function () {
      syncing = false;
      return render(sent);
    }, function () { syncing = false; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var item = collect();
    outbox.put(item).then(function () {
      form.reset();
      form.querySelectorAll("details.member").forEach(function (d) { d.open = false; });
      say(text.msgQueued);
      return render();
    }).then(sync);
  });

  window.addEventListener("online", sync);
  setInterval(sync, 30000);
  render().then(sync);
  window.refugioIntake = { sync: sync, outbox: outbox };
}());
