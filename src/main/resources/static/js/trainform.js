// The form that starts a training job. Empty numbers are left out so the service's defaults apply; its
// problem+json answer is shown under the field it names.
import { api } from './api.js';
import { count, h, problemBox } from './ui.js';
import { addJob } from './training.js';

const form = () => document.getElementById('train-form');
let architectures = [];
let datasets = [];
let models = [];
// the query behind the parameter counts shown
let counted = '';

function field(label, input, hint) {
	const name = input.getAttribute('name');
	return h('label', { class: 'field', dataset: { field: name } }, h('span', { class: 'label' }, label), input,
		hint ? h('span', { class: 'hint' }, hint) : null, h('span', { class: 'field-error' }));
}

const numberInput = (name, placeholder, attrs = {}) => h('input', { name, type: 'number', placeholder, step: 'any', ...attrs });

const IMAGE_ONLY = ['baseModel', 'transferMode', 'baseLearningRateFactor', 'trainableLayers', 'imageSize', 'augment',
	'testSplit'];
const SERIES_ONLY = ['target', 'window', 'horizon', 'hiddenSize', 'layers', 'dropout', 'holdoutSplit', 'season'];

export async function refreshTrainForm() {
	try {
		counted = 'classes=10&imageSize=224';
		[architectures, datasets, models] = await Promise.all([api(`/api/v1/architectures?${counted}`),
			api('/api/v1/datasets'), api('/api/v1/models')]);
	}
	catch (err) {
		form().replaceChildren(problemBox(err));
		return;
	}
	const keep = form().elements.length ? new FormData(form()) : null;
	build();
	if (keep) {
		for (const [k, v] of keep.entries()) {
			const el = form().elements.namedItem(k);
			if (el && el.type !== 'checkbox' && [...(el.options || [{ value: v }])].some((o) => o.value === v)) {
				el.value = v;
			}
		}
	}
	sync();
}

function build() {
	const arch = h('select', { name: 'architecture', onchange: sync },
		['image-classification', 'forecasting'].map((task) => h('optgroup', { label: task },
			architectures.filter((a) => a.task === task).map((a) => h('option', { value: a.name, title: a.description }, a.name)))));
	const bases = models.filter((m) => m.task === 'image-classification').flatMap((m) =>
		[m.name, ...Object.keys(m.aliases || {}).map((a) => `${m.name}@${a}`)]);
	form().replaceChildren(
		h('h2', {}, 'Start a training job'),
		h('div', { class: 'form-grid' },
			field('model name', h('input', { name: 'model', required: true, placeholder: 'e.g. shapes', pattern: '[a-z0-9][a-z0-9._\\-]{0,63}', autocomplete: 'off' })),
			field('architecture', arch, h('span', { id: 'arch-info' })),
			field('dataset', h('select', { name: 'dataset', onchange: sync })),
			field('device', h('select', { name: 'device' }, ['auto', 'cpu', 'gpu'].map((d) => h('option', { value: d }, d)))),
			field('base model', h('select', { name: 'baseModel', onchange: sync }, h('option', { value: '' }, 'none: train from scratch'),
				bases.map((b) => h('option', { value: b }, b)))),
			field('transfer mode', h('select', { name: 'transferMode', onchange: sync },
				h('option', { value: 'feature-extraction' }, 'feature extraction (base frozen)'),
				h('option', { value: 'fine-tune' }, 'fine-tune (base trains too)'))),
			field('base learning-rate factor', numberInput('baseLearningRateFactor', '0.1', { min: 0 })),
			field('trainable layers', numberInput('trainableLayers', 'all', { min: 1, step: 1 })),
			field('target column', h('select', { name: 'target' })),
			field('epochs', numberInput('epochs', '10', { min: 1, step: 1, value: 5 })),
			field('batch size', numberInput('batchSize', '32', { min: 1, step: 1 })),
			field('learning rate', numberInput('learningRate', '0.001', { min: 0 })),
			field('optimizer', h('select', { name: 'optimizer' }, h('option', { value: '' }, 'default (adam)'),
				h('option', { value: 'adam' }, 'adam'), h('option', { value: 'adamw' }, 'adamw'),
				h('option', { value: 'sgd' }, 'sgd'))),
			field('image size', numberInput('imageSize', 'architecture default', { min: 1, step: 1, onchange: sync })),
			field('validation split', numberInput('validationSplit', '0.2', { min: 0, max: 0.9 })),
			field('test split', numberInput('testSplit', '0 (none)', { min: 0, max: 0.9 }),
				'held out of training and validation; the best epoch is tested on it once'),
			field('early-stopping patience', numberInput('earlyStoppingPatience', 'default', { min: 0, step: 1 })),
			field('window', numberInput('window', 'default', { min: 1, step: 1 })),
			field('horizon', numberInput('horizon', 'default', { min: 1, step: 1 })),
			field('hidden size', numberInput('hiddenSize', 'default', { min: 1, step: 1 })),
			field('layers', numberInput('layers', 'default', { min: 1, step: 1 })),
			field('dropout', numberInput('dropout', '0', { min: 0, max: 0.99 })),
			field('holdout split', numberInput('holdoutSplit', 'default', { min: 0, max: 0.9 }), 'kept apart for the backtest'),
			field('season', numberInput('season', 'default', { min: 1, step: 1 }), 'period of the seasonal-naive baseline'),
			field('seed', numberInput('seed', '42', { step: 1 })),
			h('label', { class: 'field check', dataset: { field: 'augment' } }, h('input', { type: 'checkbox', name: 'augment', checked: true }),
				h('span', {}, 'augment (flips and crops on the training split)'))),
		h('div', { class: 'form-error', id: 'train-error' }),
		h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', 'data-testid': 'start-job' }, 'Start training')));
	form().onsubmit = submit;
}

function task() {
	const name = form().elements.namedItem('architecture').value;
	return architectures.find((a) => a.name === name)?.task ?? 'image-classification';
}

// Shows the fields that apply to the chosen task and base model, and the datasets of the right kind.
function sync() {
	const f = form().elements;
	const forecasting = task() === 'forecasting';
	const kind = forecasting ? 'series' : 'images';
	const datasetSelect = f.namedItem('dataset');
	const chosen = datasetSelect.value;
	const usable = datasets.filter((d) => d.kind === kind);
	datasetSelect.replaceChildren(...(usable.length ? usable.map((d) => h('option', { value: d.id },
		`${d.name} · ${d.kind === 'images' ? `${d.classes.length} classes, ${Object.values(d.counts).reduce((a, b) => a + b, 0)} images`
			: `${d.rows} rows`} · ${d.id.slice(0, 8)}`)) : [h('option', { value: '' }, `no ${kind} dataset yet: see Datasets`)]));
	if (usable.some((d) => d.id === chosen)) {
		datasetSelect.value = chosen;
	}
	const dataset = datasets.find((d) => d.id === datasetSelect.value);
	const target = f.namedItem('target');
	const targetWas = target.value;
	target.replaceChildren(...(dataset?.columns || []).map((c) => h('option', { value: c }, c)));
	if ([...target.options].some((o) => o.value === targetWas)) {
		target.value = targetWas;
	}
	const hasBase = !forecasting && f.namedItem('baseModel').value !== '';
	const fineTune = hasBase && f.namedItem('transferMode').value === 'fine-tune';
	for (const el of form().querySelectorAll('[data-field]')) {
		const name = el.dataset.field;
		let shown = !(forecasting ? IMAGE_ONLY : SERIES_ONLY).includes(name);
		if (name === 'transferMode') {
			shown = hasBase;
		}
		if (name === 'baseLearningRateFactor' || name === 'trainableLayers') {
			shown = fineTune;
		}
		el.hidden = !shown;
	}
	showArchInfo();
	const arch = architectures.find((a) => a.name === f.namedItem('architecture').value);
	const classes = dataset?.classes?.length;
	const size = Number(f.namedItem('imageSize').value) || arch?.defaultImageSize;
	// the service counts parameters for a class count and image size; ask only for ones it accepts
	if (!forecasting && classes >= 2 && size >= (arch?.minImageSize ?? 1) && size <= 4096) {
		countParameters(classes, size);
	}
}


async function countParameters(classes, imageSize) {
	const query = `classes=${classes}&imageSize=${imageSize}`;
	if (query === counted) {
		return;
	}
	counted = query;
	try {
		architectures = await api(`/api/v1/architectures?${query}`);
		showArchInfo();
	}
	catch {
		// the counts shown stay those of the last accepted query
	}
}

function showArchInfo() {
	const arch = architectures.find((a) => a.name === form().elements.namedItem('architecture').value);
	document.getElementById('arch-info').textContent = arch ? `${arch.description ?? ''}${arch.parameters
		? ` · ${count(arch.parameters)} parameters for ${Object.entries(arch.countedFor || {}).map(([k, v]) => `${k} ${v}`).join(', ')}` : ''}` : '';
}

function request() {
	const f = form().elements;
	const value = (name) => {
		const el = f.namedItem(name);
		return el && !el.closest('[data-field]').hidden && el.value !== '' ? el.value : undefined;
	};
	const number = (name) => (value(name) === undefined ? undefined : Number(value(name)));
	const forecasting = task() === 'forecasting';
	const body = { model: value('model'), task: task(), architecture: value('architecture'), dataset: value('dataset'),
		device: value('device') };
	const hp = { epochs: number('epochs'), batchSize: number('batchSize'), learningRate: number('learningRate'),
		optimizer: value('optimizer'), validationSplit: number('validationSplit'),
		earlyStoppingPatience: number('earlyStoppingPatience'), seed: number('seed') };
	if (forecasting) {
		body.target = value('target');
		Object.assign(hp, { window: number('window'), horizon: number('horizon'), hiddenSize: number('hiddenSize'),
			layers: number('layers'), dropout: number('dropout'), holdoutSplit: number('holdoutSplit'), season: number('season') });
	}
	else {
		Object.assign(hp, { imageSize: number('imageSize'), augment: f.namedItem('augment').checked,
			testSplit: number('testSplit') });
		if (value('baseModel')) {
			body.baseModel = value('baseModel');
			body.transfer = { mode: value('transferMode'), baseLearningRateFactor: number('baseLearningRateFactor'),
				trainableLayers: number('trainableLayers') };
		}
	}
	body.hyperparameters = hp;
	return body;
}

// Which field a refusal is about: the service's code first, else the field its detail starts with.
const CODE_FIELDS = { invalid_name: 'model', wrong_dataset_kind: 'dataset', dataset_not_found: 'dataset',
	invalid_base_model: 'baseModel', unsupported_base_model: 'baseModel', wrong_task: 'baseModel', architecture_mismatch: 'baseModel',
	invalid_transfer: 'transferMode', invalid_device: 'device', image_too_small: 'imageSize', invalid_image_size: 'imageSize',
	not_enough_images: 'testSplit',
	unknown_architecture: 'architecture', unsupported_task: 'architecture' };

function fieldFor(err) {
	const first = /^([a-zA-Z]+)/.exec(err.message || '')?.[1];
	const candidates = [CODE_FIELDS[err.code], first, first === 'transfer' ? 'transferMode' : null];
	return candidates.map((n) => n && form().querySelector(`[data-field="${n}"]:not([hidden])`)).find(Boolean);
}

async function submit(e) {
	e.preventDefault();
	for (const el of form().querySelectorAll('.field-error, #train-error')) {
		el.replaceChildren();
	}
	form().querySelectorAll('.invalid').forEach((el) => el.classList.remove('invalid'));
	const button = form().querySelector('button[type=submit]');
	button.disabled = true;
	try {
		addJob(await api('/api/v1/training-jobs', { method: 'POST', json: request() }));
	}
	catch (err) {
		const target = fieldFor(err);
		if (target) {
			target.classList.add('invalid');
			target.querySelector('.field-error').replaceChildren(problemBox(err));
		}
		else {
			document.getElementById('train-error').replaceChildren(problemBox(err));
		}
	}
	finally {
		button.disabled = false;
	}
}
