// The Trust Observatory: a read-only view of the registry's public API. Every string that came
// from a record is put into the page with textContent (never innerHTML), so a profile that says
// "<script>" shows those characters and runs nothing.
'use strict';

const $ = (id) => document.getElementById(id);

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

async function api(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || ('HTTP ' + res.status));
  return body;
}

function agentLink(did, label) {
  const a = el('a', label || did);
  a.href = '#/agent/' + encodeURIComponent(did);
  return a;
}

function show(view) {
  for (const id of ['directory', 'agent', 'graph', 'paths']) $('view-' + id).hidden = id !== view;
}

// Directory and search.
let nextCursor = null;
let listing = 0;  // Which loadDirectory call may still render: only the latest asked for.
async function loadDirectory(reset) {
  const mine = ++listing;
  const q = $('search').value.trim();
  const params = new URLSearchParams({ limit: '50' });
  if (q) params.set('q', q);
  if (!reset && nextCursor) params.set('after', nextCursor);
  const body = await api('/v1/agents?' + params);
  // A slower, older answer (the page's first listing) must not overwrite a search's.
  if (mine !== listing) return;
  const tbody = $('agents').querySelector('tbody');
  if (reset) tbody.replaceChildren();
  for (const a of body.agents) {
    const tr = el('tr');
    const name = el('td');
    name.appendChild(agentLink(a.did, a.name));
    tr.append(name, el('td', a.platform), el('td', a.did, 'did'), el('td', a.updated));
    tbody.appendChild(tr);
  }
  nextCursor = body.next;
  $('more').hidden = !nextCursor;
}

// One agent: its record, DID document, badge and vouches.
function vouchItem(v, other) {
  const li = el('li', '', v.revoked ? 'revoked' : '');
  li.append(agentLink(other), el('span', ' · ' + v.scope + (v.revoked ? ' · revoked' : '')));
  return li;
}

async function loadAgent(did) {
  const a = await api('/v1/agents/' + encodeURIComponent(did));
  $('agent-name').textContent = a.name;
  $('agent-badge').src = '/v1/badges/' + encodeURIComponent(a.did) + '.svg';
  const facts = $('agent-facts');
  facts.replaceChildren();
  for (const [k, v] of [['did:key', a.did], ['did:aip', a.alias], ['Platform', a.platform],
                        ['Description', a.description], ['URL', a.url], ['Updated', a.updated]]) {
    if (!v) continue;
    facts.append(el('dt', k), el('dd', v));
  }
  const resolution = await api('/v1/dids/' + encodeURIComponent(a.did));
  $('agent-document').textContent = JSON.stringify(resolution.didDocument, null, 2);
  $('agent-received').replaceChildren(...a.vouches_received.map((v) => vouchItem(v, v.issuer)));
  $('agent-given').replaceChildren(...a.vouches_given.map((v) => vouchItem(v, v.subject)));
}

// The trust graph.
let cy = null;
async function loadGraph() {
  const body = await api('/v1/graph?limit=2000');
  const names = new Map();
  const dir = await api('/v1/agents?limit=200');
  for (const a of dir.agents) names.set(a.did, a.name);
  const nodes = new Map();
  const edges = [];
  for (const e of body.edges) {
    for (const d of [e.issuer, e.subject]) {
      if (!nodes.has(d)) nodes.set(d, { data: { id: d, label: names.get(d) || d.slice(-8) } });
    }
    edges.push({ data: { id: e.issuer + '>' + e.subject + '>' + e.scope, source: e.issuer, target: e.subject, weight: e.weight } });
  }
  if (cy) cy.destroy();
  cy = window.cytoscape({
    container: $('graph'),
    elements: [...nodes.values(), ...edges],
    style: [
      { selector: 'node', style: { label: 'data(label)', 'font-size': 10, 'background-color': '#3a6ea5', width: 18, height: 18 } },
      { selector: 'edge', style: { width: 'mapData(weight, 0, 1, 1, 4)', 'curve-style': 'bezier', 'target-arrow-shape': 'triangle',
                                   'line-color': '#9aa5b1', 'target-arrow-color': '#9aa5b1' } },
    ],
    layout: { name: 'cose', animate: false },
  });
  cy.on('tap', 'node', (evt) => { location.hash = '#/agent/' + encodeURIComponent(evt.target.id()); });
  $('graph-status').textContent = nodes.size + ' agents, ' + edges.length + ' vouches shown';
  $('graph').dataset.nodes = String(nodes.size);
  $('graph').dataset.edges = String(edges.length);
}

// The path explorer: how do my anchors reach this agent, and why this score?
async function explain() {
  const params = new URLSearchParams({
    anchors: $('paths-anchors').value.split(',').map((s) => s.trim()).filter(Boolean).join(','),
    subject: $('paths-subject').value.trim(),
  });
  const scope = $('paths-scope').value.trim();
  if (scope) params.set('scope', scope);
  const out = $('paths-result');
  out.replaceChildren();
  let r;
  try {
    r = await api('/v1/trust?' + params);
  } catch (e) {
    out.appendChild(el('p', 'Error: ' + e.message));
    return;
  }
  out.appendChild(el('p', 'Score ' + r.score.toFixed(4), 'score'));
  if (r.paths.length === 0) out.appendChild(el('p', 'No path from these anchors reaches this agent.'));
  r.paths.forEach((p, i) => {
    const div = el('div', '', 'path');
    div.appendChild(el('p', 'Path ' + (i + 1) + ': contributes ' + p.contribution.toFixed(4)));
    const ol = el('ol');
    p.path.forEach((d, h) => {
      const li = el('li', '', 'hop');
      li.appendChild(agentLink(d));
      if (h < p.weights.length) li.appendChild(el('span', '  → vouch weight ' + p.weights[h].toFixed(3)));
      ol.appendChild(li);
    });
    div.appendChild(ol);
    out.appendChild(div);
  });
  if (r.unexplained > 0.0001) out.appendChild(el('p', 'Not explained by these paths: ' + r.unexplained.toFixed(4)));
}

async function refreshCounts() {
  try {
    const s = await api('/v1/stats');
    $('count-agents').textContent = s.agents;
    $('count-vouches').textContent = s.vouches;
    $('count-revocations').textContent = s.revocations;
  } catch (e) { /* the next poll retries */ }
}

async function route() {
  const hash = location.hash || '#/';
  try {
    if (hash.startsWith('#/agent/')) {
      show('agent');
      await loadAgent(decodeURIComponent(hash.slice(8)));
    } else if (hash === '#/graph') {
      show('graph');
      await loadGraph();
    } else if (hash.startsWith('#/paths')) {
      show('paths');
    } else {
      show('directory');
      await loadDirectory(true);
    }
  } catch (e) {
    $('agent-name').textContent = 'Error: ' + e.message;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('search-form').addEventListener('submit', (e) => { e.preventDefault(); loadDirectory(true); });
  $('more').addEventListener('click', () => loadDirectory(false));
  $('paths-form').addEventListener('submit', (e) => { e.preventDefault(); explain(); });
  window.addEventListener('hashchange', route);
  refreshCounts();
  setInterval(refreshCounts, 5000);
  route();
});
