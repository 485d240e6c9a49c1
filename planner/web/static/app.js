// The planner's pages: drag-and-drop upload, live job progress, charts drawn as SVG, table filters.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];
const COST_COLOURS = { setup: "#4e79a7", holding: "#59a14f", backlog: "#e15759", overtime: "#f28e2b" };

function el(tag, attributes = {}, parent = null, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== null) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

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
    const resultsShown = Boolean(document.getElementById("results-data"));
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

function frame(container, height = 260) {
  container.replaceChildren();
  const width = Math.max(container.clientWidth || 600, 320);
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img" }, container);
  return { svg, width, height, left: 70, right: 12, top: 12, bottom: 40 };
}

function yAxis(f, max) {
  const ticks = 5;
  const scale = (v) => f.height - f.bottom - (v / (max || 1)) * (f.height - f.top - f.bottom);
  for (let i = 0; i <= ticks; i++) {
    const value = (max * i) / ticks;
    const y = scale(value);
    el("line", { x1: f.left, x2: f.width - f.right, y1: y, y2: y, class: "grid" }, f.svg);
    el("text", { x: f.left - 6, y: y + 4, "text-anchor": "end", class: "tick" }, f.svg, number(value));
  }
  return scale;
}

function legend(container, entries) {
  const box = document.createElement("div");
  box.className = "legend";
  for (const [name, colour, dashed] of entries) {
    const item = document.createElement("span");
    const swatch = document.createElement("i");
    swatch.style.background = dashed ? "transparent" : colour;
    swatch.style.borderTop = dashed ? `2px dashed ${colour}` : "";
    item.append(swatch, name);
    box.appendChild(item);
  }
  container.appendChild(box);
}

function lineChart(container, days, series, unit) {
  const f = frame(container);
  const values = series.flatMap((s) => s.values).filter((v) => v !== null);
  const max = Math.max(1, ...values) * 1.05;
  const y = yAxis(f, max);
  const step = (f.width - f.left - f.right) / Math.max(1, days.length - 1);
  const x = (i) => f.left + i * step;
  const every = Math.max(1, Math.ceil(days.length / 8));
  days.forEach((day, i) => {
    if (i % every === 0) el("text", { x: x(i), y: f.height - f.bottom + 16, "text-anchor": "middle", class: "tick" }, f.svg, day.slice(5));
  });
  for (const s of series) {
    const points = s.values.map((v, i) => `${x(i)},${y(v || 0)}`).join(" ");
    const line = el("polyline", { points, fill: "none", stroke: s.colour, "stroke-width": 2, class: "series" }, f.svg);
    if (s.dashed) line.setAttribute("stroke-dasharray", "6 4");
    el("title", {}, line, s.name);
    if (!s.dashed) {
      s.values.forEach((v, i) => {
        const dot = el("circle", { cx: x(i), cy: y(v || 0), r: 3, fill: s.colour, class: "point" }, f.svg);
        el("title", {}, dot, `${s.name} ${days[i]}: ${number(v, 1)} ${unit}`);
      });
    }
  }
  legend(container, series.map((s) => [s.name, s.colour, s.dashed]));
}

function costChart(container, strategies, costs) {
  const f = frame(container);
  const totals = strategies.map((s) => Object.values(costs[s]).reduce((a, b) => a + (b || 0), 0));
  const y = yAxis(f, Math.max(1, ...totals) * 1.05);
  const slot = (f.width - f.left - f.right) / strategies.length;
  strategies.forEach((name, i) => {
    let bottom = 0;
    const x = f.left + i * slot + slot * 0.2;
    for (const [part, value] of Object.entries(costs[name])) {
      const top = bottom + (value || 0);
      const bar = el("rect", { x, width: slot * 0.6, y: y(top), height: Math.max(0, y(bottom) - y(top)), fill: COST_COLOURS[part], class: "bar" }, f.svg);
      el("title", {}, bar, `${name} ${part}: ${number(value, 2)}`);
      bottom = top;
    }
    el("text", { x: x + slot * 0.3, y: f.height - f.bottom + 16, "text-anchor": "middle", class: "tick" }, f.svg, name);
  });
  legend(container, Object.entries(COST_COLOURS).map(([part, colour]) => [part, colour, false]));
}

function itemColours(items) {
  // Golden-angle hues: neighbouring items get clearly different colours.
  const colours = new Map();
  items.forEach((item, i) => colours.set(item, `hsl(${(i * 137.508) % 360}, 65%, ${42 + (i % 3) * 10}%)`));
  return (item) => colours.get(item) || "#888";
}

function sequenceStrip(container, days, byDay, itemColour) {
  container.replaceChildren();
  if (!byDay) {
    container.textContent = "No sequence for this work center.";
    return;
  }
  const rowHeight = 18;
  const width = Math.max(container.clientWidth || 600, 320);
  const left = 90;
  const shown = days.filter((d) => byDay[d]);
  const f = { svg: el("svg", { viewBox: `0 0 ${width} ${shown.length * rowHeight + 8}`, width, height: shown.length * rowHeight + 8, role: "img" }, container) };
  const longest = Math.max(1, ...shown.map((d) => byDay[d].length));
  const cell = (width - left - 4) / longest;
  const items = new Set();
  shown.forEach((day, r) => {
    el("text", { x: left - 6, y: r * rowHeight + 13, "text-anchor": "end", class: "tick" }, f.svg, day);
    byDay[day].forEach(([item, qty], p) => {
      items.add(item);
      const box = el("rect", { x: left + p * cell, y: r * rowHeight + 2, width: Math.max(1, cell - 1), height: rowHeight - 4, fill: itemColour(item), class: "slot" }, f.svg);
      el("title", {}, box, `${day} position ${p + 1}: ${item} × ${number(qty, 2)}`);
    });
  });
  legend(container, [...items].sort().map((item) => [item, itemColour(item), false]));
}

function drawCharts() {
  const data = document.getElementById("results-data");
  if (!data) return;
  const results = JSON.parse(data.textContent);
  const colour = (name) => PALETTE[results.strategies.indexOf(name) % PALETTE.length];
  costChart(document.getElementById("chart-costs"), results.strategies, results.costs);
  lineChart(
    document.getElementById("chart-inventory"), results.days,
    results.strategies.map((name) => ({ name, colour: colour(name), values: results.inventory_value[name] })),
    "",
  );
  const centerSelect = document.getElementById("load-center");
  const drawLoad = () => {
    const center = results.load[centerSelect.value];
    if (!center) return;
    const capacity = center.capacity;
    const withOvertime = capacity.map((c, i) => c + center.overtime[i]);
    lineChart(
      document.getElementById("chart-load"), results.days,
      [
        ...results.strategies.map((name) => ({ name, colour: colour(name), values: center.load[name] })),
        { name: "capacity", colour: "#222", values: capacity, dashed: true },
        { name: "capacity + overtime", colour: "#999", values: withOvertime, dashed: true },
      ],
      "min",
    );
  };
  centerSelect.addEventListener("change", drawLoad);
  drawLoad();
  const itemColour = itemColours(results.items);
  const strategySelect = document.getElementById("sequence-strategy");
  const sequenceCenter = document.getElementById("sequence-center");
  const drawSequence = () => {
    const byCenter = results.sequences[strategySelect.value] || {};
    sequenceStrip(document.getElementById("chart-sequence"), results.days, byCenter[sequenceCenter.value], itemColour);
  };
  if (strategySelect.options.length) {
    strategySelect.addEventListener("change", drawSequence);
    sequenceCenter.addEventListener("change", drawSequence);
    drawSequence();
  } else {
    document.getElementById("chart-sequence").textContent = "No strategy of this run sequences its days.";
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
  drawCharts();
  setUpTables();
});
