// Hand-drawn SVG charts: a line chart with optional bands, and HTML confusion matrices and bars.
import { h } from './ui.js';

const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs = {}, ...children) {
	const el = document.createElementNS(NS, tag);
	for (const [k, v] of Object.entries(attrs)) {
		if (v !== null && v !== undefined) {
			el.setAttribute(k, v);
		}
	}
	for (const c of children) {
		el.append(c instanceof Node ? c : String(c));
	}
	return el;
}

// Round bounds and steps (1, 2, 5 × 10^n) so the axes read naturally.
function niceScale(min, max, target = 5) {
	if (!isFinite(min) || !isFinite(max)) {
		min = 0;
		max = 1;
	}
	if (min === max) {
		const pad = Math.abs(min) * 0.1 || 1;
		min -= pad;
		max += pad;
	}
	const raw = (max - min) / target;
	const mag = 10 ** Math.floor(Math.log10(raw));
	const f = raw / mag;
	const step = (f >= 7.5 ? 10 : f >= 3.5 ? 5 : f >= 1.5 ? 2 : 1) * mag;
	const lo = Math.floor(min / step + 1e-9) * step;
	const hi = Math.ceil(max / step - 1e-9) * step;
	const ticks = [];
	for (let v = lo; v <= hi + step / 2; v += step) {
		ticks.push(Number(v.toFixed(10)));
	}
	const decimals = Math.max(0, -Math.floor(Math.log10(step)));
	return { lo, hi, ticks, format: (v) => v.toFixed(decimals) };
}

/**
 * series: [{name, points: [[x, y]], color, dashed}], bands: [{lower: [[x, y]], upper: [[x, y]], color}],
 * divider: an x drawn as a thin vertical line (where history ends and the forecast starts).
 */
export function lineChart({ series, bands = [], title, xLabel, yLabel, divider, integerX = false, xMax, width = 480,
	height = 250, testId }) {
	const pad = { left: 56, right: 16, top: 34, bottom: 40 };
	const all = [...series.flatMap((x) => x.points), ...bands.flatMap((b) => [...b.lower, ...b.upper])]
		.filter(([x, y]) => isFinite(x) && isFinite(y));
	const xs = all.map((p) => p[0]);
	const ys = all.map((p) => p[1]);
	const xScale = niceScale(Math.min(...xs), Math.max(...xs), 6);
	if (integerX) {
		xScale.lo = Math.min(...xs, 1);
		xScale.hi = Math.max(...xs, xMax ?? 0, xScale.lo + 1);
		const step = Math.max(1, Math.ceil((xScale.hi - xScale.lo) / 8));
		xScale.ticks = [];
		for (let v = xScale.lo; v <= xScale.hi; v += step) {
			xScale.ticks.push(v);
		}
		xScale.format = String;
	}
	const yScale = niceScale(Math.min(...ys), Math.max(...ys), 5);
	const w = width - pad.left - pad.right;
	const ht = height - pad.top - pad.bottom;
	const X = (x) => pad.left + ((x - xScale.lo) / (xScale.hi - xScale.lo || 1)) * w;
	const Y = (y) => pad.top + ht - ((y - yScale.lo) / (yScale.hi - yScale.lo || 1)) * ht;
	const path = (pts) => pts.filter(([x, y]) => isFinite(x) && isFinite(y))
		.map(([x, y], i) => `${i ? 'L' : 'M'}${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join('');

	const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img',
		'aria-label': title || 'chart', 'data-testid': testId });
	const grid = s('g', { class: 'grid' });
	for (const t of yScale.ticks) {
		grid.append(s('line', { x1: pad.left, x2: pad.left + w, y1: Y(t), y2: Y(t) }));
		grid.append(s('text', { x: pad.left - 6, y: Y(t) + 4, 'text-anchor': 'end' }, yScale.format(t)));
	}
	for (const t of xScale.ticks) {
		grid.append(s('text', { x: X(t), y: pad.top + ht + 16, 'text-anchor': 'middle' }, xScale.format(t)));
	}
	grid.append(s('line', { class: 'axis', x1: pad.left, x2: pad.left + w, y1: pad.top + ht, y2: pad.top + ht }));
	svg.append(grid);
	if (xLabel) {
		svg.append(s('text', { class: 'axis-label', x: pad.left + w / 2, y: height - 6, 'text-anchor': 'middle' }, xLabel));
	}
	if (yLabel) {
		svg.append(s('text', { class: 'axis-label', x: 12, y: pad.top + ht / 2, 'text-anchor': 'middle',
			transform: `rotate(-90 12 ${pad.top + ht / 2})` }, yLabel));
	}
	for (const b of bands) {
		const d = path(b.upper) + path([...b.lower].reverse()).replace(/^M/, 'L') + 'Z';
		svg.append(s('path', { class: 'band', d, fill: b.color, 'data-series': b.name }));
	}
	if (divider !== undefined) {
		svg.append(s('line', { class: 'divider', x1: X(divider), x2: X(divider), y1: pad.top, y2: pad.top + ht }));
	}
	for (const ser of series) {
		svg.append(s('path', { class: 'line', d: path(ser.points), stroke: ser.color, 'data-series': ser.name,
			'stroke-dasharray': ser.dashed ? '5 4' : null }));
		if (ser.points.length <= 40) {
			for (const [x, y] of ser.points.filter(([x, y]) => isFinite(x) && isFinite(y))) {
				svg.append(s('circle', { cx: X(x), cy: Y(y), r: 2.6, fill: ser.color }));
			}
		}
	}
	let lx = pad.left;
	if (title) {
		svg.append(s('text', { class: 'chart-title', x: pad.left, y: 16 }, title));
	}
	lx = width - pad.right;
	for (const item of [...series, ...bands].reverse()) {
		const label = s('text', { x: lx, y: 16, 'text-anchor': 'end', class: 'legend' }, item.name);
		svg.append(label);
		lx -= item.name.length * 6.4 + 8;
		svg.append(s('rect', { x: lx - 10, y: 8, width: 10, height: 10, rx: 2, fill: item.color }));
		lx -= 22;
	}
	return svg;
}

/** rows are the true class, columns the predicted one; each row is shaded by its own total. */
export function confusionMatrix(labels, matrix, caption = 'Confusion matrix', testid = 'confusion-matrix') {
	const table = h('table', { class: 'confusion' });
	table.append(h('tr', {}, h('th', {}), labels.map((l) => h('th', { class: 'pred', title: `predicted ${l}` }, l))));
	matrix.forEach((row, i) => {
		const total = row.reduce((a, b) => a + b, 0) || 1;
		table.append(h('tr', {}, h('th', { class: 'true' }, labels[i] ?? i), row.map((v, j) => {
			const share = v / total;
			const color = i === j ? `rgba(34, 139, 94, ${0.12 + share * 0.8})` : `rgba(214, 69, 65, ${share ? 0.1 + share * 0.8 : 0})`;
			return h('td', { style: `background:${color};color:${share > 0.55 ? '#fff' : 'inherit'}`,
				title: `${labels[i]} → ${labels[j]}: ${v}` }, v);
		})));
	});
	return h('figure', { class: 'confusion-figure', 'data-testid': testid },
		h('figcaption', {}, `${caption} `, h('span', { class: 'muted small' }, 'rows: true class, columns: predicted')), table);
}

/** [{label, value}] with value in [0, 1], drawn as horizontal bars. */
export function bars(items) {
	return h('ol', { class: 'bars', 'data-testid': 'prediction-bars' }, items.map(({ label, value }) =>
		h('li', {}, h('span', { class: 'bar-label', title: label }, label),
			h('span', { class: 'bar-track' }, h('span', { class: 'bar-fill', style: `width:${(value * 100).toFixed(1)}%` })),
			h('span', { class: 'bar-value' }, `${(value * 100).toFixed(1)}%`))));
}

/** The best epoch's model on the held-out test split, when the job had one: accuracy, per class, and its matrix. */
export function testResults(labels, metrics) {
	if (metrics?.testAccuracy == null) {
		return null;
	}
	const pct = (x) => (x == null ? '–' : `${(x * 100).toFixed(1)}%`);
	return h('section', { class: 'test-results', 'data-testid': 'test-results' },
		h('h4', {}, 'Held-out test split ', h('span', { class: 'muted small' }, 'never used to choose the epoch')),
		h('p', {}, 'test accuracy ', h('strong', { 'data-testid': 'test-accuracy' }, pct(metrics.testAccuracy))),
		metrics.perClassTestAccuracy ? h('dl', { class: 'facts per-class', 'data-testid': 'per-class-test-accuracy' },
			Object.entries(metrics.perClassTestAccuracy).map(([k, x]) => [h('dt', {}, k), h('dd', {}, pct(x))])) : null,
		metrics.testConfusionMatrix && labels
			? confusionMatrix(labels, metrics.testConfusionMatrix, 'Test confusion matrix', 'test-confusion-matrix') : null);
}
