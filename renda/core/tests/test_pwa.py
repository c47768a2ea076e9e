"""The installable web app: the manifest (content type, JSON, icons that exist), the pages'
head tags, the offline page, the CSP, and the service worker's rules, run in Node against a
fake network and cache: it stores static files and the offline page, never a page."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def test_manifest_is_json_with_the_app_and_its_icons() -> None:
    response = Client().get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    data = json.loads(response.content.decode())
    assert data["name"] == "智慧人大" and data["short_name"]
    assert data["start_url"] == "/workbench/" and data["display"] == "standalone"
    assert data["lang"] == "zh-CN" and data["theme_color"].startswith("#")
    sizes = {(icon["sizes"], icon["purpose"]) for icon in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in data["icons"]:
        found = finders.find(icon["src"].removeprefix("/static/"))
        assert found, icon["src"]
        png = Path(str(found)).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width = int.from_bytes(png[16:20], "big")
        height = int.from_bytes(png[20:24], "big")
        assert f"{width}x{height}" == icon["sizes"]


def test_every_page_links_the_manifest_and_registers_the_worker(client_for: Any) -> None:
    for persona in ("anonymous", "deputy"):
        page = client_for(persona).get("/workbench/" if persona == "deputy" else "/")
        html = page.content.decode()
        assert '<link rel="manifest" href="/manifest.webmanifest">' in html
        assert 'name="theme-color"' in html
        assert 'rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png"' in html
        assert 'data-sw="/sw.js"' in html
    assert finders.find("icons/apple-touch-icon.png")
    assert finders.find("js/sw-register.js")


def test_csp_allows_the_manifest_and_the_worker_from_this_site() -> None:
    policy = Client().get("/")["Content-Security-Policy"]
    assert "manifest-src 'self'" in policy and "worker-src 'self'" in policy


def test_the_worker_is_served_from_the_root_and_private_pages_stay_no_store(
    client_for: Any,
) -> None:
    response = client_for("deputy").get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    page = client_for("deputy").get("/workbench/")
    assert "no-store" in page["Cache-Control"]


def test_the_offline_page_holds_nobodys_data(client_for: Any) -> None:
    html = client_for("deputy").get("/offline/").content.decode()
    assert "网络未连接" in html
    assert "测试deputy" not in html and "退出登录" not in html


HARNESS = r"""
const ORIGIN = "https://renda.example";
const listeners = {};
const stored = new Map();
const fetched = [];
let offline = false;
const noStore = new Set();

class Request {
  constructor(url, init = {}) {
    this.url = new URL(url, ORIGIN).href;
    this.method = init.method || "GET";
    this.mode = init.mode || "cors";
    this.credentials = init.credentials || "same-origin";
  }
}
function fakeResponse(url) {
  const headers = new Headers({ "Cache-Control": noStore.has(url) ? "no-store, private" : "max-age=60" });
  return { ok: true, status: 200, type: "basic", headers, url, clone() { return this; } };
}
const keyOf = (req) => new URL(typeof req === "string" ? req : req.url, ORIGIN).href;
globalThis.Request = Request;
globalThis.Response = { error: () => ({ ok: false, type: "error" }) };
globalThis.self = {
  location: { origin: ORIGIN },
  addEventListener: (type, fn) => { listeners[type] = fn; },
  skipWaiting: async () => {},
  clients: { claim: async () => {} },
};
globalThis.caches = {
  open: async () => ({ put: async (req, res) => { stored.set(keyOf(req), res); } }),
  match: async (req) => stored.get(keyOf(req)),
  keys: async () => [],
  delete: async () => true,
};
globalThis.fetch = async (req, init = {}) => {
  const url = keyOf(req);
  fetched.push({ url, credentials: init.credentials || req.credentials || "same-origin" });
  if (offline) throw new TypeError("Failed to fetch");
  return fakeResponse(url);
};

async function dispatch(type, request) {
  const waits = [];
  let answer = null;
  listeners[type]({
    request,
    waitUntil: (p) => waits.push(p),
    respondWith: (p) => { answer = p; },
  });
  const response = answer ? await answer : null;
  await Promise.all(waits);
  return response;
}

async function main() {
  await dispatch("install", null);
  const afterInstall = [...stored.keys()];
  const asked = {};
  const pages = ["/workbench/", "/meetings/mine/1/", "/deputies/me/", "/suggestions/duty/me/"];
  for (const path of pages) {
    const r = await dispatch("fetch", new Request(path, { mode: "navigate" }));
    asked[path] = r ? r.url : null;
  }
  noStore.add(ORIGIN + "/static/private/report.css");
  const others = [
    new Request("/api/v1/meetings/", {}),
    new Request("/documents/1/download/", {}),
    new Request("/static/css/renda.css", {}),
    new Request("/static/private/report.css", {}),
    new Request("https://cdn.example/static/x.css", {}),
    new Request("/workbench/", { mode: "navigate", method: "POST" }),
  ];
  for (const request of others) {
    const r = await dispatch("fetch", request);
    asked[request.url] = r ? r.url : null;
  }
  offline = true;
  const fallback = await dispatch("fetch", new Request("/workbench/", { mode: "navigate" }));
  console.log(JSON.stringify({
    afterInstall,
    stored: [...stored.keys()],
    asked,
    offlineFetch: fetched.find((f) => f.url.endsWith(CONFIG.offlineUrl)),
    fallback: fallback ? fallback.url : null,
    config: CONFIG,
  }));
}
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node (the front-end setup has it)")
def test_the_worker_caches_static_files_and_the_offline_page_only(tmp_path: Path) -> None:
    script = Client().get("/sw.js").content.decode()
    program = tmp_path / "sw-test.js"
    program.write_text(
        HARNESS + script + "\nmain().catch((e) => { console.error(e); process.exit(1); });\n"
    )
    run = subprocess.run(
        ["node", str(program)], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    origin = "https://renda.example"
    config = out["config"]
    offline_url = origin + config["offlineUrl"]
    assert set(out["afterInstall"]) == {origin + u for u in config["precache"]} | {offline_url}
    # The offline page is fetched without cookies, so it is nobody's page.
    assert out["offlineFetch"]["credentials"] == "omit"
    # Only static files (not one marked no-store) and the offline page are ever stored.
    for url in out["stored"]:
        assert url == offline_url or url.startswith(origin + "/static/"), url
    assert origin + "/static/css/renda.css" in out["stored"]
    assert origin + "/static/private/report.css" not in out["stored"]
    for page in ("/workbench/", "/meetings/mine/1/", "/deputies/me/", "/suggestions/duty/me/"):
        assert origin + page not in out["stored"]
        assert out["asked"][page] == origin + page  # answered from the network
    # Requests the worker leaves to the browser: API, downloads, other sites, a POST.
    assert out["asked"][origin + "/api/v1/meetings/"] is None
    assert out["asked"][origin + "/documents/1/download/"] is None
    assert out["asked"]["https://cdn.example/static/x.css"] is None
    assert out["asked"][origin + "/workbench/"] is None  # the POST
    # Without a network a page shows the cached offline page.
    assert out["fallback"] == offline_url
