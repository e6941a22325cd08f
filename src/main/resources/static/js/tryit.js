// Try it tab: classify a dropped image with any version, and plot a forecast over its history.
import { api } from './api.js';
import { bars, lineChart } from './charts.js';
import { h, num, problemBox } from './ui.js';

const classifyCard = () => document.getElementById('classify-card');
const forecastCard = () => document.getElementById('forecast-card');

/** Every way to name each version of the models of one task: name, name@alias, name:version. */
async function refsOf(task) {
	const models = (await api('/api/v1/models')).filter((m) => m.task === task);
	const details = await Promise.all(models.map((m) => api(`/api/v1/models/${encodeURIComponent(m.name)}`)));
	return details.map((m) => ({ name: m.name, refs: [
		{ ref: m.name, label: `${m.name} (default)` },
		...Object.entries(m.aliases || {}).map(([a, v]) => ({ ref: `${m.name}@${a}`, label: `${m.name}@${a} (v${v})` })),
		...m.versions.filter((v) => v.status === 'READY').sort((a, b) => b.version - a.version)
			.map((v) => ({ ref: `${m.name}:${v.version}`, label: `${m.name}:${v.version}`, version: v })),
	] }));
}

function refSelect(groups, name, empty) {
	const select = h('select', { name, 'aria-label': 'model' });
	const keep = document.querySelector(`select[name="${name}"]`)?.value;
	if (!groups.length) {
		select.append(h('option', { value: '' }, empty));
		select.disabled = true;
	}
	for (const g of groups) {
		select.append(h('optgroup', { label: g.name }, g.refs.map((r) => h('option', { value: r.ref }, r.label))));
	}
	if (keep && [...select.options].some((o) => o.value === keep)) {
		select.value = keep;
	}
	return select;
}

export async function refreshTry() {
	await Promise.all([buildClassify(), buildForecast()]);
}

async function buildClassify() {
	let groups;
	try {
		groups = await refsOf('image-classification');
	}
	catch (err) {
		classifyCard().replaceChildren(problemBox(err));
		return;
	}
	const select = refSelect(groups, 'classify-model', 'no image classifier yet');
	const topK = h('input', { type: 'number', name: 'topK', value: 5, min: 1, max: 100, step: 1, class: 'narrow', 'aria-label': 'top k' });
	const preview = h('img', { class: 'preview', alt: '', hidden: true });
	const result = h('div', { class: 'result', 'data-testid': 'classify-result' });
	const input = h('input', { type: 'file', accept: 'image/png,image/jpeg', id: 'classify-file', 'data-testid': 'classify-file',
		onchange: () => input.files[0] && classify(input.files[0]) });
	const drop = h('label', { class: 'dropzone', for: 'classify-file' }, preview,
		h('span', { class: 'drop-text' }, 'Drop a JPEG or PNG here, or click to choose one'), input);
	for (const type of ['dragenter', 'dragover']) {
		drop.addEventListener(type, (e) => {
			e.preventDefault();
			drop.classList.add('over');
		});
	}
	drop.addEventListener('dragleave', () => drop.classList.remove('over'));
	drop.addEventListener('drop', (e) => {
		e.preventDefault();
		drop.classList.remove('over');
		const file = e.dataTransfer.files[0];
		if (file) {
			classify(file);
		}
	});

	async function classify(file) {
		preview.src = URL.createObjectURL(file);
		preview.hidden = false;
		if (!select.value) {
			result.replaceChildren(h('p', { class: 'muted' }, 'Train or import an image classifier first.'));
			return;
		}
		result.replaceChildren(h('p', { class: 'muted' }, 'Classifying…'));
		const started = performance.now();
		try {
			const type = ['image/jpeg', 'image/png'].includes(file.type) ? file.type : 'application/octet-stream';
			const answer = await api(`/api/v1/models/${encodeURIComponent(select.value)}/classify?topK=${Number(topK.value) || 5}`,
				{ method: 'POST', body: file, headers: { 'Content-Type': type } });
			const roundTrip = performance.now() - started;
			const t = answer.timings || {};
			result.replaceChildren(
				h('div', { class: 'row' }, h('span', {}, 'answered by ', h('b', { 'data-testid': 'classify-model' }, answer.model)),
					h('span', { class: 'muted small' }, file.name)),
				bars(answer.predictions.map((p) => ({ label: p.label, value: p.probability }))),
				h('div', { class: 'timings small', 'data-testid': 'classify-timings' },
					[['queue', t.queueMs], ['preprocess', t.preprocessMs], ['inference', t.inferenceMs], ['round trip', roundTrip]]
						.map(([k, v]) => h('span', {}, h('span', { class: 'muted' }, `${k} `), `${num(v, 1)} ms`))));
		}
		catch (err) {
			result.replaceChildren(problemBox(err));
		}
	}

	classifyCard().replaceChildren(h('h2', {}, 'Classify an image'),
		h('div', { class: 'inline' }, h('span', { class: 'muted' }, 'model'), select, h('span', { class: 'muted' }, 'top'), topK),
		drop, result);
}

function parseSeries(text) {
	return text.split(/[\s,;]+/).filter(Boolean).map(Number);
}

function sineExample(n = 120) {
	return Array.from({ length: n }, (_, i) => Number((10 + 3 * Math.sin(i / 6) + 0.15 * Math.sin(i * 1.7)).toFixed(3)));
}

// Reads one numeric column of a local CSV (header row first); the service keeps no way to download a dataset.
function csvColumn(text, column) {
	const lines = text.trim().split(/\r?\n/);
	const header = lines[0].split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
	const index = column === undefined ? header.findIndex((_, i) => lines.slice(1, 6).every((l) => isFinite(parseFloat(l.split(',')[i])))) : header.indexOf(column);
	return { header, index, values: lines.slice(1).map((l) => parseFloat(l.split(',')[index])).filter(isFinite) };
}

async function buildForecast() {
	let groups;
	try {
		groups = await refsOf('forecasting');
	}
	catch (err) {
		forecastCard().replaceChildren(problemBox(err));
		return;
	}
	const select = refSelect(groups, 'forecast-model', 'no forecaster yet');
	const versionOf = (ref) => groups.flatMap((g) => g.refs).find((r) => r.ref === ref);
	const horizon = h('input', { type: 'number', name: 'horizon', min: 1, step: 1, class: 'narrow', 'aria-label': 'horizon' });
	const defaultHorizon = () => {
		const g = groups.find((x) => select.value.startsWith(x.name));
		const v = versionOf(select.value)?.version ?? g?.refs.find((r) => r.version)?.version;
		horizon.placeholder = v?.forecast?.horizon ?? 5;
	};
	select.addEventListener('change', defaultHorizon);
	defaultHorizon();
	const series = h('textarea', { name: 'series', rows: 3, 'data-testid': 'forecast-series', placeholder: 'numbers, oldest first: 10.2, 10.8, 11.1, …' });
	const columnSelect = h('select', { 'aria-label': 'column', hidden: true });
	let csvText = null;
	const csv = h('input', { type: 'file', accept: '.csv,text/csv', 'aria-label': 'CSV file', onchange: async () => {
		csvText = await csv.files[0].text();
		const { header, index, values } = csvColumn(csvText);
		columnSelect.replaceChildren(...header.map((c) => h('option', { value: c }, c)));
		columnSelect.value = header[index];
		columnSelect.hidden = false;
		series.value = values.join(', ');
	} });
	columnSelect.addEventListener('change', () => (series.value = csvColumn(csvText, columnSelect.value).values.join(', ')));
	const plot = h('div', { class: 'result', 'data-testid': 'forecast-result' });
	const go = h('button', { class: 'primary', 'data-testid': 'forecast-go', onclick: async () => {
		const values = parseSeries(series.value);
		if (!select.value) {
			plot.replaceChildren(h('p', { class: 'muted' }, 'Train a forecaster first (an lstm, gru or rnn on a series dataset).'));
			return;
		}
		if (!values.length || values.some((v) => !isFinite(v))) {
			plot.replaceChildren(problemBox({ message: 'the series must be numbers separated by commas or spaces', code: 'client_check' }));
			return;
		}
		const body = { series: values };
		if (horizon.value) {
			body.horizon = Number(horizon.value);
		}
		plot.replaceChildren(h('p', { class: 'muted' }, 'Forecasting…'));
		const started = performance.now();
		try {
			const answer = await api(`/api/v1/models/${encodeURIComponent(select.value)}/forecast`, { method: 'POST', json: body });
			const t = answer.timings || {};
			plot.replaceChildren(forecastChart(values, answer),
				h('div', { class: 'small' }, 'answered by ', h('b', { 'data-testid': 'forecast-model' }, answer.model),
					answer.bands ? h('span', { class: 'muted' }, ` · band: ${answer.bands}`) : null),
				h('div', { class: 'small muted' }, `next: ${answer.forecast.map((v) => num(v, 2)).join(', ')}`),
				h('div', { class: 'timings small' }, [['queue', t.queueMs], ['preprocess', t.preprocessMs],
					['inference', t.inferenceMs], ['round trip', performance.now() - started]]
					.map(([k, v]) => h('span', {}, h('span', { class: 'muted' }, `${k} `), `${num(v, 1)} ms`))));
		}
		catch (err) {
			plot.replaceChildren(problemBox(err));
		}
	} }, 'Forecast');
	forecastCard().replaceChildren(h('h2', {}, 'Forecast a series'),
		h('div', { class: 'inline' }, h('span', { class: 'muted' }, 'model'), select, h('span', { class: 'muted' }, 'horizon'), horizon),
		series,
		h('div', { class: 'inline' }, h('button', { class: 'secondary', type: 'button', 'data-testid': 'forecast-sine',
			onclick: () => (series.value = sineExample().join(', ')) }, 'Sine example'),
		h('span', { class: 'muted small' }, 'or a local CSV'), csv, columnSelect, h('span', { class: 'grow' }), go),
		plot);
}

function forecastChart(history, answer) {
	const n = history.length;
	const shown = history.slice(-Math.max(60, answer.forecast.length * 6));
	const offset = n - shown.length;
	const last = [n - 1, history[n - 1]];
	const ahead = (arr) => [last, ...arr.map((v, i) => [n + i, v])];
	const hasBands = Array.isArray(answer.lower) && Array.isArray(answer.upper) && answer.lower.length === answer.forecast.length;
	return lineChart({ title: 'History and forecast', xLabel: 'step', testId: 'forecast-chart', divider: n - 1,
		series: [{ name: 'history', color: '#334155', points: shown.map((v, i) => [offset + i, v]) },
			{ name: 'forecast', color: '#ea7317', points: ahead(answer.forecast) }],
		bands: hasBands ? [{ name: 'lower–upper', color: 'rgba(234, 115, 23, 0.18)', lower: ahead(answer.lower), upper: ahead(answer.upper) }] : [] });
}
