"use strict";
// minerscope dashboard: every number comes from the API (/api/v1/...), every chart from
// /figures/PAGE (built on the server from the same documents). No build step, no CDN.
// An element showing an API number carries data-url (the request) and data-path (where in
// the document) and data-value (the number itself), so anyone can check it against the API.

const API = "/api/v1";
const body = document.body;
const page = body.dataset.page;
const refreshS = Number(body.dataset.refreshS || 15);
const t0 = performance.now();
let atText = new URLSearchParams(location.search).get("at") || "";
let dataVersion = null;
let dataRange = null;
let renders = 0;
let rendering = null;

// plotly.js (4.8 MB) loads while the first documents are fetched; charts wait for it.
const plotlyReady = new Promise((resolve, reject) => {
  if (window.Plotly) { resolve(); return; }
  const s = document.createElement("script");
  s.src = "/static/vendor/plotly.min.js";
  s.onload = () => resolve();
  s.onerror = () => reject(new Error("plotly.js did not load"));
  document.head.appendChild(s);
});

function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === "") continue;
    if (Array.isArray(v)) v.forEach((x) => p.append(k, x));
    else p.set(k, String(v));
  }
  const s = p.toString();
  return s ? "?" + s : "";
}

class Problem extends Error {
  constructor(doc) {
    super(doc.detail || doc.title || "request failed");
    this.doc = doc;
  }
}

async function fetchJSON(url, opts) {
  const r = await fetch(url, Object.assign({ credentials: "same-origin",
    headers: { Accept: "application/json" } }, opts || {}));
  let doc;
  try { doc = await r.json(); } catch (e) { doc = { detail: r.status + " " + r.statusText }; }
  if (!r.ok) throw new Problem(doc);
  return doc;
}

function get(doc, path) {
  return path.split(".").reduce((o, k) => (o === null || o === undefined ? undefined : o[k]), doc);
}

const fmt = {
  num: (x, d = 1) => (x === null || x === undefined ? "n/a"
    : Number(x).toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d })),
  usd: (x, d = 0) => (x === null || x === undefined ? "n/a"
    : (x < 0 ? "-$" : "$") + Math.abs(x).toLocaleString("en-US",
      { minimumFractionDigits: d, maximumFractionDigits: d })),
  pct: (x, d = 2) => (x === null || x === undefined ? "n/a" : (x > 0 ? "+" : "") + x.toFixed(d) + "%"),
  when: (iso) => (iso ? iso.replace("T", " ").replace(":00Z", "Z").replace("Z", " UTC") : "n/a"),
  day: (iso) => (iso ? iso.slice(0, 10) : "n/a"),
  int: (x) => (x === null || x === undefined ? "n/a" : Number(x).toLocaleString("en-US")),
};

// A number from a document into an element: the text, and where it came from.
function show(id, doc, path, render) {
  const el = document.getElementById(id);
  if (!el) return;
  const v = doc ? get(doc.doc, path) : undefined;
  el.textContent = render(v, doc ? doc.doc : undefined);
  if (doc && typeof v === "number") {
    el.dataset.url = doc.url;
    el.dataset.path = path;
    el.dataset.value = String(v);
  } else {
    delete el.dataset.url; delete el.dataset.path; delete el.dataset.value;
  }
}

function text(id, s) {
  const el = document.getElementById(id);
  if (el) el.textContent = s;
}

async function doc(path, params, opts) {
  const url = API + path + qs(params);
  return { url, doc: await fetchJSON(url, opts) };
}

async function optional(promise) {
  try { return await promise; } catch (e) { if (e instanceof Problem) return null; throw e; }
}

async function figures(name, params, opts) {
  const [figs] = await Promise.all([fetchJSON("/figures/" + name + qs(params), opts), plotlyReady]);
  const drawn = [];
  for (const [key, fig] of Object.entries(figs)) {
    const el = document.getElementById("fig-" + key);
    if (!el) continue;
    drawn.push(Plotly.react(el, fig.data, fig.layout,
      { responsive: true, displaylogo: false }).then(() => { el.dataset.points = String(
        fig.data.reduce((n, t) => n + ((t.x || t.y || []).length || 0), 0)); }));
  }
  await Promise.all(drawn);
  return figs;
}

function asOfLine(d) {
  if (!d) return "";
  const a = d.doc.as_of || {};
  let s = "as of " + fmt.when(a.time_iso) + (a.text && a.text !== "now" ? " (" + a.text + ")" : " (now)");
  if (a.data_time_iso && a.data_time_iso !== a.time_iso) s += "; data describe " + fmt.when(a.data_time_iso);
  if (a.resolution) s += "; " + a.resolution + " data";
  if (a.note) s += ". " + a.note;
  return s;
}

function days() {
  const el = document.getElementById("days");
  return el ? Number(el.value) : 730;
}

// --- pages --------------------------------------------------------------------------------

const pages = {};

pages.network = async function () {
  const at = atText;
  const figs = figures("network", { at, days: days() });
  const [status, hr, diff] = await Promise.all([
    optional(doc("/status", { at })),
    doc("/hashrate", { at, series_days: days() }),
    optional(doc("/difficulty", { at })),
  ]).catch((e) => { figs.catch(() => {}); throw e; });
  text("asof", asOfLine(hr));
  const windows = hr.doc.windows || [];
  let wi = windows.findIndex((w) => w.window === "1008 blocks" && w.hashrate_ehs != null);
  if (wi < 0) wi = windows.findIndex((w) => w.hashrate_ehs != null);
  if (wi >= 0) {
    show("kpi-hashrate", hr, "windows." + wi + ".hashrate_ehs", (v) => fmt.num(v) + " EH/s");
    const w = windows[wi];
    text("kpi-hashrate-ci", "95% " + fmt.num(w.hashrate_lower_ehs) + " .. " + fmt.num(w.hashrate_upper_ehs) + " over " + w.window);
  } else {
    const daily = hr.doc.daily || [];
    const di = daily.findIndex((w) => w.window.startsWith("7 days"));
    const i = di >= 0 ? di : 0;
    show("kpi-hashrate", daily.length ? hr : null, "daily." + i + ".hashrate_ehs", (v) => fmt.num(v) + " EH/s");
    text("kpi-hashrate-ci", daily.length ? "95% " + fmt.num(daily[i].hashrate_lower_ehs) + " .. "
      + fmt.num(daily[i].hashrate_upper_ehs) + " over " + daily[i].window : "no estimate");
  }
  const dd = hr.doc.drawdown;
  show("kpi-drawdown", dd ? hr : null, "drawdown.change_from_peak_corrected_pct", (v) => fmt.pct(v, 1));
  text("kpi-drawdown-ci", dd ? "95% " + fmt.pct(dd.change_from_peak_lower_pct, 1) + " .. "
    + fmt.pct(dd.change_from_peak_upper_pct, 1)
    + "; peak " + fmt.num(dd.hashrate_peak_ehs) + " EH/s on " + dd.peak_date : "not enough daily rows");
  if (diff) {
    const ep = diff.doc.epoch, na = diff.doc.next_adjustment, hv = diff.doc.halving;
    show("kpi-difficulty", diff, "difficulty_t", (v) => fmt.num(v, 2) + " T");
    text("kpi-epoch", "epoch " + ep.index + ": " + fmt.int(ep.blocks_mined) + " of 2,016 blocks ("
      + fmt.num(ep.progress_pct, 1) + "%)");
    show("kpi-next", diff, "next_adjustment.change_pct.p50", (v) => fmt.pct(v) + (na.exact ? " (exact)" : ""));
    text("kpi-next-ci", "50% " + fmt.pct(na.change_pct.p25) + " .. " + fmt.pct(na.change_pct.p75)
      + "; 90% " + fmt.pct(na.change_pct.p5) + " .. " + fmt.pct(na.change_pct.p95)
      + "; to " + fmt.num(na.next_difficulty_t.p50, 2) + " T");
    show("kpi-retarget-eta", diff, "next_adjustment.retarget_eta.p50.time_s", () => fmt.when(na.retarget_eta.p50.time_iso));
    text("kpi-retarget-eta-ci", "block " + fmt.int(na.retarget_height) + "; p10 " + fmt.when(na.retarget_eta.p10.time_iso)
      + ", p90 " + fmt.when(na.retarget_eta.p90.time_iso));
    show("kpi-blocktime", diff, "epoch.mean_block_time_s", (v) => (v === null || v === undefined ? "n/a"
      : fmt.num(v, 1) + " s"));
    text("kpi-blocktime-sub", ep.mean_block_time_s ? fmt.num(ep.mean_block_time_s / 60, 2) + " min; target 10 min" : "");
    show("kpi-halving", diff, "halving.blocks_left", (v) => fmt.int(v) + " blocks");
    const eta = hv.eta;
    text("kpi-halving-eta", "block " + fmt.int(hv.height) + " at " + (eta ? fmt.day(eta.p50.time_iso)
      + " (p10 " + fmt.day(eta.p10.time_iso) + ", p90 " + fmt.day(eta.p90.time_iso) + ")"
      : fmt.day(hv.eta_at_600s.time_iso) + " at 600 s blocks"));
  } else {
    ["kpi-difficulty", "kpi-next", "kpi-retarget-eta", "kpi-blocktime", "kpi-halving"].forEach((id) => show(id, null, "", () => "n/a"));
    text("kpi-epoch", "no epochs known at this moment");
  }
  const price = status && status.doc.price;
  show("kpi-price", price ? status : null, "price.btc_price_usd", (v) => fmt.usd(v));
  text("kpi-price-src", price ? price.source + ", " + fmt.when(price.time_iso) : "no price known");
  await figs;
};

pages.economics = async function () {
  const at = atText;
  const figs = figures("economics", { at, days: days() });
  const status = await doc("/status", { at }).catch((e) => { figs.catch(() => {}); throw e; });
  text("asof", asOfLine(status));
  const e = status.doc.economics;
  if (!e) {
    ["kpi-hashprice", "kpi-realised", "kpi-revenue", "kpi-cost", "kpi-price", "kpi-puell", "kpi-index"].forEach((id) => show(id, null, "", () => "n/a"));
    await figs;
    return;
  }
  show("kpi-hashprice", status, "economics.hashprice_usd_per_phs_day", (v) => fmt.usd(v, 2) + " /PH/s/day");
  text("kpi-hashvalue", fmt.int(Math.round(e.hashvalue_sat_per_phs_day)) + " sat per PH/s per day");
  const rev = e.revenue;
  show("kpi-realised", rev ? status : null, "economics.revenue.realised_hashprice_usd_per_phs_day",
    (v) => fmt.usd(v, 2) + " /PH/s/day");
  text("kpi-realised-sub", rev ? "on " + rev.date + " (from blocks found)" : "");
  show("kpi-revenue", rev ? status : null, "economics.revenue.revenue_usd", (v) => fmt.usd(v / 1e6, 2) + "M");
  text("kpi-feeshare", rev ? fmt.num(rev.revenue_btc, 2) + " BTC on " + rev.date + "; fees "
    + (rev.fee_share === null ? "n/a" : fmt.num(rev.fee_share * 100, 2) + "%") : "");
  const pc = e.production_cost;
  show("kpi-cost", status, "economics.production_cost.cost_range_low_usd_per_btc", (v) => fmt.usd(v / 1e3, 1) + "k .. "
    + fmt.usd(pc.cost_range_high_usd_per_btc / 1e3, 1) + "k");
  text("kpi-cost-best", "best guess " + fmt.usd(pc.cost_electricity_best_usd_per_btc / 1e3, 1) + "k (electricity) .. "
    + fmt.usd(pc.cost_all_in_best_usd_per_btc / 1e3, 1) + "k (all-in)");
  show("kpi-price", status, "economics.inputs.btc_price_usd", (v) => fmt.usd(v));
  text("kpi-price-src", e.inputs.btc_price_source);
  show("kpi-puell", e.puell ? status : null, "economics.puell.puell_multiple", (v) => fmt.num(v, 3));
  text("kpi-puell-date", e.puell ? e.puell.date : "");
  const sus = e.sustainability;
  show("kpi-index", sus ? status : null, "economics.sustainability.sustainability_score", (v) => fmt.num(v, 0) + " / 100");
  text("kpi-index-band", sus ? sus.sustainability_band + " (price / cost " + fmt.num(sus.sustainability_ratio, 2) + ")" : "");
  await figs;
};

function machineParams() {
  const v = (id) => document.getElementById(id).value.trim();
  const models = v("model").split(",").map((s) => s.trim()).filter(Boolean);
  return { at: atText, power_price_usd_per_kwh: v("power-price"), btc_price_usd: v("btc-price"),
    pool_fee_pct: v("pool-fee"), difficulty: v("difficulty"), model: models };
}

function cell(tr, value, cls) {
  const td = document.createElement("td");
  td.textContent = value;
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}

pages.machines = async function () {
  const params = machineParams();
  const figs = figures("machines", params);
  const m = await doc("/machines", params).catch((e) => { figs.catch(() => {}); throw e; });
  text("asof", asOfLine(m));
  show("kpi-hashprice", m, "hashprice_usd_per_phs_day", (v) => fmt.usd(v, 2) + " /PH/s/day");
  text("kpi-hashvalue", fmt.int(Math.round(m.doc.hashvalue_sat_per_phs_day)) + " sat per PH/s per day");
  show("kpi-price", m, "inputs.btc_price_usd", (v) => fmt.usd(v));
  text("kpi-price-src", m.doc.inputs.btc_price_source);
  show("kpi-difficulty", m, "inputs.difficulty_t", (v) => fmt.num(v, 2) + " T");
  text("kpi-difficulty-src", m.doc.inputs.difficulty_source);
  const rows = m.doc.machines;
  const losing = rows.filter((r) => !r.profitable).length;
  text("kpi-losing", losing + " of " + rows.length);
  text("kpi-power", "at $" + m.doc.inputs.power_price_usd_per_kwh + "/kWh, PUE " + fmt.num(m.doc.inputs.pue, 2));
  const tbody = document.getElementById("machines-rows");
  tbody.replaceChildren();
  rows.forEach((r, i) => {
    const tr = document.createElement("tr");
    tr.dataset.model = r.model;
    cell(tr, r.model);
    cell(tr, fmt.num(r.hashrate_ths, 0));
    cell(tr, fmt.num(r.efficiency_j_per_th, 2));
    cell(tr, fmt.num(r.revenue_usd_per_day, 2));
    cell(tr, fmt.num(r.power_cost_usd_per_day, 2));
    const p = cell(tr, fmt.num(r.profit_usd_per_day, 2), r.profitable ? "good" : "bad");
    p.dataset.url = m.url; p.dataset.path = "machines." + i + ".profit_usd_per_day";
    p.dataset.value = String(r.profit_usd_per_day);
    const be = cell(tr, fmt.usd(r.breakeven_btc_price_usd));
    be.dataset.url = m.url; be.dataset.path = "machines." + i + ".breakeven_btc_price_usd";
    be.dataset.value = String(r.breakeven_btc_price_usd);
    cell(tr, fmt.num(r.breakeven_power_price_usd_per_kwh, 4));
    tbody.appendChild(tr);
  });
  await figs;
};

function fleetText() { return document.getElementById("fleet-text").value; }

pages.fleet = async function () {
  const params = { at: atText };
  const opts = { method: "POST", body: fleetText(), headers: { "Content-Type": "text/plain",
    Accept: "application/json" } };
  const figs = figures("fleet", params, opts);
  const f = await doc("/fleet", params, opts).catch((e) => { figs.catch(() => {}); throw e; });
  text("asof", asOfLine(f));
  const t = f.doc.totals;
  show("kpi-revenue", f, "totals.revenue_usd_per_day", (v) => fmt.usd(v) + " /day");
  text("kpi-btc", fmt.num(t.btc_per_day, 4) + " BTC per day, " + fmt.num(t.hashrate_phs, 1) + " PH/s");
  show("kpi-power", f, "totals.power_cost_usd_per_day", (v) => fmt.usd(v + t.hosting_usd_per_day) + " /day");
  text("kpi-opex", "fixed opex " + fmt.usd(t.fixed_opex_usd_per_day) + " /day");
  show("kpi-cash", f, "totals.cash_profit_usd_per_day", (v) => fmt.usd(v) + " /day");
  text("kpi-cash-off", "with the OFF groups off: " + fmt.usd(t.cash_profit_if_switched_off_usd_per_day) + " /day");
  show("kpi-allin", f, "totals.all_in_profit_usd_per_day", (v) => fmt.usd(v) + " /day");
  text("kpi-cost-btc", "cash cost " + fmt.usd(t.cash_cost_usd_per_btc) + " per BTC; all-in " + fmt.usd(t.all_in_cost_usd_per_btc));
  text("kpi-switchoff", f.doc.switch_off_groups.length ? f.doc.switch_off_groups.join(", ") : "none");
  text("kpi-hashprice", "hashprice " + fmt.usd(f.doc.hashprice_usd_per_phs_day, 2) + " per PH/s per day");
  const tbody = document.getElementById("fleet-rows");
  tbody.replaceChildren();
  f.doc.groups.forEach((g) => {
    const tr = document.createElement("tr");
    tr.dataset.group = g.name;
    cell(tr, g.name);
    cell(tr, g.site);
    cell(tr, fmt.int(g.count));
    cell(tr, fmt.num(g.efficiency_j_per_th, 2));
    cell(tr, fmt.num(g.revenue_usd_per_day, 0));
    cell(tr, fmt.num(g.power_cost_usd_per_day + g.hosting_usd_per_day, 0));
    cell(tr, fmt.num(g.cash_profit_usd_per_day, 0), g.cash_profit_usd_per_day < 0 ? "bad" : "good");
    cell(tr, fmt.num(g.all_in_profit_usd_per_day, 0));
    cell(tr, g.switch_off ? "OFF" : "run", g.switch_off ? "bad" : "good");
    tbody.appendChild(tr);
  });
  await figs;
};

// --- the time control, links, refresh -------------------------------------------------------

function syncLinks() {
  const suffix = atText ? "?at=" + encodeURIComponent(atText) : "";
  document.querySelectorAll("nav a[data-nav]").forEach((a) => {
    if (a.dataset.nav === "docs") return;
    const base = a.getAttribute("href").split("?")[0];
    a.setAttribute("href", base + suffix);
  });
  const url = location.pathname + suffix;
  if (location.pathname + location.search !== url) history.replaceState(null, "", url);
  document.getElementById("at").value = atText;
}

function dayIndex(iso) { return Math.floor(Date.parse(iso.slice(0, 10) + "T00:00:00Z") / 86400000); }

function setupSlider(d) {
  const slider = document.getElementById("at-slider");
  const first = d.first_daily_date || (d.first_block_time_iso || "").slice(0, 10);
  const last = (d.latest_time_iso || "").slice(0, 10);
  if (!first || !last) { slider.hidden = true; return; }
  const lo = dayIndex(first), hi = dayIndex(last);
  slider.min = "0"; slider.max = String(hi - lo);
  const cur = /^\d{4}-\d{2}-\d{2}/.test(atText) ? dayIndex(atText) - lo : hi - lo;
  slider.value = String(Math.max(0, Math.min(hi - lo, cur)));
  const label = () => new Date((lo + Number(slider.value)) * 86400000).toISOString().slice(0, 10);
  document.getElementById("at-slider-label").textContent = label();
  slider.oninput = () => { document.getElementById("at-slider-label").textContent = label(); };
  slider.onchange = () => { atText = label(); render(); };
}

async function render() {
  if (rendering) await rendering.catch(() => {});
  body.dataset.ready = "0";
  syncLinks();
  const problemBox = document.getElementById("problem");
  rendering = (async () => {
    try {
      await pages[page]();
      problemBox.hidden = true;
      problemBox.textContent = "";
      delete body.dataset.error;
    } catch (e) {
      problemBox.hidden = false;
      problemBox.textContent = e instanceof Problem ? e.message : "the dashboard failed: " + e;
      body.dataset.error = problemBox.textContent;
    }
    renders += 1;
    body.dataset.renders = String(renders);
    if (renders === 1) body.dataset.firstRenderMs = String(Math.round(performance.now() - t0));
    body.dataset.ready = "1";
  })();
  return rendering;
}

async function pollData() {
  try {
    const d = await fetchJSON(API + "/data");
    const changed = dataVersion !== null && d.version !== dataVersion;
    dataVersion = d.version;
    body.dataset.version = d.version;
    if (!dataRange || changed) setupSlider(d);
    dataRange = d;
    if (changed) await render();
  } catch (e) { /* the next poll tries again */ }
}

document.getElementById("timectl").addEventListener("submit", (ev) => {
  ev.preventDefault();
  atText = document.getElementById("at").value.trim();
  if (atText.toLowerCase() === "now") atText = "";
  render();
});
document.getElementById("at-now").addEventListener("click", () => { atText = ""; render(); });
const daysSel = document.getElementById("days");
if (daysSel) daysSel.addEventListener("change", () => render());
const mform = document.getElementById("machines-form");
if (mform) mform.addEventListener("submit", (ev) => { ev.preventDefault(); render(); });
const fform = document.getElementById("fleet-form");
if (fform) {
  fform.addEventListener("submit", (ev) => { ev.preventDefault(); render(); });
  document.getElementById("fleet-file").addEventListener("change", async (ev) => {
    const file = ev.target.files[0];
    if (!file) return;
    document.getElementById("fleet-text").value = await file.text();
    render();
  });
}

render();
pollData();
setInterval(pollData, refreshS * 1000);
