// The planner's pages: drag-and-drop upload, live job progress, Plotly charts, table filters.
"use strict";

function number(value, digits = 0) {
  if (value === null || value === undefined) return "–";
  return Number(value).toLocaleString(undefined, { maximumFractionDigits: digits });
}

// ---- upload ------------------------------------------------------------------------------

function setUpUpload() {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const zone = document.getElementById("dropzone");
  const input = document.getElementById("file");
  const label = document.getElementById("dropzone-text");
  const show = () => { if (input.files.length) label.textContent = input.files[0].name; };
  input.addEventListener("change", show);
  for (const kind of ["dragenter", "dragover"]) {
    zone.addEventListener(kind, (event) => { event.preventDefault(); zone.classList.add("over"); });
  }
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    if (event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      show();
    }
  });
  form.addEventListener("submit", (event) => {
    if (!form.querySelector('input[name="strategies"]:checked')) {
      event.preventDefault();
      alert("Tick at least one strategy to plan with.");
      return;
    }
    const button = document.getElementById("upload-button");
    button.disabled = true;
    button.textContent = "Checking the workbook…";
  });
}

// ---- progress ----------------------------------------------------------------------------

function describeProgress(job) {
  if (job.state === "queued") return "waiting for a free worker";
  if (!job.strategy) return "";
  let text = job.options.strategies.includes(job.strategy) ? `planning: ${job.strategy}` : job.strategy;
  const p = job.progress;
  if (p) {
    text += ` – ${number(p.seconds)} s, best plan ${number(p.incumbent, 2)}, bound ${number(p.bound, 2)}`;
    if (p.gap !== null) text += `, gap ${(100 * p.gap).toFixed(2)} %`;
  }
  return text;
}

function followJob() {
  const card = document.getElementById("job");
  if (!card || !document.getElementById("progress")) return;
  const id = card.dataset.job;
  const poll = async () => {
    let job;
    try {
      const response = await fetch(`/api/jobs/${id}`, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(response.statusText);
      job = await response.json();
    } catch (error) {
      document.getElementById("progress-text").textContent = `(connection lost, retrying: ${error.message})`;
      setTimeout(poll, 3000);
      return;
    }
    const resultsShown = Boolean(document.getElementById("kpi-table"));
    if (["done", "failed", "cancelled"].includes(job.state) || (job.results_ready && !resultsShown)) {
      window.location.reload();
      return;
    }
    document.getElementById("progress-state").textContent = job.state;
    document.getElementById("progress-text").textContent = describeProgress(job);
    for (const step of document.querySelectorAll("#progress-steps li")) {
      const name = step.dataset.strategy;
      step.className = job.finished_strategies.includes(name) ? "done" : name === job.strategy ? "current" : "";
    }
    setTimeout(poll, 1000);
  };
  poll();
}

// ---- charts ------------------------------------------------------------------------------

async function drawChart(container, source) {
  // One Plotly figure made by the server (planner.charts); its figure's selects choose what it shows.
  const query = new URLSearchParams();
  for (const select of container.closest("figure").querySelectorAll("select")) query.set(select.name, select.value);
  container.dataset.state = "loading";
  let answer;
  try {
    const response = await fetch(`${source}/${container.dataset.kind}?${query}`, { headers: { Accept: "application/json" } });
    answer = await response.json();
    if (!response.ok) throw new Error(answer.detail || response.statusText);
  } catch (error) {
    Plotly.purge(container);
    container.textContent = `The chart cannot be shown: ${error.message}`;
    container.dataset.state = "failed";
    return;
  }
  if (!container.classList.contains("js-plotly-plot")) container.replaceChildren();
  await Plotly.react(container, answer.figure.data, answer.figure.layout, answer.config);
  container.dataset.state = "drawn";
}

function setUpCharts() {
  const section = document.getElementById("charts");
  if (!section || typeof Plotly === "undefined") return;
  for (const container of section.querySelectorAll(".chart[data-kind]")) {
    const draw = () => drawChart(container, section.dataset.src);
    for (const select of container.closest("figure").querySelectorAll("select")) select.addEventListener("change", draw);
    draw();
  }
}

// ---- tables ------------------------------------------------------------------------------

function setUpTable(block, jobId) {
  // One filtered, paged view of a job's table: the table is fixed by data-table or chosen in the form.
  const form = block.querySelector("form");
  const table = block.querySelector("table");
  const count = block.querySelector(".count");
  const prev = block.querySelector(".prev");
  const next = block.querySelector(".next");
  const limit = Number(block.dataset.limit || 200);
  const field = (name) => form.querySelector(`[name="${name}"]`);
  let offset = 0;
  const load = async () => {
    const query = new URLSearchParams({ offset, limit });
    for (const name of ["strategy", "item", "contains"]) {
      const value = field(name) ? field(name).value.trim() : "";
      if (value) query.set(name, value);
    }
    if (block.dataset.contains) query.set("contains", block.dataset.contains);
    const name = block.dataset.table || field("table").value;
    const response = await fetch(`/api/jobs/${jobId}/tables/${name}?${query}`);
    if (!response.ok) {
      count.textContent = `The table cannot be shown (${response.status}).`;
      return;
    }
    const page = await response.json();
    const head = document.createElement("thead");
    const row = head.insertRow();
    for (const column of page.columns) {
      const th = document.createElement("th");
      th.textContent = column;
      row.appendChild(th);
    }
    const body = document.createElement("tbody");
    for (const values of page.rows) {
      const tr = body.insertRow();
      values.forEach((value) => {
        const cell = tr.insertCell();
        cell.textContent = typeof value === "number" ? number(value, 2) : value ?? "";
        if (typeof value === "number") cell.className = "number";
      });
    }
    table.replaceChildren(head, body);
    const last = Math.min(page.total, offset + page.rows.length);
    count.textContent = page.total ? `rows ${offset + 1}–${last} of ${page.total}` : "no rows match";
    prev.disabled = offset === 0;
    next.disabled = last >= page.total;
  };
  form.addEventListener("change", () => { offset = 0; load(); });
  form.addEventListener("submit", (event) => { event.preventDefault(); offset = 0; load(); });
  prev.addEventListener("click", () => { offset = Math.max(0, offset - limit); load(); });
  next.addEventListener("click", () => { offset += limit; load(); });
  load();
}

function setUpTables() {
  const card = document.getElementById("job");
  if (!card) return;
  for (const block of document.querySelectorAll(".table-block")) setUpTable(block, card.dataset.job);
}

document.addEventListener("DOMContentLoaded", () => {
  setUpUpload();
  followJob();
  setUpCharts();
  setUpTables();
});
