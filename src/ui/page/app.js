// The live page: a list of every container (filter by state, search by name, id or label), the
// selected container's chart and history, and the daemon-wide tiles; kept current over /ui/ws.
// The URL holds the selection, filter and search (?container=ID&state=exited&q=web) to share.
import { loadChart } from './chart.js';
import { DetailView } from './detail.js';
import { VirtualList } from './list.js';
import { STATES, renderAgents, renderArm, renderCounts, renderSimulator } from './overview.js';

const $ = (id) => document.getElementById(id);
const items = new Map();
const ui = { filter: 'all', query: '', selected: null, wanted: null, overview: null, dirty: false };
const list = new VirtualList($('list'), $('spacer'), (id) => select(id, true));
const detail = new DetailView($('detail'));
let socket = null;

function searchKey(c) {
  return `${c.name}\n${c.id}\n${c.labels.join('\n')}\n${c.image}`.toLowerCase();
}

function put(c) {
  c.key = searchKey(c);
  c.time = Date.parse(c.since);
  items.set(c.id, c);
}

function counts() {
  const n = Object.fromEntries(STATES.map((s) => [s, 0]));
  let agents = 0;
  for (const c of items.values()) {
    n[c.status] = (n[c.status] ?? 0) + 1;
    if (c.agentConnected && c.status === 'running') agents++;
  }
  return { n, agents };
}

function renderFilters(n) {
  const host = $('filters');
  const wanted = ['all', ...STATES.filter((s) => n[s] > 0 || s === ui.filter)];
  if (host.dataset.keys !== wanted.join()) {
    host.dataset.keys = wanted.join();
    host.replaceChildren(...wanted.map((s) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.state = s;
      b.innerHTML = `<i class="dot s-${s}"></i><span class="label"></span> <span class="n"></span>`;
      b.querySelector('.label').textContent = s;
      return b;
    }));
  }
  for (const b of host.children) {
    const s = b.dataset.state;
    b.querySelector('.n').textContent = String(s === 'all' ? items.size : n[s]);
    b.setAttribute('aria-pressed', String(s === ui.filter));
  }
}

/** Recomputes what the list shows; called at most once a frame. */
function refresh() {
  ui.dirty = false;
  const q = ui.query.trim().toLowerCase();
  const shown = [];
  for (const c of items.values()) if ((ui.filter === 'all' || c.status === ui.filter) && (!q || c.key.includes(q))) shown.push(c);
  shown.sort((a, b) => b.time - a.time || (a.name < b.name ? -1 : 1));
  list.setItems(shown);
  list.render();
  const { n, agents } = counts();
  renderFilters(n);
  renderCounts($('counts'), n, items.size);
  renderAgents($('agents'), agents, n.running);
  $('shown').textContent = shown.length === items.size ? `${items.size} containers` : `${shown.length} of ${items.size} containers`;
  $('list').dataset.count = String(shown.length);
  const empty = $('empty');
  empty.hidden = shown.length > 0;
  empty.textContent = items.size === 0 ? 'No containers yet. Create one with docker run and it appears here.' : 'No container matches.';
}

function changed() {
  if (ui.dirty) return;
  ui.dirty = true;
  requestAnimationFrame(refresh);
}

function writeUrl(push) {
  const p = new URLSearchParams();
  if (ui.selected) p.set('container', ui.selected);
  if (ui.filter !== 'all') p.set('state', ui.filter);
  if (ui.query) p.set('q', ui.query);
  const url = `${location.pathname}${p.size ? `?${p}` : ''}`;
  if (url !== `${location.pathname}${location.search}`) history[push ? 'pushState' : 'replaceState'](null, '', url);
}

function readUrl() {
  const p = new URLSearchParams(location.search);
  ui.filter = p.get('state') ?? 'all';
  ui.query = p.get('q') ?? '';
  ui.wanted = p.get('container');
  $('search').value = ui.query;
}

/** A link may name the container by full id, id prefix or name. */
function resolve(ref) {
  if (!ref) return null;
  if (items.has(ref)) return ref;
  const matches = [...items.values()].filter((c) => c.name === ref || c.id.startsWith(ref));
  return matches.length === 1 ? matches[0].id : null;
}

function select(id, push) {
  ui.selected = id;
  ui.wanted = null;
  list.setSelected(id);
  writeUrl(push);
  if (!id) detail.clear('Select a container to see its statechart and history.');
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'select', id }));
}

function applyWanted() {
  if (!ui.wanted) return;
  const id = resolve(ui.wanted);
  if (id) {
    select(id, false);
    requestAnimationFrame(() => list.reveal(id));
  } else detail.clear(`No container ${ui.wanted} on this daemon.`);
}

function onMessage(m) {
  if (m.type === 'hello') {
    items.clear();
    m.containers.forEach(put);
    overview(m.overview);
    refresh();
    if (ui.wanted) applyWanted();
    else if (ui.selected) select(items.has(ui.selected) ? ui.selected : null, false);
  } else if (m.type === 'changes') {
    m.updates.forEach(put);
    for (const id of m.gone) items.delete(id);
    changed();
  } else if (m.type === 'detail' && m.id === ui.selected) {
    if (m.container) detail.render(m.container);
    else detail.clear(`Container ${m.id.slice(0, 12)} was removed.`);
  } else if (m.type === 'overview') overview(m.overview);
}

function overview(o) {
  for (const id of ['arm-tile', 'sim-tile']) $(id).hidden = !o;
  if (!o) return;
  $('target').textContent = o.target;
  renderArm($('arm'), o.arm);
  renderSimulator($('simulator'), o.simulator);
}

/** How long the list took from the first message to a painted frame; the bench reads it. */
function timeFirstRender(started) {
  requestAnimationFrame(() => setTimeout(() => {
    document.body.dataset.renderMs = String(performance.now() - started);
    document.body.dataset.renderedRows = String(items.size);
  }, 0));
}

function connect() {
  const status = $('connection');
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ui/ws`);
  socket = ws;
  ws.onopen = () => { status.textContent = 'live'; status.dataset.state = 'live'; };
  ws.onclose = () => {
    status.textContent = 'disconnected; retrying…';
    status.dataset.state = 'down';
    setTimeout(connect, 1000);
  };
  ws.onmessage = (e) => {
    const started = performance.now();
    const m = JSON.parse(e.data);
    onMessage(m);
    if (m.type === 'hello') timeFirstRender(started);
  };
}

$('search').addEventListener('input', (e) => {
  ui.query = e.target.value;
  writeUrl(false);
  changed();
});
$('filters').addEventListener('click', (e) => {
  const b = e.target.closest('button');
  if (!b) return;
  ui.filter = b.dataset.state;
  writeUrl(false);
  changed();
});
window.addEventListener('popstate', () => {
  readUrl();
  changed();
  if (ui.wanted) applyWanted();
  else select(null, false);
});
setInterval(() => list.render(), 5000); // the "since" column

readUrl();
loadChart().then(connect);
