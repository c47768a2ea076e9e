// 任前法律考试 paper. The server is the only clock and the only copy of the answers:
// every change is posted at once (text after a short pause), unsent changes are retried every
// few seconds and kept in localStorage until the server has them, and every answer says the
// version it was based on, so a second tab on the same attempt can never overwrite a newer
// answer (the server refuses the stale save and the page shows the newer one). The timer
// only counts down between the server's figures (`remaining`, sent with every response).
(() => {
  const root = document.getElementById("exam");
  if (!root) return;
  const csrf = root.dataset.csrf;
  const storeKey = root.dataset.key;
  const grace = Number(root.dataset.grace || 15);
  const timer = root.querySelector("[data-role=timer]");
  const status = root.querySelector("[data-role=status]");
  const answeredBox = root.querySelector("[data-role=answered]");
  const sections = new Map();
  const pending = new Map(); // question number -> {value, base}
  const inflight = new Set();
  let remaining = Number(root.dataset.remaining || 0);
  let syncedAt = performance.now();
  let closing = false;

  function say(text, tone) {
    status.textContent = text;
    status.className = "small flex-fill " + (tone === "bad" ? "text-danger fw-bold" : "text-muted");
  }

  function readValue(sec) {
    const type = sec.dataset.type;
    const inputs = [...sec.querySelectorAll(`[name="q${sec.dataset.q}"]`)];
    if (type === "single") {
      const on = inputs.find((i) => i.checked);
      return on ? Number(on.value) : null;
    }
    if (type === "multiple") return inputs.filter((i) => i.checked).map((i) => Number(i.value));
    if (type === "true_false") {
      const on = inputs.find((i) => i.checked);
      return on ? on.value === "true" : null;
    }
    return inputs[0].value;
  }

  function writeValue(sec, value) {
    const type = sec.dataset.type;
    const inputs = [...sec.querySelectorAll(`[name="q${sec.dataset.q}"]`)];
    if (type === "single") inputs.forEach((i) => { i.checked = value !== null && Number(i.value) === value; });
    else if (type === "multiple") inputs.forEach((i) => { i.checked = Array.isArray(value) && value.includes(Number(i.value)); });
    else if (type === "true_false") inputs.forEach((i) => { i.checked = value !== null && (i.value === "true") === value; });
    else inputs[0].value = value || "";
    mark(sec, value);
  }

  function isAnswered(value) {
    if (typeof value === "string") return value.trim() !== "";
    return value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0);
  }

  function mark(sec, value) {
    const nav = root.querySelector(`[data-nav="${sec.dataset.q}"]`);
    if (nav) {
      nav.classList.toggle("btn-primary", isAnswered(value));
      nav.classList.toggle("btn-outline-secondary", !isAnswered(value));
    }
    const count = [...sections.values()].filter((s) => isAnswered(readValue(s))).length;
    answeredBox.textContent = String(count);
  }

  function note(sec, text, tone) {
    const box = sec.querySelector("[data-role=saved]");
    box.textContent = text;
    box.className = "small mt-1 " + (tone === "bad" ? "text-danger" : "text-muted");
  }

  function persist() {
    try {
      if (pending.size) localStorage.setItem(storeKey, JSON.stringify(Object.fromEntries(pending)));
      else localStorage.removeItem(storeKey);
    } catch (e) { /* private mode: the retries still run */ }
  }

  function sync(data) {
    if (typeof data.remaining === "number") {
      remaining = data.remaining;
      syncedAt = performance.now();
    }
    if (data.state === "submitted" && !closing) {
      closing = true;
      pending.clear();
      persist();
      window.location.reload();
    }
  }

  function clock(now) {
    return now.toLocaleTimeString("zh-CN", { hour12: false });
  }

  async function send(n) {
    const item = pending.get(n);
    if (!item || inflight.has(n) || closing) return;
    const sec = sections.get(n);
    inflight.add(n);
    let response;
    let data;
    try {
      response = await fetch(root.dataset.save, {
        method: "POST",
        headers: { "X-CSRFToken": csrf, Accept: "application/json" },
        body: new URLSearchParams({ q: n, v: item.base, value: JSON.stringify(item.value) }),
        credentials: "same-origin",
      });
      data = await response.json();
    } catch (e) {
      inflight.delete(n);
      say("网络中断：答案暂存在本机，恢复后自动保存", "bad");
      return;
    }
    inflight.delete(n);
    sync(data);
    if (response.ok) {
      sec.dataset.version = String(data.version);
      if (pending.get(n) === item) pending.delete(n);
      else if (pending.has(n)) pending.get(n).base = data.version; // typed on meanwhile
      persist();
      note(sec, `已保存 ${clock(new Date())}`);
      if (!pending.size) say("答案已全部保存");
      if (pending.has(n)) send(n);
    } else if (response.status === 409) {
      sec.dataset.version = String(data.version);
      pending.delete(n);
      persist();
      writeValue(sec, data.value);
      note(sec, "这道题已在另一个窗口修改，已载入最新保存的答案", "bad");
    } else if (response.status === 400 || response.status === 404) {
      pending.delete(n);
      persist();
      note(sec, data.error || "未保存", "bad");
    } else {
      say(data.error || "未保存", "bad");
      note(sec, data.error || "未保存", "bad");
    }
  }

  function flushAll() {
    pending.forEach((_, n) => send(n));
  }

  function changed(sec) {
    const n = Number(sec.dataset.q);
    const value = readValue(sec);
    const old = pending.get(n);
    pending.set(n, { value, base: old ? old.base : Number(sec.dataset.version) });
    persist();
    mark(sec, value);
    note(sec, "保存中…");
    send(n);
  }

  root.querySelectorAll("[data-q]").forEach((sec) => {
    sections.set(Number(sec.dataset.q), sec);
    const saved = sec.querySelector("script[type='application/json']");
    writeValue(sec, saved ? JSON.parse(saved.textContent) : null);
  });
  // Changes this browser made but the server never confirmed (a reload while offline) come
  // back only if the server's answer is still the one they were based on.
  try {
    const kept = JSON.parse(localStorage.getItem(storeKey) || "{}");
    Object.entries(kept).forEach(([key, item]) => {
      const sec = sections.get(Number(key));
      if (sec && item && item.base === Number(sec.dataset.version)) {
        pending.set(Number(key), item);
        writeValue(sec, item.value);
      }
    });
    persist();
  } catch (e) { /* nothing kept */ }
  sections.forEach((sec) => mark(sec, readValue(sec)));

  const typing = new Map();
  root.addEventListener("change", (event) => {
    const sec = event.target.closest("[data-q]");
    if (sec) changed(sec);
  });
  root.addEventListener("input", (event) => {
    const sec = event.target.closest("[data-q]");
    if (!sec || !["fill_in", "short_answer"].includes(sec.dataset.type)) return;
    clearTimeout(typing.get(sec));
    typing.set(sec, setTimeout(() => changed(sec), 800));
  });

  function post(url, fields) {
    return fetch(url, {
      method: "POST",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      body: new URLSearchParams(fields),
      credentials: "same-origin",
      keepalive: true,
    }).then((r) => r.json()).then(sync).catch(() => {});
  }

  document.addEventListener("visibilitychange", () => {
    post(root.dataset.event, { kind: document.hidden ? "lost" : "back" });
    if (!document.hidden) { flushAll(); refresh(); }
  });
  window.addEventListener("online", flushAll);

  async function refresh() {
    try {
      const response = await fetch(root.dataset.state, { credentials: "same-origin", headers: { Accept: "application/json" } });
      const data = await response.json();
      sync(data);
      Object.entries(data.answers || {}).forEach(([key, answer]) => {
        const n = Number(key);
        const sec = sections.get(n);
        if (sec && !pending.has(n) && answer.version > Number(sec.dataset.version)) {
          sec.dataset.version = String(answer.version);
          writeValue(sec, answer.value);
          note(sec, "已载入另一个窗口保存的答案");
        }
      });
    } catch (e) {
      say("网络中断：答案暂存在本机，恢复后自动保存", "bad");
    }
  }

  function two(n) { return String(n).padStart(2, "0"); }
  let overSince = null;
  function tick() {
    const left = Math.max(0, Math.floor(remaining - (performance.now() - syncedAt) / 1000));
    const h = Math.floor(left / 3600);
    const m = Math.floor((left % 3600) / 60);
    timer.textContent = (h ? `${h}:` : "") + `${two(m)}:${two(left % 60)}`;
    timer.classList.toggle("text-danger", left <= 300);
    if (left === 0) {
      if (overSince === null) {
        overSince = performance.now();
        say("时间到，正在保存并交卷…", "bad");
        flushAll();
      } else if (performance.now() - overSince > (grace + 2) * 1000) {
        overSince = performance.now();
        refresh(); // the server submits it and the page reloads to 已交卷
      }
    } else {
      overSince = null;
    }
  }
  tick();
  setInterval(tick, 1000);
  setInterval(flushAll, 5000);
  setInterval(refresh, 30000);

  window.addEventListener("beforeunload", (event) => {
    if (pending.size && !closing) event.preventDefault();
  });

  const form = root.querySelector("[data-role=submit-form]");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const blank = [...sections.values()].filter((s) => !isAnswered(readValue(s))).length;
    const ask = blank ? `还有 ${blank} 题未作答，确定交卷吗？交卷后不能再修改。` : "确定交卷吗？交卷后不能再修改。";
    if (!window.confirm(ask)) return;
    flushAll();
    const wait = () => (inflight.size ? setTimeout(wait, 200) : (closing = true, persist(), form.submit()));
    wait();
  });
})();
