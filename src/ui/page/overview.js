// The daemon-wide tiles: containers by state, ARM requests against the budget, agent links,
// and the simulator's settings as it exposes them.
export const STATES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function fmt(n) {
  return n >= 100 ? String(Math.round(n)) : String(Math.round(n * 10) / 10);
}

export function renderCounts(host, counts, total) {
  const bar = el('div', 'stack');
  const legend = el('div', 'legend');
  for (const s of STATES) {
    if (!counts[s]) continue;
    const part = el('span', `s-${s}`);
    part.style.flexGrow = String(counts[s]);
    part.title = `${counts[s]} ${s}`;
    bar.appendChild(part);
    const item = el('span', 'legend-item');
    item.append(el('i', `dot s-${s}`), `${counts[s]} ${s}`);
    legend.appendChild(item);
  }
  host.replaceChildren(el('div', 'big', String(total)), bar, legend);
}

function bucket(label, b) {
  const row = el('div', 'bucket');
  const use = b.rate === null ? null : b.rate / b.perSecond;
  const meter = el('div', 'meter');
  const fill = el('span', use !== null && use > 0.8 ? 'hot' : '');
  fill.style.width = `${Math.min(100, Math.round((use ?? 0) * 100))}%`;
  meter.appendChild(fill);
  const text = b.rate === null ? `budget ${b.perSecond}/s, burst ${b.burst}` : `${fmt(b.rate)}/s of ${b.perSecond}/s`;
  row.append(el('span', 'b-label', label), meter, el('span', 'b-text', text + (b.waiting ? ` · ${b.waiting} waiting` : '')));
  return row;
}

export function renderArm(host, arm) {
  const parts = [];
  if (arm.requests) {
    parts.push(el('div', 'big', String(arm.requests.reads + arm.requests.writes)));
    parts.push(el('div', 'sub', `${arm.requests.reads} reads · ${arm.requests.writes} writes${arm.requests.throttled ? ` · ${arm.requests.throttled} throttled (429)` : ''}`));
  } else {
    parts.push(el('div', 'sub', 'not counted on real Azure'));
  }
  if (arm.budget === 'off') parts.push(el('div', 'sub', 'budget off (SOCKERLESS_ARM_BUDGET=off)'));
  else parts.push(bucket('reads', arm.reads), bucket('writes', arm.writes));
  host.replaceChildren(...parts);
}

export function renderAgents(host, connected, running) {
  host.replaceChildren(el('div', 'big', String(connected)), el('div', 'sub', `connected · ${running} running`));
}

/** A setting on one line: primitives as they are, structures by their size (the title has them whole). */
function describe(value) {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return value.every((v) => typeof v !== 'object') ? value.join(', ') : `${value.length} ${value.length === 1 ? 'entry' : 'entries'}`;
  const keys = Object.keys(value);
  return keys.length <= 3 && keys.every((k) => typeof value[k] !== 'object') ? keys.map((k) => `${k} ${value[k]}`).join(', ') : `${keys.length} values`;
}

export function renderSimulator(host, sim) {
  if (!sim) return host.replaceChildren(el('div', 'sub', 'not in use: the daemon talks to Azure'));
  const dl = el('dl', 'settings');
  const add = (k, v, whole = v, wide = false) => {
    const d = el('div', wide ? 'wide' : '');
    d.append(el('dt', '', k), el('dd', '', v));
    d.title = `${k}: ${whole}`;
    dl.appendChild(d);
  };
  const profile = sim.profile;
  if (profile && typeof profile === 'object') {
    for (const [k, v] of Object.entries(profile)) {
      if (v !== undefined && v !== null && v !== '') add(k, describe(v), typeof v === 'object' ? JSON.stringify(v, null, 1) : String(v));
    }
  } else {
    add('profile', profile === null ? 'none (this simulator has no profiles)' : describe(profile), undefined, true);
  }
  if (sim.faultsInjected) add('faults injected', String(sim.faultsInjected));
  add('isolation', sim.isolation, sim.isolation, true);
  add('url', sim.url, sim.url, true);
  host.replaceChildren(dl);
}
