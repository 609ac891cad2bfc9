// The container list: fixed-height rows, and only those in view (plus a few) exist in the DOM,
// so a thousand containers cost what thirty do.
export const ROW_HEIGHT = 48;
const OVERSCAN = 6;

export function shortId(id) {
  return id.slice(0, 12);
}

/** The part of the state path below the top-level state: `running.up` → `up`. */
export function substate(state) {
  const dot = state.indexOf('.');
  return dot < 0 ? '' : state.slice(dot + 1);
}

export function ago(iso, now = Date.now()) {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** `exit 3`, or the error, or nothing: the last column of a row. */
export function outcome(c) {
  if (c.error) return { text: c.error, error: true };
  if (c.status === 'exited' || c.status === 'dead') return { text: `exit ${c.exitCode}`, error: c.exitCode !== 0 };
  return { text: '', error: false };
}

const ROW_HTML = '<span class="badge" data-testid="status"></span><span class="name"></span><span class="since"></span>'
  + '<span class="meta"><code class="id"></code><span class="image"></span><span class="sub"></span></span><span class="outcome"></span>';

export class VirtualList {
  #el;
  #spacer;
  #onSelect;
  #items = [];
  #rows = [];
  #selected = null;
  #frame = 0;

  constructor(el, spacer, onSelect) {
    this.#el = el;
    this.#spacer = spacer;
    this.#onSelect = onSelect;
    el.addEventListener('scroll', () => this.schedule(), { passive: true });
    el.addEventListener('click', (e) => {
      const row = e.target.closest('.row');
      if (row) this.#onSelect(row.dataset.id);
    });
    el.addEventListener('keydown', (e) => this.#key(e));
    new ResizeObserver(() => this.schedule()).observe(el);
  }

  get items() {
    return this.#items;
  }

  setItems(items) {
    this.#items = items;
    this.#spacer.style.height = `${items.length * ROW_HEIGHT}px`;
    this.schedule();
  }

  setSelected(id) {
    this.#selected = id;
    this.schedule();
  }

  /** Brings the selected row into view if it is listed. */
  reveal(id) {
    const i = this.#items.findIndex((c) => c.id === id);
    if (i < 0) return;
    const top = i * ROW_HEIGHT;
    if (top < this.#el.scrollTop || top + ROW_HEIGHT > this.#el.scrollTop + this.#el.clientHeight) {
      this.#el.scrollTop = Math.max(0, top - this.#el.clientHeight / 3);
    }
    this.render();
  }

  schedule() {
    if (!this.#frame) this.#frame = requestAnimationFrame(() => this.render());
  }

  render() {
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    const first = Math.max(0, Math.floor(this.#el.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.#items.length, Math.ceil((this.#el.scrollTop + this.#el.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    const count = Math.max(0, last - first);
    while (this.#rows.length < count) {
      const row = document.createElement('div');
      row.className = 'row';
      row.setAttribute('role', 'option');
      row.innerHTML = ROW_HTML;
      this.#spacer.appendChild(row);
      this.#rows.push(row);
    }
    while (this.#rows.length > count) this.#rows.pop().remove();
    const now = Date.now();
    for (let i = 0; i < count; i++) this.#fill(this.#rows[i], this.#items[first + i], first + i, now);
  }

  #fill(row, c, index, now) {
    row.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
    row.dataset.id = c.id;
    row.dataset.name = c.name;
    row.setAttribute('aria-selected', String(c.id === this.#selected));
    const [badge, name, since, meta, out] = row.children;
    badge.textContent = c.status;
    badge.className = `badge s-${c.status}`;
    name.textContent = c.name;
    name.title = c.name;
    since.textContent = ago(c.since, now);
    since.title = c.since;
    const [id, image, sub] = meta.children;
    id.textContent = shortId(c.id);
    image.textContent = c.image;
    sub.textContent = substate(c.state);
    const o = outcome(c);
    out.textContent = o.text;
    out.title = o.text;
    out.className = o.error ? 'outcome bad' : 'outcome';
  }

  #key(e) {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const i = this.#items.findIndex((c) => c.id === this.#selected);
    const next = this.#items[Math.min(this.#items.length - 1, Math.max(0, i + (e.key === 'ArrowDown' ? 1 : -1)))];
    if (next) this.#onSelect(next.id);
  }
}
