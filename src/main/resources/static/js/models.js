// Models tab: every model, its versions and aliases, and one version's metrics, lineage and checksum.
import { api } from './api.js';
import { confusionMatrix, testResults } from './charts.js';
import { bytes, confirmDialog, count, h, num, problemBox, toast, when } from './ui.js';

const list = () => document.getElementById('model-list');
const detail = () => document.getElementById('model-detail');
const state = { name: null, version: null };

export async function refreshModels() {
	try {
		const models = await api('/api/v1/models');
		list().replaceChildren(...(models.length ? models.map(item) : [h('li', { class: 'muted empty' },
			'No models yet: train one or import one through the API.')]));
		if (!state.name && models.length) {
			await showModel(models[0].name);
		}
	}
	catch (err) {
		list().replaceChildren(h('li', {}, problemBox(err)));
	}
}

function item(m) {
	return h('li', { class: state.name === m.name ? 'selected' : null, dataset: { model: m.name },
		onclick: () => showModel(m.name) },
		h('div', { class: 'row' }, h('strong', {}, m.name), h('span', { class: 'muted small' }, `v${m.latestVersion ?? '–'}`)),
		h('div', { class: 'row small' }, h('span', { class: 'muted' }, m.task ?? ''),
			h('span', {}, Object.entries(m.aliases || {}).map(([a, v]) => h('span', { class: 'chip' }, `${a}→${v}`)))));
}

export async function showModel(name, version) {
	state.name = name;
	for (const li of list().querySelectorAll('li[data-model]')) {
		li.classList.toggle('selected', li.dataset.model === name);
	}
	try {
		const model = await api(`/api/v1/models/${encodeURIComponent(name)}`);
		const versions = [...model.versions].sort((a, b) => b.version - a.version);
		state.version = version ?? (versions.some((v) => v.version === state.version) && state.name === name
			? state.version : model.aliases?.production ?? versions[0]?.version);
		detail().replaceChildren(h('div', { class: 'card' },
			h('h2', {}, model.name, h('span', { class: 'muted small task' }, model.task)),
			aliasPanel(model, versions),
			versionTable(model, versions)),
		h('div', { id: 'version-detail' }));
		const chosen = versions.find((v) => v.version === state.version);
		if (chosen) {
			showVersion(chosen);
		}
	}
	catch (err) {
		detail().replaceChildren(problemBox(err));
	}
}

function aliasPanel(model, versions) {
	const aliases = Object.entries(model.aliases || {});
	const names = new Set(['production', 'staging', ...aliases.map(([a]) => a)]);
	const aliasInput = h('input', { name: 'alias', list: 'alias-names', value: aliases[0]?.[0] ?? 'production',
		pattern: '[a-z][a-z0-9_\\-]{0,31}', 'aria-label': 'alias', size: 12 });
	const versionSelect = h('select', { name: 'version', 'aria-label': 'version' },
		versions.filter((v) => v.status === 'READY').map((v) => h('option', { value: v.version }, `v${v.version}`)));
	const error = h('div', { class: 'field-error' });
	const form = h('form', { class: 'inline alias-form', onsubmit: async (e) => {
		e.preventDefault();
		const alias = aliasInput.value.trim();
		const version = Number(versionSelect.value);
		const from = model.aliases?.[alias];
		const text = from === undefined
			? `Create alias ${alias} on ${model.name}:${version}?`
			: `Move ${model.name}@${alias} from v${from} to v${version}? Serving switches once v${version} is warm.`;
		if (!(await confirmDialog(`Switch ${alias}`, text, 'Switch alias'))) {
			return;
		}
		try {
			await api(`/api/v1/models/${encodeURIComponent(model.name)}/aliases/${encodeURIComponent(alias)}`,
				{ method: 'PUT', json: { version } });
			toast(`${model.name}@${alias} → v${version}`, 'ok');
			await Promise.all([refreshModels(), showModel(model.name, state.version)]);
		}
		catch (err) {
			error.replaceChildren(problemBox(err));
		}
	} },
	h('datalist', { id: 'alias-names' }, [...names].map((n) => h('option', { value: n }))),
	h('span', { class: 'muted' }, 'Point alias'), aliasInput, h('span', { class: 'muted' }, 'at'), versionSelect,
	h('button', { class: 'primary', type: 'submit', 'data-testid': 'alias-switch' }, 'Switch…'));
	return h('div', { class: 'aliases' },
		h('div', { class: 'chips', 'data-testid': 'alias-chips' }, aliases.length
			? aliases.map(([a, v]) => h('span', { class: 'chip big', dataset: { alias: a, version: v } }, h('b', {}, a), ` → v${v}`))
			: h('span', { class: 'muted small' }, 'No aliases: the newest READY version serves.')),
		form, error, aliases.length ? aliasHistory(model.name, aliases.map(([a]) => a)) : null);
}

// Fetched when opened: who moved each alias, from which version to which, and when.
function aliasHistory(name, aliases) {
	const body = h('div', {});
	const details = h('details', { class: 'history', ontoggle: async () => {
		if (!details.open || body.childElementCount) {
			return;
		}
		try {
			const changes = (await Promise.all(aliases.map((a) =>
				api(`/api/v1/models/${encodeURIComponent(name)}/aliases/${encodeURIComponent(a)}/history`)))).flat()
				.sort((x, y) => String(y.changedAt).localeCompare(String(x.changedAt)));
			body.replaceChildren(h('table', { class: 'grid-table' }, h('tbody', {}, changes.map((c) => h('tr', {},
				h('td', {}, when(c.changedAt)), h('td', {}, h('b', {}, c.alias)),
				h('td', {}, `${c.fromVersion ? `v${c.fromVersion}` : 'new'} → ${c.toVersion ? `v${c.toVersion}` : 'removed'}`),
				h('td', { class: 'muted' }, c.changedBy ?? ''))))));
		}
		catch (err) {
			body.replaceChildren(problemBox(err));
		}
	} }, h('summary', { class: 'small muted' }, 'alias history'), body);
	return details;
}

function versionTable(model, versions) {
	const aliasesOf = (v) => Object.entries(model.aliases || {}).filter(([, n]) => n === v).map(([a]) => a);
	return h('table', { class: 'grid-table versions' },
		h('thead', {}, h('tr', {}, ['version', 'status', 'architecture', 'parameters', 'size', 'accuracy', 'created', 'aliases']
			.map((c) => h('th', {}, c)))),
		h('tbody', {}, versions.map((v) => h('tr', {
			class: v.version === state.version ? 'selected' : null, dataset: { version: v.version },
			onclick: () => showModel(model.name, v.version) },
		h('td', {}, h('b', {}, `v${v.version}`)), h('td', {}, v.status), h('td', {}, v.architecture),
		h('td', { class: 'num' }, count(v.parameters)), h('td', { class: 'num' }, bytes(v.sizeBytes)),
		h('td', { class: 'num' }, num(v.metrics?.bestValidationAccuracy)), h('td', {}, when(v.createdAt)),
		h('td', {}, aliasesOf(v.version).map((a) => h('span', { class: 'chip' }, a)))))));
}

function showVersion(v) {
	const facts = [
		['reference', `${v.name}:${v.version}`], ['status', v.status], ['architecture', v.architecture],
		['format', v.format], ['parameters', v.parameters?.toLocaleString() ?? '–'], ['size', bytes(v.sizeBytes)],
		['input shape', v.inputShape ? `[${v.inputShape.join(', ')}]` : '–'], ['created', when(v.createdAt)],
	];
	if (v.preprocessing) {
		facts.push(['image size', v.preprocessing.imageSize], ['mean / std',
			`${(v.preprocessing.mean || []).map((x) => num(x)).join(' ')} / ${(v.preprocessing.std || []).map((x) => num(x)).join(' ')}`]);
	}
	if (v.forecast) {
		facts.push(['window / horizon', `${v.forecast.window} / ${v.forecast.horizon}`], ['target', v.forecast.target]);
	}
	const metrics = v.metrics || {};
	const scalars = Object.entries(metrics).filter(([, x]) => typeof x !== 'object');
	const lineage = v.lineage || {};
	const artifact = `/api/v1/models/${encodeURIComponent(v.name)}/versions/${v.version}/artifact`;
	const cards = [
		h('div', { class: 'card' }, h('h3', {}, `Version ${v.version}`),
			h('dl', { class: 'facts' }, facts.map(([k, x]) => [h('dt', {}, k), h('dd', {}, x ?? '–')])),
			h('div', { class: 'sha' }, h('span', { class: 'muted small' }, 'sha256 '), h('code', { 'data-testid': 'sha256' }, v.sha256),
				h('a', { href: artifact, class: 'small', download: '' }, ' download')),
			v.labels ? h('div', { class: 'chips labels' }, v.labels.map((l) => h('span', { class: 'chip' }, l))) : null),
		h('div', { class: 'card' }, h('h3', {}, 'Lineage'),
			h('ol', { class: 'lineage' },
				h('li', {}, h('span', { class: 'muted' }, 'training job '), lineage.trainingJobId
					? h('a', { href: `#training/${lineage.trainingJobId}` }, lineage.trainingJobId.slice(0, 8)) : 'none (imported)'),
				h('li', {}, h('span', { class: 'muted' }, 'dataset '), lineage.datasetId
					? h('a', { href: '#datasets', title: lineage.datasetSha256 }, lineage.datasetId.slice(0, 8)) : '–',
				lineage.datasetSha256 ? h('code', { class: 'small' }, ` ${lineage.datasetSha256.slice(0, 12)}…`) : null),
				h('li', {}, h('span', { class: 'muted' }, 'base model '), lineage.baseModel
					? h('a', { href: '#models', onclick: () => showModel(lineage.baseModel.split(':')[0], Number(lineage.baseModel.split(':')[1])) }, lineage.baseModel)
					: 'none (from scratch)'))),
		h('div', { class: 'card' }, h('h3', {}, 'Metrics'),
			forecastWarning(metrics),
			scalars.length ? h('dl', { class: 'facts' }, scalars.map(([k, x]) => [h('dt', {}, k), h('dd', {}, typeof x === 'number' ? num(x, 4) : x)]))
				: h('p', { class: 'muted' }, 'No metrics recorded.'),
			metrics.perClassAccuracy ? h('dl', { class: 'facts per-class' }, Object.entries(metrics.perClassAccuracy)
				.map(([k, x]) => [h('dt', {}, k), h('dd', {}, num(x))])) : null,
			metrics.confusionMatrix && v.labels ? confusionMatrix(v.labels, metrics.confusionMatrix) : null,
			testResults(v.labels, metrics)),
		v.task === 'image-classification' ? servingCard(v) : null,
	];
	document.getElementById('version-detail').replaceChildren(h('div', { class: 'cards' }, cards));
}

// The precision a version serves at and, once it has loaded here, how it agreed with fp32 (from its OIP metadata).
function servingCard(v) {
	const precision = v.serving?.precision ?? 'fp32';
	const reduced = precision !== 'fp32';
	const measured = h('p', { class: 'small', 'data-testid': 'agreement' }, reduced
		? h('span', { class: 'muted' }, 'Its agreement with fp32 is measured when it loads on a replica, before it serves.')
		: h('span', { class: 'muted' }, 'Served in float32, as trained or imported.'));
	if (reduced) {
		api(`/v2/models/${encodeURIComponent(v.name)}/versions/${v.version}`).then((metadata) => {
			const a = metadata.parameters?.agreement;
			if (a) {
				measured.replaceChildren(`Picks fp32's class on ${num(100 * a.top1Agreement, 1)}% of ${a.images} held-out images `
					+ `(max |Δp| ${num(a.maxAbsDelta)}); ${num(a.reducedMillisPerImage)} ms per image against fp32's `
					+ `${num(a.fp32MillisPerImage)}.`);
			}
		}).catch((err) => measured.replaceChildren(problemBox(err)));
	}
	return h('div', { class: 'card' }, h('h3', {}, 'Serving'),
		h('dl', { class: 'facts' },
			h('dt', {}, 'precision'), h('dd', { 'data-testid': 'precision' }, precision),
			reduced ? [h('dt', {}, 'must agree on'), h('dd', {}, `${num(100 * (v.serving.minAgreement ?? 0.99), 1)}%`)] : null,
			v.serving?.agreementReference ? [h('dt', {}, 'fp32 version'), h('dd', {}, v.serving.agreementReference)] : null,
			v.serving?.agreementDataset ? [h('dt', {}, 'measured on'), h('dd', {}, v.serving.agreementDataset)] : null),
		measured);
}

// What /forecast says in its warnings, from the same holdout metrics: worse than naive, or not significantly better.
function forecastWarning(metrics) {
	const naive = metrics.significance?.naive;
	if (typeof metrics.relativeMae === 'number' && metrics.relativeMae >= 1) {
		return h('p', { class: 'forecast-warning', 'data-testid': 'forecast-warning' },
			`Worse than naive on the holdout: MAE ${num(metrics.relativeMae, 3)}× the last value repeated.`);
	}
	if (metrics.beatsNaive === false && naive) {
		return h('p', { class: 'forecast-warning', 'data-testid': 'forecast-warning' },
			`Not significantly better than naive: MAE ${num(metrics.relativeMae, 3)}× naive, Diebold–Mariano p = ${num(naive.pValue, 3)}.`);
	}
	return null;
}
