// The page's script, written for this project: plain ES module, no library, nothing from a network.
const TOKEN = document.querySelector('meta[name="subsidy-xl-token"]').content;
const $ = (id) => document.getElementById(id);
const state = { book: null, issues: [], sort: { key: "n", dir: 1 }, streets: [], bookStreets: [], quarter: "" };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

async function api(path, { method = "GET", json, form } = {}) {
  const opts = { method, headers: { "X-Subsidy-Token": TOKEN }, credentials: "same-origin" };
  if (json !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(json); }
  if (form !== undefined) opts.body = form;
  let response;
  try { response = await fetch(path, opts); } catch (e) { throw new Error("无法连接本机的离任补贴工具：它可能已退出，请重新启动"); }
  let data = {};
  try { data = await response.json(); } catch (e) { data = {}; }
  if (!response.ok) throw new Error(data.error || `请求失败（${response.status}）`);
  return data;
}

function say(text, error = false, link = null) {
  const box = $("message");
  box.hidden = !text;
  box.className = "message" + (error ? " error" : "");
  box.textContent = text || "";
  if (link) { box.append(document.createElement("br"), el("a", { href: link.href, download: link.name, id: "download-link", text: "下载：" + link.name })); }
}

const busyButtons = () => document.querySelectorAll("#ribbon button, aside button");
function setBusy(on) { busyButtons().forEach((b) => { b.disabled = on; }); }

// A job: start it, show its progress until it ends, then its result or its Chinese failure.
async function runJob(start) {
  setBusy(true);
  say("");
  const box = $("progress");
  try {
    let job = await start();
    box.hidden = false;
    $("progress-title").textContent = job.title + "：";
    while (job.state === "running") {
      $("progress-text").textContent = job.message;
      $("progress-time").textContent = `已用 ${job.elapsed.toFixed(1)} 秒`;
      await new Promise((r) => setTimeout(r, 300));
      job = await api(`/api/jobs/${job.id}`);
    }
    if (job.state === "failed") { say(job.error, true); return null; }
    return job;
  } catch (e) {
    say(e.message, true);
    return null;
  } finally {
    box.hidden = true;
    setBusy(false);
  }
}

function money(v) {
  if (v === null || v === undefined || v === "") return "";
  if (typeof v === "string") return v.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return v.toLocaleString("zh-CN");
}

// ------------------------------------------------------------------ folder and workbooks

async function loadFolder(data) {
  data = data || await api("/api/folder");
  $("folder").textContent = data.folder;
  state.streets = data.streets;
  const books = $("books");
  books.replaceChildren();
  if (!data.books.length) books.append(el("li", { class: "empty", text: "（此文件夹中没有工作簿）" }));
  for (const b of data.books) {
    const li = el("li", { "data-name": b.name }, b.name, el("span", { class: "meta", text: `${(b.size / 1024).toFixed(0)} KB · ${new Date(b.mtime * 1000).toLocaleString("zh-CN")}` }));
    if (b.name === state.book) li.classList.add("current");
    li.addEventListener("click", () => selectBook(b.name));
    books.append(li);
  }
  const dirs = $("dirs");
  dirs.replaceChildren();
  const up = el("li", { text: "上一级文件夹" });
  up.addEventListener("click", () => changeFolder(".."));
  dirs.append(up);
  for (const d of data.dirs) {
    const li = el("li", { text: d });
    li.addEventListener("click", () => changeFolder(d));
    dirs.append(li);
  }
}

async function changeFolder(path) {
  try {
    const data = await api("/api/folder", { method: "POST", json: { path } });
    state.book = null;
    showBook(null);
    await loadFolder(data);
    say(`已打开文件夹：${data.folder}`);
  } catch (e) { say(e.message, true); }
}

async function uploadFiles(files) {
  if (!files.length) return;
  const form = new FormData();
  for (const f of files) form.append("file", f, f.name);
  try {
    const data = await api("/api/upload", { method: "POST", form });
    await loadFolder();
    say(data.message);
  } catch (e) { say(e.message, true); }
}

function showBook(name) {
  $("book-title").textContent = name ? name : "请在左侧选择工作簿";
  $("ribbon").hidden = !name;
  for (const id of ["overview", "details", "issues-box", "changes-box"]) $(id).hidden = true;
  document.querySelectorAll("#books li").forEach((li) => li.classList.toggle("current", li.dataset.name === name));
}

async function selectBook(name, quarter = "") {
  state.book = name;
  showBook(name);
  const job = await runJob(() => api(`/api/books/${encodeURIComponent(name)}/summary`, { method: "POST", json: { quarter } }));
  if (job && state.book === name) show(job.result, false);  // another book may have been chosen meanwhile
}

// ------------------------------------------------------------------ results

function show(result, withMessage = true) {
  if (withMessage && result.message) say(result.message, false, result.download ? { href: `/download/${result.download.id}`, name: result.download.name } : (result.file ? { href: `/files/${encodeURIComponent(result.file)}`, name: result.file } : null));
  if (result.summary) showSummary(result.summary);
  if (result.issues) showIssues(result.issues, result.issues_title || "问题清单");
  if (result.changes) showChanges(result.changes);
}

function card(label, big, extra = "", cls = "") {
  return el("div", { class: "card " + cls }, el("div", { class: "label", text: label }), el("div", { class: "big", text: big }), el("div", { class: "label", text: extra }));
}

function row(cells, header = false) {
  const tr = el("tr");
  for (const c of cells) {
    const numeric = typeof c === "number" || (typeof c === "string" && /^-?[\d,]+(\.\d+)?%?$/.test(c));
    tr.append(el(header ? "th" : "td", numeric && !header ? { class: "num", text: c } : { text: c ?? "" }));
  }
  return tr;
}

function showSummary(s) {
  state.bookStreets = s.street_names;
  state.quarter = s.quarter_code;
  $("overview").hidden = false;
  $("details").hidden = false;
  const cards = $("cards");
  cards.replaceChildren();
  $("summary-line").textContent = s.summary || `${s.quarter}（只校验，未生成发放表；点“全部刷新”可得本季金额）`;
  if (s.this_quarter) cards.append(card(`${s.quarter}生活补贴`, `${money(s.this_quarter.total)} 元`, `发放 ${s.this_quarter.paid} 人`));
  if (s.one_off) cards.append(card("一次性补助", `${money(s.one_off.total)} 元`, `发放 ${s.one_off.paid} 人`));
  cards.append(card("全年合计：实发测算 / 预算", `${money(s.budget.computed)} 元`, `预算 ${money(s.budget.budget)} 元`));
  for (const [key, label] of [["error", "错误"], ["warning", "警告"], ["info", "提示"]]) cards.append(card(`问题：${label}`, `${s.counts[key]} 条`, "", s.counts[key] ? key : ""));
  // The 资金安排 sheet's two tables as the sheet shows them, then people by quarter from the same figures.
  for (const [id, table] of [["budget", s.budget_table], ["budget-quarters", s.budget_quarters]]) {
    const t = $(id);
    t.replaceChildren(row(table.header, true));
    for (const r of table.rows) t.append(row(r));
  }
  const st = $("streets-table");
  st.replaceChildren(row(s.streets_table.header, true));
  for (const r of s.streets_table.rows) st.append(row(r));
  $("year").textContent = s.year;
  const q = $("quarters");
  q.replaceChildren(row(["季度", "生活补贴人数", "生活补贴", "一次性补助人数", "一次性补助"], true));
  for (const r of s.quarters) q.append(row([r.quarter, r.living_people, money(r.living_amount), r.one_off_people, money(r.one_off_amount)]));
  // The charts are SVG drawn by the server from the same figures (every text in them is escaped there).
  $("charts").innerHTML = s.charts.quarters + s.charts.streets;
}

function fillSelect(select, values, all) {
  const keep = select.value;
  select.replaceChildren(el("option", { value: "", text: all }));
  for (const [value, label] of values) select.append(el("option", { value, text: label }));
  select.value = values.some(([v]) => v === keep) ? keep : "";
}

function showIssues(rows, title) {
  state.issues = rows;
  $("issues-box").hidden = false;
  $("issues-title").textContent = `${title}（${rows.length} 条）`;
  const uniq = (key) => [...new Set(rows.map((r) => r[key]).filter(Boolean))];
  fillSelect($("f-severity"), [["error", "错误"], ["warning", "警告"], ["info", "提示"]].filter(([v]) => rows.some((r) => r.severity === v)), "全部严重程度");
  fillSelect($("f-sheet"), uniq("sheet").map((v) => [v, v]), "全部工作表");
  fillSelect($("f-street"), uniq("street").map((v) => [v, v]), "全部街道");
  renderIssues();
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 };
function renderIssues() {
  const sev = $("f-severity").value, sheet = $("f-sheet").value, street = $("f-street").value;
  const words = $("f-search").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const { key, dir } = state.sort;
  const shown = state.issues.filter((r) => (!sev || r.severity === sev) && (!sheet || r.sheet === sheet) && (!street || r.street === street)
    && words.every((w) => [r.where, r.street, r.value, r.message, r.basis, r.code, r.severity_label].join(" ").toLowerCase().includes(w)));
  const value = (r) => key === "severity" ? SEVERITY_ORDER[r.severity] : key === "n" ? r.n : String(r[key] ?? "");
  shown.sort((a, b) => { const x = value(a), y = value(b); return (x < y ? -1 : x > y ? 1 : a.n - b.n) * dir; });
  const body = $("issues").querySelector("tbody");
  body.replaceChildren();
  for (const r of shown) {
    const tr = el("tr", { class: `sev-${r.severity}` });
    tr.append(el("td", { class: "num", text: r.n }), el("td", { text: r.severity_label }), el("td", { class: "where", text: r.where }),
      el("td", { text: r.street }), el("td", { text: r.value }), el("td", { text: r.message }), el("td", { text: r.basis }), el("td", { text: r.code }));
    body.append(tr);
  }
  $("f-count").textContent = `显示 ${shown.length} / ${state.issues.length} 条`;
  document.querySelectorAll("#issues th").forEach((th) => { th.classList.toggle("asc", th.dataset.key === key && dir > 0); th.classList.toggle("desc", th.dataset.key === key && dir < 0); });
}

function showChanges(rows) {
  $("changes-box").hidden = false;
  const t = $("changes");
  t.replaceChildren();
  rows.forEach((cells, i) => t.append(row(cells, i === 0)));
}

// ------------------------------------------------------------------ questions (one small dialog)

function ask(title, fields) {
  return new Promise((resolve) => {
    const dialog = $("ask");
    $("ask-title").textContent = title;
    const box = $("ask-fields");
    box.replaceChildren();
    const inputs = {};
    for (const f of fields) {
      let input;
      if (f.type === "select") {
        input = el("select", { name: f.name });
        for (const o of f.options) input.append(el("option", { value: o, text: o }));
      } else if (f.type === "checkbox") {
        input = el("input", { type: "checkbox", name: f.name });
        input.checked = !!f.value;
      } else {
        input = el("input", { type: "text", name: f.name, value: f.value || "" });
      }
      inputs[f.name] = input;
      box.append(f.type === "checkbox" ? el("label", {}, input, " " + f.label) : el("label", {}, f.label, input));
    }
    const finish = (ok) => {
      dialog.close();
      $("ask-ok").onclick = $("ask-cancel").onclick = null;
      if (!ok) return resolve(null);
      const out = {};
      for (const [k, input] of Object.entries(inputs)) out[k] = input.type === "checkbox" ? input.checked : input.value.trim();
      resolve(out);
    };
    $("ask-ok").onclick = (e) => { e.preventDefault(); finish(true); };
    $("ask-cancel").onclick = () => finish(false);
    dialog.oncancel = () => finish(false);
    dialog.showModal();
    const first = box.querySelector("input, select");
    if (first) first.focus();
  });
}

// ------------------------------------------------------------------ the ribbon

const bookPath = (action) => `/api/books/${encodeURIComponent(state.book)}/${action}`;

async function act(action) {
  const post = (json) => () => api(bookPath(action), { method: "POST", json: json || {} });
  let job = null;
  if (action === "quarterly") {
    const a = await ask("生成季度发放表", [{ name: "quarter", label: "请输入发放季度，例如 2026Q2：", value: state.quarter }]);
    if (!a) return;
    job = await runJob(post(a));
  } else if (action === "export") {
    const a = await ask("导出报送材料", [{ name: "quarter", label: "导出哪个季度的报送材料？例如 2026Q2：", value: state.quarter },
      { name: "pdf", type: "checkbox", label: "生成发放表 PDF（需要本机装有 LibreOffice）", value: true }]);
    if (!a) return;
    job = await runJob(post(a));
    if (job && job.result.download) window.location.href = `/download/${job.result.download.id}`;
  } else if (action === "street-form") {
    const a = await ask("生成街道报送表（预填本工作簿中该街道的人员）", [{ name: "street", label: "街道：", type: "select", options: state.bookStreets.length ? state.bookStreets : state.streets }]);
    if (!a) return;
    job = await runJob(post(a));
    if (job) await loadFolder();
  } else if (action === "import-streets") {
    $("import-files").click();
    return;
  } else {
    job = await runJob(post());
  }
  if (job) { show(job.result); await loadFolder(); }  // new files, changed sizes and times
}

async function importForms(files) {
  if (!files.length) return;
  const form = new FormData();
  for (const f of files) form.append("file", f, f.name);
  const job = await runJob(() => api(bookPath("import-streets"), { method: "POST", form }));
  if (job) { show(job.result); await loadFolder(); }
}

async function newBook(demo) {
  const a = await ask(demo ? "生成演示工作簿（含样例数据）" : "由模板生成空白工作簿", [{ name: "name", label: "文件名：", value: demo ? "演示工作簿.xlsx" : "补助经费.xlsx" }]);
  if (!a) return;
  if (!/\.xls[xm]$/i.test(a.name)) a.name += ".xlsx";
  const job = await runJob(() => api("/api/new", { method: "POST", json: { name: a.name, demo } }));
  if (!job) return;
  say(job.result.message);
  await loadFolder();
  await selectBook(job.result.book);
  say(job.result.message);
}

async function blankForm() {
  const a = await ask("生成空白街道报送表", [{ name: "street", label: "街道：", type: "select", options: state.streets }]);
  if (!a) return;
  const job = await runJob(() => api("/api/street-form", { method: "POST", json: a }));
  if (job) { await loadFolder(); show(job.result); }
}

// ------------------------------------------------------------------ wiring

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("#ribbon button[data-action]").forEach((b) => b.addEventListener("click", () => act(b.dataset.action)));
  $("import-files").addEventListener("change", (e) => { importForms([...e.target.files]); e.target.value = ""; });
  $("upload").addEventListener("change", (e) => { uploadFiles([...e.target.files]); e.target.value = ""; });
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); uploadFiles([...e.dataTransfer.files]); });
  $("folder-form").addEventListener("submit", (e) => { e.preventDefault(); changeFolder($("folder-input").value); });
  $("new").addEventListener("click", () => newBook(false));
  $("demo").addEventListener("click", () => newBook(true));
  $("blank-form").addEventListener("click", blankForm);
  for (const id of ["f-severity", "f-sheet", "f-street"]) $(id).addEventListener("change", renderIssues);
  $("f-search").addEventListener("input", renderIssues);
  document.querySelectorAll("#issues th").forEach((th) => th.addEventListener("click", () => {
    state.sort = { key: th.dataset.key, dir: state.sort.key === th.dataset.key ? -state.sort.dir : 1 };
    renderIssues();
  }));
  $("quit").addEventListener("click", async () => {
    try { say((await api("/api/quit", { method: "POST", json: {} })).message); setBusy(true); } catch (e) { say(e.message, true); }
  });
  loadFolder().catch((e) => say(e.message, true));
});
