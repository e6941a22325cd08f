// Datasets tab: upload with a progress bar, built-in samples, and what each stored dataset holds.
import { api, upload } from './api.js';
import { bytes, confirmDialog, h, problemBox, toast, when } from './ui.js';

let onChange = () => {};

export function whenDatasetsChange(callback) {
	onChange = callback;
}

export function buildDatasetActions() {
	const name = h('input', { name: 'name', placeholder: 'name', required: true, pattern: '[a-z0-9][a-z0-9._\\-]{0,63}', autocomplete: 'off' });
	const kind = h('select', { name: 'kind' }, h('option', { value: 'images' }, 'images (.zip of <class>/<file>.png)'),
		h('option', { value: 'series' }, 'series (.csv)'));
	const file = h('input', { type: 'file', name: 'file', required: true, accept: '.zip,.csv' });
	const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 1, 'aria-valuenow': 0,
		'data-testid': 'upload-progress', hidden: true }, h('div', { class: 'progress-fill', style: 'width:0%' }));
	const status = h('div', { class: 'small' });
	file.addEventListener('change', () => {
		const f = file.files[0];
		if (f && !name.value) {
			name.value = f.name.replace(/\.[^.]+$/, '').toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 64);
		}
		if (f) {
			kind.value = f.name.toLowerCase().endsWith('.csv') ? 'series' : 'images';
		}
	});
	const uploadForm = h('form', { class: 'stack', onsubmit: async (e) => {
		e.preventDefault();
		if (!file.files[0]) {
			status.replaceChildren(problemBox({ message: 'choose a file first', code: 'client_check' }));
			return;
		}
		const data = new FormData();
		data.append('name', name.value.trim());
		data.append('kind', kind.value);
		data.append('file', file.files[0]);
		bar.hidden = false;
		const show = (f) => {
			bar.setAttribute('aria-valuenow', f.toFixed(3));
			bar.firstChild.style.width = `${(f * 100).toFixed(1)}%`;
			status.textContent = f < 1 ? `uploading ${(f * 100).toFixed(0)}% of ${bytes(file.files[0].size)}` : 'checking the file…';
		};
		show(0);
		try {
			const d = await upload('/api/v1/datasets', data, show);
			status.textContent = `stored ${d.name} (${d.id.slice(0, 8)})`;
			toast(`dataset ${d.name} stored`, 'ok');
			uploadForm.reset();
			onChange();
		}
		catch (err) {
			status.replaceChildren(problemBox(err));
		}
	} }, h('div', { class: 'inline' }, name, kind), file, h('div', { class: 'inline' },
		h('button', { class: 'primary', type: 'submit' }, 'Upload'), h('span', { class: 'grow' })), bar, status);

	const sampleStatus = h('div', { class: 'small' });
	const sample = (which, params) => async (e) => {
		e.preventDefault();
		const query = new URLSearchParams(Object.entries(params()).filter(([, v]) => v !== ''));
		sampleStatus.textContent = `generating ${which}…`;
		try {
			const d = await api(`/api/v1/datasets/samples/${which}?${query}`, { method: 'POST' });
			sampleStatus.textContent = `stored ${d.name} (${d.id.slice(0, 8)})`;
			toast(`sample ${d.name} generated`, 'ok');
			onChange();
		}
		catch (err) {
			sampleStatus.replaceChildren(problemBox(err));
		}
	};
	const perClass = h('input', { type: 'number', name: 'countPerClass', value: 60, min: 2, max: 1000, class: 'narrow', 'aria-label': 'images per class' });
	const size = h('input', { type: 'number', name: 'imageSize', value: 64, min: 16, max: 256, class: 'narrow', 'aria-label': 'image size' });
	const rows = h('input', { type: 'number', name: 'rows', value: 1000, min: 10, max: 100000, class: 'narrow', 'aria-label': 'rows' });
	document.getElementById('dataset-actions').replaceChildren(
		h('h2', {}, 'Upload'), uploadForm,
		h('h2', {}, 'Generate a sample'),
		h('form', { class: 'inline', onsubmit: sample('shapes', () => ({ countPerClass: perClass.value, imageSize: size.value })) },
			h('b', {}, 'shapes'), perClass, h('span', { class: 'muted small' }, 'per class at'), size, h('span', { class: 'muted small' }, 'px'),
			h('span', { class: 'grow' }), h('button', { class: 'secondary', 'data-testid': 'sample-shapes' }, 'Generate')),
		h('form', { class: 'inline', onsubmit: sample('sine', () => ({ rows: rows.value })) },
			h('b', {}, 'sine'), rows, h('span', { class: 'muted small' }, 'rows'),
			h('span', { class: 'grow' }), h('button', { class: 'secondary', 'data-testid': 'sample-sine' }, 'Generate')),
		sampleStatus);
}

export async function refreshDatasets() {
	const list = document.getElementById('dataset-list');
	try {
		const all = (await api('/api/v1/datasets')).sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
		list.replaceChildren(...(all.length ? all.map(card) : [h('p', { class: 'muted' }, 'No datasets yet.')]));
	}
	catch (err) {
		list.replaceChildren(problemBox(err));
	}
}

function card(d) {
	const body = d.kind === 'images' ? counts(d) : h('div', { class: 'small' }, `${d.rows} rows · columns `,
		(d.columns || []).map((c) => h('span', { class: 'chip' }, c)), d.timeColumn ? ` · time column ${d.timeColumn}` : '');
	return h('div', { class: 'dataset', dataset: { dataset: d.id } },
		h('div', { class: 'row' }, h('span', {}, h('strong', {}, d.name), ' ', h('span', { class: 'chip' }, d.kind)),
			h('button', { class: 'link danger-link', title: 'delete', onclick: async () => {
				if (await confirmDialog('Delete dataset', `Delete ${d.name} (${d.id.slice(0, 8)})? Jobs that used it keep their record.`, 'Delete')) {
					try {
						await api(`/api/v1/datasets/${d.id}`, { method: 'DELETE' });
						onChange();
					}
					catch (err) {
						toast(err.message, 'warn');
					}
				}
			} }, 'delete')),
		h('div', { class: 'small muted' }, `${d.id.slice(0, 8)} · ${bytes(d.sizeBytes)} · ${when(d.createdAt)} · sha256 `,
			h('code', { title: d.sha256 }, `${d.sha256.slice(0, 12)}…`)),
		body);
}

function counts(d) {
	const entries = Object.entries(d.counts || {});
	const max = Math.max(1, ...entries.map(([, n]) => n));
	return h('ul', { class: 'class-counts', 'data-testid': 'class-counts' }, entries.map(([label, n]) => h('li', {},
		h('span', { class: 'bar-label' }, label),
		h('span', { class: 'bar-track' }, h('span', { class: 'bar-fill', style: `width:${(n / max * 100).toFixed(1)}%` })),
		h('span', { class: 'bar-value' }, n))));
}
