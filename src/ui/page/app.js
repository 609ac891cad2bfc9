// The live page: one card per container, its statechart with the active states highlighted and
// its recent transitions, kept current over the /ui/ws WebSocket.
'use strict';

const cards = new Map();
const main = document.getElementById('containers');
const empty = document.getElementById('empty');
const connection = document.getElementById('connection');
let chart = null;

async function loadChart() {
  const text = await (await fetch('statechart.svg')).text();
  chart = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
}

function shortEvent(type) {
  return type.replace(/^xstate\.(done|error)\.actor\..*$/, '$1 (cloud call)').replace(/^xstate\.init$/, 'create');
}

function time(iso) {
  return iso.slice(11, 23);
}

function card(id) {
  let el = cards.get(id);
  if (el) return el;
  el = document.createElement('section');
  el.className = 'container';
  el.dataset.id = id;
  el.innerHTML = '<h2><span class="name"></span><span class="id"></span><span class="status" data-testid="status"></span><span class="state" data-testid="state"></span></h2>' +
    '<div class="chart"></div><ol class="transitions"></ol>';
  el.querySelector('.chart').appendChild(document.importNode(chart, true));
  cards.set(id, el);
  main.prepend(el);
  return el;
}

function render(c) {
  const el = card(c.id);
  el.dataset.name = c.name;
  el.querySelector('.name').textContent = c.name;
  el.querySelector('.id').textContent = c.id.slice(0, 12);
  const status = el.querySelector('.status');
  status.textContent = c.status;
  status.className = `status ${c.status}`;
  el.querySelector('.state').textContent = c.state;
  for (const node of el.querySelectorAll('.chart .active')) node.classList.remove('active');
  for (const stateId of c.active) el.querySelector(`.chart [id="state:${stateId}"]`)?.classList.add('active');
  const list = el.querySelector('.transitions');
  list.replaceChildren(...c.transitions.map((t) => {
    const li = document.createElement('li');
    li.innerHTML = '<time></time><span class="event"></span> → <span class="to"></span>';
    li.querySelector('time').textContent = time(t.at);
    li.querySelector('time').dateTime = t.at;
    li.querySelector('.event').textContent = shortEvent(t.event);
    li.querySelector('.to').textContent = t.to;
    return li;
  }));
  empty.hidden = cards.size > 0;
}

function remove(id) {
  cards.get(id)?.remove();
  cards.delete(id);
  empty.hidden = cards.size > 0;
}

function connect() {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ui/ws`);
  ws.onopen = () => { connection.textContent = 'live'; };
  ws.onclose = () => { connection.textContent = 'disconnected; retrying…'; setTimeout(connect, 1000); };
  ws.onmessage = (m) => {
    const message = JSON.parse(m.data);
    if (message.type === 'hello') {
      for (const id of [...cards.keys()]) remove(id);
      message.containers.forEach(render);
    } else if (message.type === 'update') render(message.container);
    else if (message.type === 'gone') remove(message.id);
  };
}

loadChart().then(connect);
