// The selected container: who it is, its State.Error, its chart large, and its transitions with
// the event and the request, cloud call, agent message or timer behind each.
import { ChartView } from './chart.js';
import { ago, shortId } from './list.js';

const TEMPLATE = `
  <div class="detail-head">
    <span class="badge" data-testid="detail-status"></span>
    <h2 class="detail-name" data-testid="detail-name"></h2>
    <code class="detail-id" title="container id"></code>
  </div>
  <dl class="facts">
    <div><dt>Image</dt><dd class="f-image"></dd></div>
    <div><dt>State</dt><dd class="f-state" data-testid="detail-state"></dd></div>
    <div><dt>Since</dt><dd class="f-since"></dd></div>
    <div><dt>Exit code</dt><dd class="f-exit"></dd></div>
    <div><dt>Restarts</dt><dd class="f-restarts"></dd></div>
    <div><dt>Agent</dt><dd class="f-agent"></dd></div>
  </dl>
  <div class="error" data-testid="detail-error" hidden><strong>State.Error</strong> <span></span></div>
  <div class="chart-frame">
    <div class="chart-tools">
      <button type="button" data-act="focus" title="Centre the current state">current</button>
      <button type="button" data-act="in" title="Zoom in">+</button>
      <button type="button" data-act="out" title="Zoom out">−</button>
      <button type="button" data-act="fit" title="Whole chart">whole chart</button>
      <span class="hint">wheel to zoom · drag to pan</span>
    </div>
    <div class="chart" data-testid="chart"></div>
  </div>
  <h3>Transitions <small>newest first</small></h3>
  <table class="transitions" data-testid="transitions">
    <thead><tr><th>Time</th><th>From → to</th><th>Event</th><th>Behind it</th></tr></thead>
    <tbody></tbody>
  </table>`;

function time(iso) {
  return iso.slice(11, 23);
}

function shortEvent(type) {
  return type.replace(/^xstate\.(done|error)\.actor\..*$/, '$1.actor').replace(/^xstate\.after\..*$/, 'after').replace(/^xstate\.init$/, 'init');
}

export class DetailView {
  #host;
  #chart = null;
  #shownId = null;
  #shownState = null;

  constructor(host) {
    this.#host = host;
  }

  /** Nothing selected, or the selection is not (or no longer) a container. */
  clear(message) {
    this.#chart = null;
    this.#shownId = null;
    const p = document.createElement('p');
    p.className = 'placeholder';
    p.textContent = message;
    this.#host.replaceChildren(p);
  }

  render(c) {
    if (!this.#chart) {
      this.#host.innerHTML = TEMPLATE;
      this.#chart = new ChartView(this.#host.querySelector('.chart'));
      this.#host.querySelector('.chart-tools').addEventListener('click', (e) => this.#tool(e.target.closest('button')?.dataset.act));
    }
    const $ = (s) => this.#host.querySelector(s);
    this.#host.dataset.id = c.id;
    const badge = $('.detail-head .badge');
    badge.textContent = c.status;
    badge.className = `badge s-${c.status}`;
    $('.detail-name').textContent = c.name;
    $('.detail-id').textContent = shortId(c.id);
    $('.detail-id').title = c.id;
    $('.f-image').textContent = c.image;
    $('.f-state').textContent = c.state.replaceAll('.', ' › ');
    $('.f-since').textContent = `${ago(c.since)} (${time(c.since)})`;
    $('.f-exit').textContent = c.status === 'exited' || c.status === 'dead' ? String(c.exitCode) : '–';
    $('.f-restarts').textContent = String(c.restartCount);
    $('.f-agent').textContent = c.status !== 'running' ? '–' : c.agentConnected ? 'connected' : 'not connected';
    const error = $('.error');
    error.hidden = !c.error;
    error.querySelector('span').textContent = c.error;
    this.#chart.highlight(c.active);
    this.#chart.markTaken(c.transitions[0]);
    if (this.#shownId !== c.id || this.#shownState !== c.state) requestAnimationFrame(() => this.#chart?.focus());
    this.#shownId = c.id;
    this.#shownState = c.state;
    $('.transitions tbody').replaceChildren(...c.transitions.map(row));
  }

  #tool(act) {
    if (act === 'focus') this.#chart.focus();
    else if (act === 'fit') this.#chart.fit();
    else if (act === 'in') this.#chart.zoom(1 / 1.4);
    else if (act === 'out') this.#chart.zoom(1.4);
  }
}

function row(t) {
  const tr = document.createElement('tr');
  tr.innerHTML = '<td class="t-time"><time></time></td><td class="t-move"><span class="from"></span> → <span class="to"></span></td>'
    + '<td class="t-event"><code></code></td><td class="t-cause"><span class="source"></span> <span class="text"></span><span class="attempts"></span></td>';
  const when = tr.querySelector('time');
  when.textContent = time(t.at);
  when.dateTime = t.at;
  when.title = t.at;
  tr.querySelector('.from').textContent = t.from || '·';
  tr.querySelector('.to').textContent = t.to;
  const event = tr.querySelector('.t-event code');
  event.textContent = t.trigger && !t.trigger.startsWith('xstate.') ? t.trigger : shortEvent(t.event); // as the chart's edges are labelled
  event.title = t.event;
  const source = tr.querySelector('.source');
  source.textContent = t.cause.source;
  source.className = `source src-${t.cause.source}`;
  tr.querySelector('.text').textContent = t.cause.text;
  if (t.attempts > 0) tr.querySelector('.attempts').textContent = ` · ${t.attempts} failed attempt${t.attempts > 1 ? 's' : ''}`;
  if (t.cause.text.includes(' failed')) tr.classList.add('failed');
  return tr;
}
