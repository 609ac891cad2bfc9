// The container statechart, large: the active states highlighted, zoom with the wheel or the
// buttons, pan by dragging, and "current" to bring the active state back into view.
let source = null;

/** The generated diagram, fetched once and cloned for each chart shown. */
export async function loadChart() {
  const text = await (await fetch('/ui/statechart.svg')).text();
  source = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
}

export class ChartView {
  #svg;
  #box;
  #full;
  #drag = null;
  #active = [];

  constructor(host) {
    this.#box = host;
    this.#svg = document.importNode(source, true);
    this.#svg.removeAttribute('width');
    this.#svg.removeAttribute('height');
    this.#svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
    const [x, y, w, h] = this.#svg.getAttribute('viewBox').split(/[\s,]+/).map(Number);
    this.#full = { x, y, w, h };
    host.replaceChildren(this.#svg);
    host.addEventListener('wheel', (e) => this.#wheel(e), { passive: false });
    host.addEventListener('pointerdown', (e) => this.#down(e));
    host.addEventListener('pointermove', (e) => this.#move(e));
    host.addEventListener('pointerup', () => { this.#drag = null; host.classList.remove('dragging'); });
    host.addEventListener('pointercancel', () => { this.#drag = null; });
  }

  /**
   * Marks the edge a transition took: its label starts with the transition's trigger, and its ends
   * are the states left and entered or their ancestors (edges of compound states end on them).
   */
  markTaken(t) {
    for (const node of this.#svg.querySelectorAll('.taken')) node.classList.remove('taken');
    if (!t?.from) return;
    const within = (end, path) => end === path || path.startsWith(`${end}.`);
    const from = `container.${t.from}`;
    const to = `container.${t.to}`;
    let best = [];
    let bestScore = -1;
    for (const edge of this.#edges()) {
      if (!edge.label.startsWith(t.trigger) || !within(edge.from, from) || !within(edge.to, to)) continue;
      const score = edge.from.length + edge.to.length;
      if (score > bestScore) [best, bestScore] = [[edge.el], score];
      else if (score === bestScore) best.push(edge.el);
    }
    for (const el of best) el.classList.add('taken');
  }

  #edgeList = null;

  #edges() {
    this.#edgeList ??= [...this.#svg.querySelectorAll('g.edge')].map((el) => {
      const [from = '', to = ''] = (el.querySelector('title')?.textContent ?? '').split('->').map((end) => end.replace(/#.*$/, ''));
      return { el, from, to, label: el.querySelector('text')?.textContent ?? '' };
    });
    return this.#edgeList;
  }

  /** Highlights these state node ids (`container.running`, …); the deepest one is the current state. */
  highlight(active) {
    for (const node of this.#svg.querySelectorAll('.active, .current')) node.classList.remove('active', 'current');
    this.#active = active.map((id) => this.#svg.querySelector(`[id="state:${id}"]`)).filter(Boolean);
    for (const node of this.#active) node.classList.add('active');
    this.#active.at(-1)?.classList.add('current');
  }

  /** Centres the current state at a readable size. */
  focus() {
    const current = this.#active.at(-1);
    if (!current) return this.fit();
    const b = this.#boxOf(current);
    const pane = this.#box.getBoundingClientRect();
    const aspect = pane.height / Math.max(1, pane.width);
    // About 1.3 screen pixels per diagram unit: its 11-unit labels read at 14 px.
    const w = Math.max(b.w + 160, (b.h + 120) / aspect, pane.width / 1.3);
    const h = w * aspect;
    // The outermost active state that fits the view is the one to centre: its name shows too.
    const shown = this.#active.map((el) => this.#boxOf(el)).find((a) => a.w + 40 <= w && a.h + 30 <= h) ?? b;
    const f = this.#full;
    // Centred on the state, but not past the chart's edges where the chart is larger than the view.
    const clamp = (start, size, min, total) => (size >= total ? min + (total - size) / 2 : Math.min(Math.max(start, min), min + total - size));
    this.#view({ x: clamp(shown.x + shown.w / 2 - w / 2, w, f.x, f.w), y: clamp(shown.y + shown.h / 2 - h / 2, h, f.y, f.h), w, h });
  }

  fit() {
    this.#view({ ...this.#full });
  }

  zoom(factor, cx, cy) {
    const v = this.#current();
    const px = cx ?? v.x + v.w / 2;
    const py = cy ?? v.y + v.h / 2;
    const w = Math.min(this.#full.w * 2, Math.max(80, v.w * factor));
    const k = w / v.w;
    this.#view({ x: px - (px - v.x) * k, y: py - (py - v.y) * k, w, h: v.h * k });
  }

  #current() {
    const [x, y, w, h] = this.#svg.getAttribute('viewBox').split(/[\s,]+/).map(Number);
    return { x, y, w, h };
  }

  #view(v) {
    this.#svg.setAttribute('viewBox', `${v.x} ${v.y} ${v.w} ${v.h}`);
  }

  /** An element's box in the root's viewBox units. */
  #boxOf(el) {
    const r = el.getBoundingClientRect();
    const m = this.#svg.getScreenCTM().inverse();
    const a = new DOMPoint(r.left, r.top).matrixTransform(m);
    const b = new DOMPoint(r.right, r.bottom).matrixTransform(m);
    return { x: a.x, y: a.y, w: b.x - a.x, h: b.y - a.y };
  }

  #point(e) {
    return new DOMPoint(e.clientX, e.clientY).matrixTransform(this.#svg.getScreenCTM().inverse());
  }

  #wheel(e) {
    e.preventDefault();
    const p = this.#point(e);
    this.zoom(Math.exp(e.deltaY * 0.0015), p.x, p.y);
  }

  #down(e) {
    if (e.button !== 0) return;
    this.#drag = { x: e.clientX, y: e.clientY, view: this.#current(), scale: this.#svg.getScreenCTM().a };
    this.#box.setPointerCapture(e.pointerId);
    this.#box.classList.add('dragging');
  }

  #move(e) {
    if (!this.#drag) return;
    const { view, scale } = this.#drag;
    this.#view({ ...view, x: view.x - (e.clientX - this.#drag.x) / scale, y: view.y - (e.clientY - this.#drag.y) / scale });
  }
}
