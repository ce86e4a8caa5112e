// The coordinator's overview page: asks for the admin token (kept in this tab only), then shows the overview.
(function () {
  'use strict';
  var form = document.getElementById('login');
  var status = document.getElementById('status');
  var section = document.getElementById('overview');
  var token = '';
  var KEYS = ['early', 'intermediate', 'advanced', 'undecided'];
  var NS = 'http://www.w3.org/2000/svg';

  function cellText(value, min) { return value === null ? 'fewer than ' + min : String(value); }

  function el(tag, text) { var node = document.createElement(tag); if (text !== undefined) node.textContent = text; return node; }

  function chart(rows, min) {
    var svg = document.createElementNS(NS, 'svg');
    var width = 560, rowH = 30, label = 220;
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + (rows.length * rowH + 10));
    svg.setAttribute('class', 'stage-chart');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', 'Distribution of stages per theme. ' + rows.map(function (r) {
      return r.title + ': ' + (r.d ? KEYS.map(function (k) { return k + ' ' + cellText(r.d[k], min); }).join(', ') : 'hidden (too few finished)');
    }).join('; '));
    rows.forEach(function (r, i) {
      var y = i * rowH + 5;
      var t = document.createElementNS(NS, 'text');
      t.setAttribute('x', String(label - 8)); t.setAttribute('y', String(y + 15)); t.setAttribute('text-anchor', 'end'); t.setAttribute('class', 'label');
      t.textContent = r.title; svg.appendChild(t);
      if (!r.d) return;
      var total = KEYS.reduce(function (s, k) { return s + (r.d[k] || 0); }, 0) || 1;
      var x = label;
      KEYS.forEach(function (k) {
        if (!r.d[k]) return;
        var w = (r.d[k] / total) * (width - label - 10);
        var rect = document.createElementNS(NS, 'rect');
        rect.setAttribute('x', String(x)); rect.setAttribute('y', String(y)); rect.setAttribute('width', String(w)); rect.setAttribute('height', '20');
        rect.setAttribute('class', 'bar bar-' + k);
        svg.appendChild(rect); x += w;
      });
    });
    return svg;
  }

  function render(o) {
    section.hidden = false;
    document.getElementById('counts').textContent = o.started + ' started, ' + o.finished + ' finished' + (o.unreadable ? ', ' + o.unreadable + ' unreadable' : '') + '. Minimum group size: ' + o.minGroupSize + '.';
    var rows = o.themes.map(function (t) { return { title: t.title, d: t.distribution }; });
    rows.push({ title: 'Overall', d: o.overall });
    var holder = document.getElementById('chart');
    holder.replaceChildren(chart(rows, o.minGroupSize));
    var body = document.querySelector('#table tbody');
    body.replaceChildren();
    rows.forEach(function (r) {
      var tr = el('tr'); var th = el('th', r.title); th.setAttribute('scope', 'row'); tr.appendChild(th);
      KEYS.forEach(function (k) { tr.appendChild(el('td', r.d ? cellText(r.d[k], o.minGroupSize) : 'hidden')); });
      body.appendChild(tr);
    });
    if (!o.distributionShown) status.textContent = 'Fewer than ' + o.minGroupSize + ' assessments are finished: the distribution is hidden.';
  }

  function call(path) {
    return fetch(path, { headers: { Authorization: 'Bearer ' + token } }).then(function (res) {
      if (!res.ok) return res.json().then(function (b) { throw new Error(b && b.error ? b.error.message : 'Request failed (' + res.status + ')'); });
      return res;
    });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    token = document.getElementById('token').value.trim();
    status.textContent = 'Loading…';
    call('/api/admin/overview').then(function (res) { return res.json(); }).then(function (o) { status.textContent = ''; render(o); }, function (e) { status.textContent = e.message; });
  });

  document.getElementById('download').addEventListener('click', function () {
    call('/api/admin/results.csv').then(function (res) { return res.blob(); }).then(function (blob) {
      var a = document.createElement('a');
      a.href = URL.createObjectURL(blob); a.download = 'govstage-results.csv';
      document.body.appendChild(a); a.click(); a.remove();
    }, function (e) { status.textContent = e.message; });
  });
})();
